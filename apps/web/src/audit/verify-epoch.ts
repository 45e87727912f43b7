import '../polyfills';
import { Contract, Interface, type AbstractProvider, type Log } from 'ethers';
import type { EpochInputs as PublishedInputs } from '@upstream/api-contract';
import { rebuildEpoch } from '@upstream/royalties';

// The two events the check reads; signatures as in contracts/src/interfaces/IRoyaltySplitter.sol.
const splitterEvents = new Interface([
  'event RunPaid(bytes32 indexed runId, address indexed token, address indexed payer, uint256 amount, uint256 fee, uint256 net)',
  'event RootProposed(uint64 indexed epoch, bytes32 indexed root, bytes32 dataHash, uint64 claimableAt)',
]);

export interface BrowserVerifyReport {
  epoch: number;
  /** Every comparison that could be made agrees (the chain's when it was reachable, always the API's). */
  match: boolean;
  rebuiltRoot: string;
  apiRoot: string;
  chainRoot: string | null;
  /** Whether the chain was read (a wallet or a JSON-RPC endpoint answered). */
  chainChecked: boolean;
  dataHashMatches: boolean | null;
  leaves: number;
  payments: number;
  /** What differs, in words. */
  differences: string[];
  elapsedMs: number;
  /** Of which: rebuilding the root from the inputs (the rest is reading the chain). */
  rebuildMs: number;
}

/**
 * The CLI's `verify-epoch`, in the browser: rebuilds the root from the published inputs with the same
 * rules (@upstream/royalties), checks each payment against its RunPaid log and the root against the
 * epoch's RootProposed event when a chain is at hand, and against the root the API serves.
 */
export async function verifyEpochInBrowser(
  inputs: PublishedInputs,
  apiRoot: string,
  provider: AbstractProvider | null,
): Promise<BrowserVerifyReport> {
  const started = performance.now();
  const differences: string[] = [];
  const rebuilt = await rebuildEpoch(inputs);
  const rebuildMs = Math.round(performance.now() - started);
  if (rebuilt.root !== apiRoot.toLowerCase())
    differences.push(`rebuilt root ${rebuilt.root} differs from the API's root ${apiRoot}`);

  let chainRoot: string | null = null;
  let dataHashMatches: boolean | null = null;
  let chainChecked = false;
  if (provider) {
    try {
      const network = await provider.getNetwork();
      chainChecked = true;
      if (network.chainId !== BigInt(inputs.chainId))
        differences.push(`the chain read is ${network.chainId}, the epoch's is ${inputs.chainId}`);
      await comparePayments(provider, inputs, differences);
      const splitter = new Contract(inputs.splitter, splitterEvents, provider);
      const proposed = (await splitter.queryFilter(splitter.filters.RootProposed(inputs.epoch), 0, 'latest')).at(-1) as
        (Log & { args?: { root: string; dataHash: string } }) | undefined;
      if (!proposed?.args) differences.push(`no RootProposed event for epoch ${inputs.epoch} on the chain`);
      else {
        chainRoot = String(proposed.args.root).toLowerCase();
        dataHashMatches = String(proposed.args.dataHash).toLowerCase() === rebuilt.dataHash;
        if (chainRoot !== rebuilt.root)
          differences.push(`rebuilt root ${rebuilt.root} differs from the chain's ${chainRoot}`);
        if (!dataHashMatches)
          differences.push(`data hash ${rebuilt.dataHash} differs from the chain's ${String(proposed.args.dataHash)}`);
      }
    } catch (error) {
      if (!chainChecked) differences.push(`the chain could not be read: ${(error as Error).message}`);
      else throw error;
    }
  }
  return {
    epoch: inputs.epoch,
    match: differences.length === 0 && (chainChecked || provider === null),
    rebuiltRoot: rebuilt.root,
    apiRoot: apiRoot.toLowerCase(),
    chainRoot,
    chainChecked,
    dataHashMatches,
    leaves: rebuilt.balances.length,
    payments: inputs.payments.length,
    differences,
    elapsedMs: Math.round(performance.now() - started),
    rebuildMs,
  };
}

/** Each published payment must be a RunPaid log of the splitter with the same run, token and amounts. */
async function comparePayments(provider: AbstractProvider, inputs: PublishedInputs, differences: string[]) {
  if (inputs.payments.length === 0) return;
  const blocks = inputs.payments.map((p) => p.blockNumber);
  const from = Math.min(...blocks);
  const to = Math.max(...blocks);
  const onChain = new Map<string, Record<string, string>>();
  for (let start = from; start <= to; start += 5_000) {
    const logs = await provider.getLogs({
      address: inputs.splitter,
      topics: [splitterEvents.getEvent('RunPaid')!.topicHash],
      fromBlock: start,
      toBlock: Math.min(to, start + 4_999),
    });
    for (const log of logs) {
      const parsed = splitterEvents.parseLog(log)!;
      onChain.set(`${log.transactionHash.toLowerCase()}:${log.index}`, {
        runId: String(parsed.args.runId).toLowerCase(),
        token: String(parsed.args.token).toLowerCase(),
        amount: String(parsed.args.amount),
        fee: String(parsed.args.fee),
        net: String(parsed.args.net),
      });
    }
  }
  for (const p of inputs.payments) {
    const log = onChain.get(`${p.txHash.toLowerCase()}:${p.logIndex}`);
    if (!log) {
      differences.push(`payment ${p.txHash}:${p.logIndex} has no RunPaid log on the chain`);
      continue;
    }
    const published: Record<string, string> = {
      runId: p.runId.toLowerCase(),
      token: p.token.toLowerCase(),
      amount: String(p.amount),
      fee: String(p.fee),
      net: String(p.net),
    };
    for (const field of ['runId', 'token', 'amount', 'fee', 'net'])
      if (log[field] !== published[field])
        differences.push(
          `payment ${p.txHash}:${p.logIndex} ${field} is ${published[field]} in the API, ${log[field]} on the chain`,
        );
  }
}
