import { RoyaltyError } from './royalty.errors';
import { splitBps, splitLargestRemainder } from './largest-remainder.splitter';

export const TOTAL_BPS = 10_000;

export interface OwnerShare {
  account: string;
  shareBps: number;
}

export interface ParentShare {
  /** The parent dataset's content root. */
  datasetId: string;
  upstreamBps: number;
}

export interface DatasetNode {
  owners: readonly OwnerShare[];
  parents: readonly ParentShare[];
}

/** datasetId (0x + 64 hex) → its owners and parents. Keys may be any case. */
export type DatasetGraph = ReadonlyMap<string, DatasetNode> | Readonly<Record<string, DatasetNode>>;

export interface RunEntryWeight {
  datasetId: string;
  weight: bigint;
}

export interface AllocationInput {
  /** Payment in the token's smallest unit. */
  amount: bigint;
  /** Protocol fee in basis points, 0..10000. */
  feeBps: number;
  entries: readonly RunEntryWeight[];
  datasets: DatasetGraph;
}

/** Money one account earned as an owner of one dataset. */
export interface Share {
  /** Lowercase 0x address. */
  account: string;
  amount: bigint;
  /** The dataset whose owner the account is: the one through which it earned this. */
  datasetId: string;
}

export interface AccountTotal {
  account: string;
  amount: bigint;
}

/** How much passed through one dataset: the audit trail behind the shares. */
export interface DatasetFlow {
  datasetId: string;
  /** From the run's weight split directly. */
  fromRun: bigint;
  /** From datasets derived from it (their upstream shares). */
  fromChildren: bigint;
  toParents: bigint;
  toOwners: bigint;
}

export interface Allocation {
  amount: bigint;
  fee: bigint;
  net: bigint;
  /** Sorted by datasetId, then account; zero amounts left out. fee + Σ amount == amount. */
  shares: Share[];
  /** Σ per account, sorted by account; zero totals left out. */
  byAccount: AccountTotal[];
  /** One per dataset reached (run entries and their ancestors), sorted by datasetId. */
  datasets: DatasetFlow[];
}

const DATASET_ID_RE = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
// Stryker disable next-line Regex: it only decides whether owners/parents are copied and sorted or reused; both give the canonical list.
const UPPER_RE = /[A-F]/;

interface CanonicalNode {
  /** Lowercase, sorted by account, distinct. */
  owners: readonly OwnerShare[];
  /** Lowercase, sorted by datasetId, distinct. */
  parents: readonly ParentShare[];
  /** [parents' upstreamBps…, owners' remainder]: the first split of what the dataset receives. */
  splitBps: readonly number[];
  ownerBps: readonly number[];
}

/**
 * Splits one run payment exactly:
 * 1. fee = floor(amount · feeBps / 10000) — rounds toward the contributors, never the operator.
 * 2. net = amount − fee, split across run entries by weight.
 * 3. Each dataset takes what it received (from the run and from datasets derived from it),
 *    splits it into one part per parent (upstreamBps) and one for its owners (the rest of
 *    10,000 bps); parents do the same with what they receive, in lineage (DAG) order.
 * 4. The owners' part is split by shareBps.
 * Every split is largest-remainder (Hamilton) with ties to the lexicographically smaller
 * key (datasetId or account; a dataset's parents come before its owners' part), so
 * fee + Σ shares == amount exactly and the result does not depend on input order.
 */
