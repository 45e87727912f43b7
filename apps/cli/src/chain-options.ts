import type { Command } from 'commander';
import { getAddress, isAddress, type JsonRpcProvider, type Wallet } from 'ethers';
import { loadSigner } from './cli-context';

/** What a command that sends transactions from the user's own wallet takes: the chain and the key. */
export const DEFAULT_RPC = process.env.UPSTREAM_RPC_URL ?? 'http://127.0.0.1:8545';

export interface ChainOptions {
  rpc: string;
  keystore?: string;
}

/** Adds `--rpc` and `--keystore` (the key is UPSTREAM_PRIVATE_KEY otherwise) to a command. */
export const chainOptions = (command: Command) =>
  command
    .option('--rpc <url>', 'JSON-RPC endpoint (UPSTREAM_RPC_URL)', DEFAULT_RPC)
    .option('--keystore <file>', 'encrypted JSON keystore (password in UPSTREAM_KEYSTORE_PASSWORD)');

/** An address option, checksummed; refused naming the option. */
export function address(value: string, option: string): string {
  if (!isAddress(value)) throw new Error(`${option}: ${JSON.stringify(value)} is not a 0x-prefixed 20-byte address`);
  return getAddress(value);
}

/** A non-negative decimal integer option (uint256); refused naming the option. */
export function integer(value: string, option: string): bigint {
  if (!/^\d{1,78}$/.test(value)) throw new Error(`${option}: ${JSON.stringify(value)} is not a non-negative integer`);
  return BigInt(value);
}

/** Runs `work` with the signer on `--rpc`, then closes its connection. */
export async function withSigner<T>(options: ChainOptions, work: (signer: Wallet) => Promise<T>): Promise<T> {
  const signer = await loadSigner(options, options.rpc);
  try {
    return await work(signer);
  } finally {
    (signer.provider as JsonRpcProvider | null)?.destroy();
  }
}
