import { Contract, JsonRpcProvider, NonceManager, Wallet, type ContractRunner, type TransactionReceipt } from 'ethers';
import { artifacts, LocalChain, deployUpstream, type DeployOptions, type UpstreamDeployment } from '@upstream/chain';
import { freePort } from './ports';

export interface TestChain {
  rpcUrl: string;
  provider: JsonRpcProvider;
  deployment: UpstreamDeployment;
  /** Dev account i's wallet, connected and nonce-managed. */
  wallet(index: number): NonceManager;
  privateKey(index: number): string;
  stop(): Promise<void>;
}

/**
 * A throwaway anvil chain with the Upstream contracts deployed, as `npm start` does on first start;
 * `overrides` change deployment settings (a governance test votes for 20 blocks, not 50,400).
 */
export async function startTestChain(overrides: Partial<DeployOptions> = {}): Promise<TestChain> {
  const chain = await LocalChain.start({ port: await freePort() });
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { cacheTimeout: -1 });
  const wallets = new Map<number, NonceManager>();
  const wallet = (index: number) => {
    let w = wallets.get(index);
    if (!w) wallets.set(index, (w = new NonceManager(new Wallet(LocalChain.devPrivateKey(index), provider))));
    return w;
  };
  const accounts = Array.from({ length: 10 }, (_, i) => new Wallet(LocalChain.devPrivateKey(i)).address);
  const deployment = await deployUpstream(wallet(0), {
    operator: accounts[0],
    guardian: accounts[1],
    treasury: accounts[2],
    rootDelaySeconds: 60,
    deployLocalToken: true,
    mintLocalTokensTo: accounts,
    ...overrides,
  });
  return {
    rpcUrl: chain.rpcUrl,
    provider,
    deployment,
    wallet,
    privateKey: (i) => LocalChain.devPrivateKey(i),
    stop: async () => {
      provider.destroy();
      await chain.stop();
    },
  };
}

/** A lab paying `amount` of the local payment token for `runId`: approve, then payRun, each mined. */
export async function payRunWith(
  deployment: UpstreamDeployment,
  payer: ContractRunner,
  runId: string,
  amount: bigint,
): Promise<void> {
  const { PaymentToken, RoyaltySplitter } = deployment.contracts;
  await (await new Contract(PaymentToken!, artifacts.LocalToken.abi, payer).approve(RoyaltySplitter, amount)).wait();
  await (
    await new Contract(RoyaltySplitter, artifacts.RoyaltySplitter.abi, payer).payRun(runId, PaymentToken!, amount)
  ).wait();
}

/** What `openDisputeWith` states; the bond is in the local payment token. */
export interface DisputeOpening {
  datasetId: string;
  label: number;
  evidenceHash: string;
  evidenceUri: string;
  claimedOwners: string[];
  bond: bigint;
}

/** A disputer opening a dispute with a bond in the local payment token: approve, then DisputeBonds.open, each mined. */
export async function openDisputeWith(
  deployment: UpstreamDeployment,
  disputer: ContractRunner,
  request: DisputeOpening,
): Promise<TransactionReceipt> {
  const { PaymentToken, DisputeBonds } = deployment.contracts;
  await (
    await new Contract(PaymentToken!, artifacts.LocalToken.abi, disputer).approve(DisputeBonds!, request.bond)
  ).wait();
  const bonds = new Contract(DisputeBonds!, artifacts.DisputeBonds.abi, disputer);
  return (await (await bonds.getFunction('open')({ ...request, token: PaymentToken })).wait())!;
}
