// The published rules of an epoch, as pure code shared by the server (which settles) and the
// CLI's `verify-epoch` (which re-checks): public inputs in, cumulative balances and root out.
// No Nest, no database: everything here can be recomputed by anyone from GET /epochs/:n/inputs.
import { AbiCoder, keccak256 } from 'ethers';
import { earnedVotes, type EarnedVotesRule } from './earned-votes';
import { cumulativeLeaves, type CumulativeBalance, type EpochTree } from './epoch-leaves.tree';
import { applyDisputes, DisputeBook, type PublicDispute } from './dispute-escrow';
import { type DatasetNode, runEntryNodes, runPasses } from './royalty.allocator';
import { PaymentAllocator } from './run-fee.split';
import { byKeys } from './sort-key.comparator';

/** One RunPaid payment as published: the chain facts plus the manifest entries it was allocated over. */
export interface PublicPayment {
  txHash: string;
  logIndex: number;
  blockNumber: number;
  runId: string;
  token: string;
  amount: string;
  fee: string;
  net: string;
  /**
   * `run`: a training run's entries; `license`: a license fee, as a one-entry run of the licensed dataset;
   * `bond`: a rejected dispute's bond paid into the splitter (DisputeBonds' `bondRunId`), a one-entry run of
   * the disputed dataset that goes to its owners alone (its parents take no upstream share of a bond).
   */
  source: 'run' | 'license' | 'bond';
  /** Dataset content roots with integer usage weights (decimal strings). */
  entries: { datasetId: string; weight: string }[];
  /**
   * Per-run fees of paid-per-run datasets this payment paid (gross, decimal strings): each is allocated as
   * a one-entry run of its dataset (weight 1), the rest of the payment over `entries`. Absent or empty: none.
   */
  runFees?: { datasetId: string; amount: string }[];
}

export interface PublicDataset {
  owners: { account: string; shareBps: number }[];
  parents: { datasetId: string; upstreamBps: number }[];
}

/** Everything a verifier needs to rebuild an epoch's root (GET /epochs/:n/inputs). */
export interface EpochInputs {
  epoch: number;
  chainId: number;
  splitter: string;
  /** What the server computed and proposed. */
  root: string;
  dataHash: string;
  /** Every payment allocated up to this epoch (balances are cumulative), in chain order. */
  payments: PublicPayment[];
  /** Owners and parents of every dataset the payments reach, keyed by content root. */
  datasets: Record<string, PublicDataset>;
  /** How royalties earn governance votes (votes leaves beside the balances); absent: no votes leaves. */
  votes?: EarnedVotesRule | null;
  /** Every dispute opened up to this epoch, with its resolution if any (`applyDisputes`); absent: none. */
  disputes?: PublicDispute[];
}

/** What a dispute holds in escrow in one token for one owner (summed over payments). */
export interface EscrowBalance {
  disputeId: string;
  datasetId: string;
  token: string;
  account: string;
  amount: bigint;
}

export interface RebuiltEpoch {
  root: string;
  dataHash: string;
  balances: CumulativeBalance[];
  /** Held for disputes still open at the epoch: in no leaf. */
  escrow: EscrowBalance[];
  tree: EpochTree;
}

/**
 * The rules: each payment's `net` (the contract already took the fee, reported in the event)
 * is allocated by `allocatePayment`: the per-run fees it paid each to their dataset (weight 1), the
 * rest by libs/royalties `allocate` over the run's entries and the lineage; the dispute rule
 * (`applyDisputes`, at the payment's place in the chain) holds disputed owners' shares in escrow or hands
 * them to an upheld dispute's rightful owners; the shares paid are summed per (account, token) over
 * every payment so far; the sums are the epoch's leaves.
 */
export function cumulativeBalances(
  payments: readonly PublicPayment[],
  datasets: Record<string, PublicDataset>,
  disputes: readonly PublicDispute[] = [],
): CumulativeBalance[] {
  return sumsOf(payments, datasets, disputes).balances();
}

/** What every open dispute holds in escrow after these payments, by dispute, token and owner. */
export function disputeEscrow(
  payments: readonly PublicPayment[],
  datasets: Record<string, PublicDataset>,
  disputes: readonly PublicDispute[],
): EscrowBalance[] {
  return sumsOf(payments, datasets, disputes).escrow();
}

