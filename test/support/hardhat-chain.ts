// A fresh in-process Hardhat (EDR) chain per call, for vitest suites run from the repo root.
// Hardhat 3 is ESM-only and finds its config from the CWD, so we build the runtime environment
// ourselves from contracts/hardhat.config.ts and read the artifacts `npm run compile:contracts` wrote.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ethers } from 'ethers';

export const CONTRACTS_DIR = join(__dirname, '..', '..', 'contracts');
const CONFIG_PATH = join(CONTRACTS_DIR, 'hardhat.config.ts');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Hre = any;
let hrePromise: Promise<Hre> | undefined;

async function loadHre(): Promise<Hre> {
  const { createHardhatRuntimeEnvironment, importUserConfig } = await import('hardhat/hre');
  const userConfig = await importUserConfig(CONFIG_PATH);
  return createHardhatRuntimeEnvironment(userConfig, { config: CONFIG_PATH }, CONTRACTS_DIR);
}

/** The Hardhat runtime for contracts/, created once per test process. */
export function getHre(): Promise<Hre> {
  hrePromise ??= loadHre();
  return hrePromise;
}

export interface HardhatChain {
  /** ethers provider over the in-process EDR chain (polling every 10 ms, no caching). */
  provider: ethers.BrowserProvider;
  /** The 20 funded dev accounts, as signers that fetch a fresh nonce every time. */
  signers: ethers.JsonRpcSigner[];
  /** The raw EIP-1193 provider of the chain, to build providers with other options. */
  eip1193: ethers.Eip1193Provider;
  chainId: bigint;
  /** Deploys contract `name` (from contracts/artifacts) from `from` (default: signers[0]). */
  deploy(name: string, args?: unknown[], from?: ethers.Signer): Promise<ethers.Contract>;
  /** ABI + bytecode of `name`. */
  artifact(name: string): Promise<{ abi: ethers.InterfaceAbi; bytecode: string }>;
  /** Attaches to a deployed contract. */
  at(name: string, address: string, runner?: ethers.ContractRunner): Promise<ethers.Contract>;
  /** Moves the chain's clock forward by `seconds` and mines a block. */
  increaseTime(seconds: number | bigint): Promise<void>;
  /** Mines `blocks` empty blocks. */
  mine(blocks?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a fresh chain (chainId 31337); every call is an independent chain. */
export async function createHardhatChain(): Promise<HardhatChain> {
  const hre = await getHre();
  if (!existsSync(join(CONTRACTS_DIR, 'artifacts', 'src'))) {
    throw new Error('contracts/artifacts missing: run `npm run compile:contracts` first');
  }
  const connection = await hre.network.create();
  const eip1193 = connection.provider;
  // cacheTimeout -1: never reuse a cached nonce/block on an instant-mining chain.
  const provider = new ethers.BrowserProvider(eip1193, undefined, { cacheTimeout: -1, pollingInterval: 10 });
  const accounts: string[] = await eip1193.request({ method: 'eth_accounts' });
  const signers = await Promise.all(accounts.map((a) => provider.getSigner(a)));
  const chainId = (await provider.getNetwork()).chainId;

  const artifact = async (name: string) => {
    const a = await hre.artifacts.readArtifact(name);
    return { abi: a.abi as ethers.InterfaceAbi, bytecode: a.bytecode as string };
  };

  return {
    provider,
    signers,
    eip1193,
    chainId,
    artifact,
    async deploy(name, args = [], from = signers[0]) {
      const { abi, bytecode } = await artifact(name);
      const factory = new ethers.ContractFactory(abi, bytecode, from);
      const contract = await factory.deploy(...args);
      await contract.waitForDeployment();
      return contract as ethers.Contract;
    },
    async at(name, address, runner = signers[0]) {
      const { abi } = await artifact(name);
      return new ethers.Contract(address, abi, runner);
    },
    async increaseTime(seconds) {
      await eip1193.request({ method: 'evm_increaseTime', params: [Number(seconds)] });
      await eip1193.request({ method: 'evm_mine', params: [] });
    },
    async mine(blocks = 1) {
      await eip1193.request({ method: 'hardhat_mine', params: [ethers.toQuantity(blocks)] });
    },
    async close() {
      provider.destroy();
      await connection.close();
    },
  };
}
