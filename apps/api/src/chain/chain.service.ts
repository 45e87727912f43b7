import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Contract, JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import { artifacts } from '@upstream/chain';
import { RUNTIME, type Runtime } from '../runtime/runtime';

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

  async blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }

  onApplicationShutdown(): void {
    this.provider.destroy();
  }
}