export function allocate(input: AllocationInput): Allocation {
  const { amount, feeBps } = input;
  if (typeof amount !== 'bigint' || amount < 0n)
    throw new RoyaltyError('INVALID_AMOUNT', 'amount', 'must be a non-negative bigint');
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > TOTAL_BPS)
    throw new RoyaltyError('INVALID_FEE', 'feeBps', `must be an integer 0..${TOTAL_BPS}`);
  const fee = (amount * BigInt(feeBps)) / BigInt(TOTAL_BPS);
  const net = amount - fee;

  const entries = canonicalRunEntries(input.entries);
  const lookup = normalizeGraph(input.datasets);
  const weights = entries.map((e) => e.weight);
  // Stryker disable next-line ArrowFunction: splitLargestRemainder sums the weights itself when not given the sum.
  const totalWeight = weights.reduce((s, w) => s + w, 0n);
  const perEntry = splitLargestRemainder(net, weights, totalWeight);

  // Datasets reached, as dense indices: run entries first (sorted), then ancestors.
  const ids: string[] = [];
  const nodes: CanonicalNode[] = [];
  const indexOf = new Map<string, number>();
  const fromRun: bigint[] = [];
  const fromChildren: bigint[] = [];
  const indegree: number[] = [];
  const reach = (datasetId: string): number => {
    let i = indexOf.get(datasetId);
    if (i === undefined) {
      i = ids.length;
      indexOf.set(datasetId, i);
      ids.push(datasetId);
      // Stryker disable next-line CallExpression: a placeholder; the loop below sets nodes[i] for every dataset reached before it is read.
      nodes.push(NOT_LOADED);
      fromRun.push(0n);
      fromChildren.push(0n);
      indegree.push(0);
    }
    return i;
  };
  for (let k = 0; k < entries.length; k++) fromRun[reach(entries[k].datasetId)] = perEntry[k]!;
  for (let i = 0; i < ids.length; i++) {
    const node = canonicalNode(ids[i], lookup);
    nodes[i] = node;
    for (const p of node.parents) indegree[reach(p.datasetId)]++;
  }

  // Kahn's algorithm: a dataset splits only once every child has passed its part up.
  // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
  const toOwners: bigint[] = new Array<bigint>(ids.length);
  // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
  const toParents: bigint[] = new Array<bigint>(ids.length);
  const ready: number[] = [];
  // Stryker disable next-line EqualityOperator: `i <= ids.length` reads indegree past the end, undefined, never 0.
  for (let i = 0; i < ids.length; i++) if (indegree[i] === 0) ready.push(i);
  let processed = 0;
  while (ready.length > 0) {
    const i = ready.pop()!;
    processed++;
    const node = nodes[i];
    const total = fromRun[i] + fromChildren[i];
    // Stryker disable next-line ConditionalExpression,BlockStatement: a shortcut; splitBps(total, [10000]) is [total] too.
    if (node.parents.length === 0) {
      toParents[i] = 0n;
      toOwners[i] = total;
      continue;
    }
    const parts = splitBps(total, node.splitBps);
    let up = 0n;
    for (let k = 0; k < node.parents.length; k++) {
      const p = indexOf.get(node.parents[k].datasetId)!;
      fromChildren[p] = fromChildren[p] + parts[k];
      up += parts[k];
      if (--indegree[p] === 0) ready.push(p);
    }
    toParents[i] = up;
    toOwners[i] = parts[node.parents.length]!;
  }
  if (processed !== ids.length) {
    const stuck = ids.filter((_, i) => indegree[i] > 0).sort()[0];
    throw new RoyaltyError(
      'LINEAGE_CYCLE',
      `datasets[${stuck}].parents`,
      'dataset lineage has a cycle through this dataset',
    );
  }

  // Emit in datasetId order; entries are sorted already, so this sort is nearly linear.
  // Stryker disable next-line EqualityOperator,ConditionalExpression: ids are distinct and V8's sort only asks whether compare() < 0, so `<=` and the `>` branch's variants order alike.
  const order = Array.from(ids.keys()).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  const shares: Share[] = [];
  // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
  const flows: DatasetFlow[] = new Array<DatasetFlow>(ids.length);
  let check = fee;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const datasetId = ids[i];
    const { owners, ownerBps } = nodes[i];
    const ownerParts = splitBps(toOwners[i], ownerBps);
    // Stryker disable next-line EqualityOperator: `o <= owners.length` reads a part past the end, undefined, never > 0n.
    for (let o = 0; o < owners.length; o++) {
      const amount = ownerParts[o];
      if (amount > 0n) {
        shares.push({ account: owners[o].account, amount, datasetId });
        check += amount;
      }
    }
    flows[k] = {
      datasetId,
      fromRun: fromRun[i],
      fromChildren: fromChildren[i],
      toParents: toParents[i],
      toOwners: toOwners[i],
    };
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement,StringLiteral: a last line of defence that no input reaches while the arithmetic above is right (the vectors pin that).
  if (check !== amount) throw new Error(`allocation invariant broken: fee + shares = ${check}, amount = ${amount}`);
  return { amount, fee, net, shares, byAccount: totalsByAccount(shares), datasets: flows };
}

function totalsByAccount(shares: readonly Share[]): AccountTotal[] {
  const totals = new Map<string, bigint>();
  for (const s of shares) totals.set(s.account, (totals.get(s.account) ?? 0n) + s.amount);
  const accounts = [...totals.keys()].sort();
  return accounts.map((account) => ({ account, amount: totals.get(account)! }));
}