function sumsOf(
  payments: readonly PublicPayment[],
  datasets: Record<string, PublicDataset>,
  disputes: readonly PublicDispute[],
): CumulativeSums {
  const sums = new CumulativeSums(Object.entries(datasets), disputes);
  for (const p of payments) sums.add(p);
  return sums;
}

/** Entries allocated at a time by `CumulativeSums.add` (the server's ledger writes this many too). */
const SHARE_BATCH = 10_000;

/**
 * `cumulativeBalances` one payment at a time, so a verifier reading a stream (GET
 * /epochs/:n/inputs.ndjson) holds the lineage, the disputes, one payment's entries and the sums,
 * never every payment.
 */
export class CumulativeSums {
  private readonly graph: Map<string, DatasetNode>;
  private readonly book: DisputeBook;
  /** token → account → cumulative (the accounts are the owners' own strings, shared, not one key string per pair). */
  private readonly sums = new Map<string, Map<string, bigint>>();
  private readonly held = new Map<string, EscrowBalance>();

  /**
   * `datasets`: (content root, owners and parents) pairs, as `Object.entries` of the inputs' datasets or a
   * Map; `disputes`: every dispute opened up to the epoch, with its resolution if any.
   */
  constructor(datasets: Iterable<readonly [string, PublicDataset]>, disputes: readonly PublicDispute[] = []) {
    this.graph = lowercaseGraph(datasets);
    this.book = new DisputeBook(disputes);
  }

  /**
   * One payment: allocated as `allocatePayment` does, its shares produced and summed `SHARE_BATCH` entries at a
   * time (every share of a dataset in one batch, as the dispute rule needs), so a run of a million entries never
   * has a list of every share.
   */
  add(p: PublicPayment): void {
    const datasets = p.source === 'bond' ? ownersOnly(this.graph, p.entries) : this.graph;
    const allocator = new PaymentAllocator({
      amount: BigInt(p.amount),
      net: BigInt(p.net),
      runFees: (p.runFees ?? []).map((f) => ({ datasetId: f.datasetId, amount: BigInt(f.amount) })),
      datasets,
    });
    const entries = allocator.readsEntries
      ? runEntryNodes(
          p.entries.map((e) => ({ datasetId: e.datasetId, weight: BigInt(e.weight) })),
          datasets,
        )
      : [];
    const token = p.token.toLowerCase();
    let sums = this.sums.get(token);
    if (!sums) this.sums.set(token, (sums = new Map<string, bigint>()));
    for (const shares of runPasses(allocator, entries, SHARE_BATCH)) {
      const { paid, escrow } = applyDisputes(shares, p, this.book);
      for (const s of paid) sums.set(s.account, (sums.get(s.account) ?? 0n) + s.amount);
      for (const e of escrow) {
        const key = `${e.disputeId}:${token}:${e.account}`;
        const prior = this.held.get(key);
        this.held.set(key, { ...e, token, amount: (prior?.amount ?? 0n) + e.amount });
      }
    }
  }

  /** The sums so far, by token then account. */
  balances(): CumulativeBalance[] {
    const out: CumulativeBalance[] = [];
    for (const token of [...this.sums.keys()].sort()) {
      const sums = this.sums.get(token)!;
      for (const account of [...sums.keys()].sort()) {
        const cumulative = sums.get(account)!;
        // Stryker disable next-line ConditionalExpression,EqualityOperator: a guard; shares are never zero (allocate leaves zero shares out), so no sum is 0.
        if (cumulative > 0n) out.push({ token, account, cumulative });
      }
    }
    return out;
  }

  /**
   * The sums so far, by account then token (`EpochLeafStream`'s order), one at a time: only the sorted accounts are
   * held beside the sums, never a second copy of every balance.
   */
  *balancesByAccount(): Generator<CumulativeBalance> {
    const tokens = [...this.sums.keys()].sort();
    const accounts =
      tokens.length === 1
        ? [...this.sums.get(tokens[0])!.keys()]
        : [...new Set(tokens.flatMap((t) => [...this.sums.get(t)!.keys()]))];
    for (const account of accounts.sort()) {
      for (const token of tokens) {
        const cumulative = this.sums.get(token)!.get(account);
        // Stryker disable next-line ConditionalExpression,EqualityOperator: a guard, as in `balances`.
        if (cumulative !== undefined && cumulative > 0n) yield { account, token, cumulative };
      }
    }
  }

  /** What open disputes hold so far, by dispute, token and owner. */
  escrow(): EscrowBalance[] {
    return [...this.held.values()].sort(byDisputeTokenAccount);
  }
}

