import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Contract, JsonRpcProvider, NonceManager, Wallet, ZeroAddress, isError } from 'ethers';
import { artifacts } from '@upstream/chain';
import { RUNTIME, type Runtime } from '../runtime/runtime';

const ERC20_PROBE_ABI = [
  'function decimals() view returns (uint8)',
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
];

/** The chain as this service sees it: one provider, the operator's signer and the deployed contracts. */
@Injectable()
export class ChainService implements OnApplicationShutdown {
  readonly provider: JsonRpcProvider;
  readonly operator: NonceManager;
  readonly chainId: number;
  readonly splitter: Contract;
  readonly registry: Contract;

  constructor(@Inject(RUNTIME) runtime: Runtime) {
    const { rpcUrl, operatorPrivateKey, deployment } = runtime.infrastructure;
    // ethers caches calls for 250 ms by default, which reuses nonces on instant-mining chains.
    this.provider = new JsonRpcProvider(rpcUrl, deployment.chainId, { cacheTimeout: -1, staticNetwork: true });
    this.operator = new NonceManager(new Wallet(operatorPrivateKey, this.provider));
    this.chainId = deployment.chainId;
    this.splitter = new Contract(deployment.royaltySplitter, artifacts.RoyaltySplitter.abi, this.operator);
    this.registry = new Contract(deployment.provenanceRegistry, artifacts.ProvenanceRegistry.abi, this.operator);
  }

  /**
   * Why `address` is not an ERC-20 token, or null if it is one as far as a fee needs: a contract
   * answering `decimals()`, `balanceOf(address)` and `totalSupply()`. A chain that cannot be reached
   * throws (not a refusal of the address).
   */
  async erc20Refusal(address: string): Promise<string | null> {
    const code = await this.provider.getCode(address);
    if (code === '0x') return 'is not a contract (no code at this address): a fee token must be an ERC-20';
    const token = new Contract(address, ERC20_PROBE_ABI, this.provider);
    const answers = await Promise.all(
      (['decimals', 'totalSupply', 'balanceOf'] as const).map((fn) =>
        (fn === 'balanceOf' ? token.getFunction(fn)(ZeroAddress) : token.getFunction(fn)()).then(
          () => null,
          (error: unknown) => {
            if (isError(error, 'CALL_EXCEPTION') || isError(error, 'BAD_DATA')) return fn;
            throw error;
          },
        ),
      ),
    );
    const missing = answers.filter((fn) => fn !== null);
    return missing.length === 0
      ? null
      : `does not answer ${missing.map((fn) => `${fn}()`).join(', ')}: a fee token must be an ERC-20`;
  }

  async blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  onApplicationShutdown(): void {
    this.provider.destroy();
  }
}