/** Lowercased, sorted by datasetId; refuses empty runs, bad ids, zero weights, repeats. */
function canonicalRunEntries(input: readonly RunEntryWeight[]): RunEntryWeight[] {
  if (!isList(input) || input.length === 0)
    throw new RoyaltyError('EMPTY_RUN', 'entries', 'a run needs at least one dataset entry');
  // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
  const entries: RunEntryWeight[] = new Array<RunEntryWeight>(input.length);
  for (let i = 0; i < input.length; i++) {
    const { datasetId, weight } = input[i];
    if (typeof datasetId !== 'string' || !DATASET_ID_RE.test(datasetId))
      throw new RoyaltyError('INVALID_DATASET_ID', `entries[${i}].datasetId`, 'must be 0x followed by 64 hex digits');
    if (typeof weight !== 'bigint' || weight <= 0n)
      throw new RoyaltyError(
        'ZERO_WEIGHT',
        `entries[${i}].weight`,
        'must be a positive bigint (zero-weight entries are refused)',
      );
    entries[i] = { datasetId: datasetId.toLowerCase(), weight };
  }
  // Stryker disable next-line EqualityOperator,ConditionalExpression: V8's sort only asks whether compare() < 0; equal ids are refused just below whatever their order.
  entries.sort((a, b) => (a.datasetId < b.datasetId ? -1 : a.datasetId > b.datasetId ? 1 : 0));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i].datasetId === entries[i - 1].datasetId)
      throw new RoyaltyError('DUPLICATE_ENTRY', 'entries', `dataset ${entries[i].datasetId} appears twice in the run`);
  }
  return entries;
}

/** A lookup by lowercase id; only copies the graph when some key is not lowercase already. */
function normalizeGraph(graph: DatasetGraph): (id: string) => DatasetNode | undefined {
  const map: ReadonlyMap<string, DatasetNode> =
    graph instanceof Map ? graph : new Map(Object.entries(graph as Record<string, DatasetNode>));
  // Stryker disable next-line BooleanLiteral: `false` only makes the lowercase copy every time; same lookups.
  let lowercase = true;
  for (const key of map.keys()) {
    // Stryker disable next-line ConditionalExpression,MethodExpression: `true` (or comparing with upper case) only makes the lowercase copy every time; same lookups.
    if (key !== key.toLowerCase()) {
      lowercase = false;
      break;
    }
  }
  // Stryker disable next-line ConditionalExpression: `false` only makes the lowercase copy every time; same lookups.
  if (lowercase) return (id) => map.get(id);
  const copy = new Map<string, DatasetNode>();
  for (const [key, node] of map) {
    const id = key.toLowerCase();
    if (copy.has(id))
      throw new RoyaltyError('INVALID_DATASET_ID', `datasets[${key}]`, 'appears twice (keys differ only in case)');
    copy.set(id, node);
  }
  return (id) => copy.get(id);
}

const NOT_LOADED: CanonicalNode = { owners: [], parents: [], splitBps: [], ownerBps: [] };
const WHOLE = [TOTAL_BPS];

// Stryker disable next-line EqualityOperator,ConditionalExpression: V8's sort only asks whether compare() < 0; a repeated account stays next to its twin either way and is refused.
const byAccount = (a: OwnerShare, b: OwnerShare) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0);
const byDatasetId = (a: ParentShare, b: ParentShare) =>
  // Stryker disable next-line EqualityOperator,ConditionalExpression: as byAccount.
  a.datasetId < b.datasetId ? -1 : a.datasetId > b.datasetId ? 1 : 0;

/**
 * Validates one dataset's owners and parents and puts them in canonical order. Input
 * arrays that are already canonical (lowercase, sorted) are reused, not copied: at a
 * million datasets the copies are most of the garbage.
 */