/**
 * The datasets by lowercase content root. A Map keyed so already is used as it is: a verifier's lineage of a
 * million datasets is not copied.
 */
function lowercaseGraph(datasets: Iterable<readonly [string, PublicDataset]>): Map<string, DatasetNode> {
  if (datasets instanceof Map) {
    let lowercase = true;
    for (const id of (datasets as Map<string, DatasetNode>).keys()) if (id !== id.toLowerCase()) lowercase = false;
    if (lowercase) return datasets as Map<string, DatasetNode>;
  }
  const graph = new Map<string, DatasetNode>();
  for (const [id, node] of datasets) graph.set(id.toLowerCase(), node);
  return graph;
}

/** The graph a bond is allocated over: its datasets with their owners and no parents (the server allocates bonds over it too). */
export function ownersOnly(
  graph: ReadonlyMap<string, DatasetNode>,
  entries: PublicPayment['entries'],
): Map<string, DatasetNode> {
  const only = new Map<string, DatasetNode>();
  for (const { datasetId } of entries) {
    const node = graph.get(datasetId.toLowerCase());
    if (node) only.set(datasetId.toLowerCase(), { owners: node.owners, parents: [] });
  }
  return only;
}

/** The tag that starts every epoch's dataHash preimage (a new format would get a new tag). */
export const EPOCH_DATA_HASH_TAG = 'upstream-epoch-v1';

/** ABI types of the dataHash preimage: (tag, chainId, splitter, epoch, txHashes, logIndexes). */
export const EPOCH_DATA_HASH_TYPES = ['string', 'uint256', 'address', 'uint64', 'bytes32[]', 'uint256[]'] as const;

/**
 * The epoch's data hash (the `dataHash` passed to proposeRoot): which payments the epoch
 * covers, bound to the chain, the splitter and the epoch number. Payments in chain order.
 */
export function epochDataHash(
  chainId: number | bigint,
  splitter: string,
  epoch: number | bigint,
  payments: readonly { txHash: string; logIndex: number; blockNumber: number }[],
): string {
  const ordered = [...payments].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(EPOCH_DATA_HASH_TYPES, [
      EPOCH_DATA_HASH_TAG,
      chainId,
      splitter,
      epoch,
      ordered.map((p) => p.txHash),
      ordered.map((p) => p.logIndex),
    ]),
  );
}

/** Rebuilds root and data hash from public inputs alone. */
export async function rebuildEpoch(inputs: EpochInputs): Promise<RebuiltEpoch> {
  const sums = new CumulativeSums(Object.entries(inputs.datasets), inputs.disputes ?? []);
  for (const p of inputs.payments) sums.add(p);
  return rebuildFromBalances(inputs, sums.balances(), inputs.payments, sums.escrow());
}

/**
 * The epoch's root and data hash from its royalty balances (summed by `cumulativeBalances` or
 * `CumulativeSums`), its payments' chain positions and what open disputes hold in escrow.
 */
export async function rebuildFromBalances(
  epoch: Pick<EpochInputs, 'epoch' | 'chainId' | 'splitter' | 'votes'>,
  royalties: CumulativeBalance[],
  payments: readonly { txHash: string; logIndex: number; blockNumber: number }[],
  escrow: EscrowBalance[] = [],
): Promise<RebuiltEpoch> {
  const balances = epoch.votes ? withEarnedVotes(royalties, epoch.votes) : royalties;
  const tree = await cumulativeLeaves(epoch.chainId, epoch.splitter.toLowerCase(), balances);
  return {
    root: tree.root,
    dataHash: epochDataHash(epoch.chainId, epoch.splitter, epoch.epoch, payments),
    balances,
    escrow,
    tree,
  };
}

/** The balances and their votes leaves, in one list ordered by token then account. */
export function withEarnedVotes(balances: readonly CumulativeBalance[], rule: EarnedVotesRule): CumulativeBalance[] {
  return [...balances, ...earnedVotes(balances, rule)].sort(byTokenThenAccount);
}

/** The leaves' order: by token, then account. */
const byTokenThenAccount = byKeys<CumulativeBalance>(
  (b) => b.token,
  (b) => b.account,
);

/** The escrow's order: by dispute (as a number), token, then owner. */
const byDisputeTokenAccount = byKeys<EscrowBalance>(
  (e) => BigInt(e.disputeId),
  (e) => e.token,
  (e) => e.account,
);