function canonicalNode(id: string, lookup: (id: string) => DatasetNode | undefined): CanonicalNode {
  const node = lookup(id);
  const at = `datasets[${id}]`;
  if (!node) throw new RoyaltyError('UNKNOWN_DATASET', at, 'is used but not in the dataset graph');
  const rawOwners = node.owners;
  if (!isList(rawOwners) || rawOwners.length === 0)
    throw new RoyaltyError('INVALID_OWNERS', `${at}.owners`, 'must list at least one owner');
  let ownerSum = 0;
  // Stryker disable next-line BooleanLiteral: `false` only copies and sorts owners that may be canonical already; same result.
  let ownersCanonical = true;
  for (let i = 0; i < rawOwners.length; i++) {
    const o = rawOwners[i];
    if (typeof o.account !== 'string' || !ADDRESS_RE.test(o.account))
      throw new RoyaltyError('INVALID_ADDRESS', `${at}.owners[${i}].account`, 'must be 0x followed by 40 hex digits');
    if (!Number.isInteger(o.shareBps) || o.shareBps < 1 || o.shareBps > TOTAL_BPS)
      throw new RoyaltyError('INVALID_OWNERS', `${at}.owners[${i}].shareBps`, `must be an integer 1..${TOTAL_BPS}`);
    ownerSum += o.shareBps;
    // Stryker disable next-line ConditionalExpression: `true` only copies and sorts owners that are canonical already; same result.
    if (UPPER_RE.test(o.account) || (i > 0 && !(rawOwners[i - 1].account < o.account))) ownersCanonical = false;
  }
  if (ownerSum !== TOTAL_BPS)
    throw new RoyaltyError('INVALID_OWNERS', `${at}.owners`, `shareBps must sum to ${TOTAL_BPS}, got ${ownerSum}`);
  let owners: readonly OwnerShare[] = rawOwners;
  // Stryker disable next-line ConditionalExpression: `true` only copies and sorts owners that are canonical already; same result.
  if (!ownersCanonical) {
    const copy = rawOwners.map((o) => ({ account: o.account.toLowerCase(), shareBps: o.shareBps })).sort(byAccount);
    for (let i = 1; i < copy.length; i++) {
      if (copy[i].account === copy[i - 1].account)
        throw new RoyaltyError('INVALID_OWNERS', `${at}.owners`, `${copy[i].account} is listed twice`);
    }
    owners = copy;
  }
  // Stryker disable next-line ConditionalExpression: a sole owner's shareBps is 10000 (checked above), so the map gives WHOLE too.
  const ownerBps = owners.length === 1 ? WHOLE : owners.map((o) => o.shareBps);

  const rawParents = node.parents ?? [];
  if (!isList(rawParents)) throw new RoyaltyError('INVALID_PARENTS', `${at}.parents`, 'must be a list');
  // Stryker disable next-line ConditionalExpression: a shortcut; with no parents the code below returns the same node.
  if (rawParents.length === 0) return { owners, parents: rawParents, splitBps: WHOLE, ownerBps };
  let upstreamSum = 0;
  // Stryker disable next-line BooleanLiteral: `false` only copies and sorts parents that may be canonical already; same result.
  let parentsCanonical = true;
  for (let i = 0; i < rawParents.length; i++) {
    const p = rawParents[i];
    if (typeof p.datasetId !== 'string' || !DATASET_ID_RE.test(p.datasetId))
      throw new RoyaltyError(
        'INVALID_DATASET_ID',
        `${at}.parents[${i}].datasetId`,
        'must be 0x followed by 64 hex digits',
      );
    if (!Number.isInteger(p.upstreamBps) || p.upstreamBps < 0 || p.upstreamBps > TOTAL_BPS)
      throw new RoyaltyError(
        'INVALID_PARENTS',
        `${at}.parents[${i}].upstreamBps`,
        `must be an integer 0..${TOTAL_BPS}`,
      );
    upstreamSum += p.upstreamBps;
    // Stryker disable next-line ConditionalExpression: `true` only copies and sorts parents that are canonical already; same result.
    if (UPPER_RE.test(p.datasetId) || (i > 0 && !(rawParents[i - 1].datasetId < p.datasetId))) parentsCanonical = false;
  }
  if (upstreamSum > TOTAL_BPS)
    throw new RoyaltyError(
      'INVALID_PARENTS',
      `${at}.parents`,
      `upstreamBps must sum to at most ${TOTAL_BPS}, got ${upstreamSum}`,
    );
  const parents = parentsCanonical
    ? rawParents
    : rawParents.map((p) => ({ datasetId: p.datasetId.toLowerCase(), upstreamBps: p.upstreamBps })).sort(byDatasetId);
  for (let i = 0; i < parents.length; i++) {
    if (parents[i].datasetId === id)
      throw new RoyaltyError('LINEAGE_CYCLE', `${at}.parents`, 'a dataset cannot be its own parent');
    if (i > 0 && parents[i].datasetId === parents[i - 1].datasetId)
      throw new RoyaltyError('INVALID_PARENTS', `${at}.parents`, `${parents[i].datasetId} is listed twice`);
  }
  return { owners, parents, splitBps: [...parents.map((p) => p.upstreamBps), TOTAL_BPS - upstreamSum], ownerBps };
}

/** Whether an input that the types say is an array really is one (callers may pass JSON), without narrowing it to any[]. */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}
