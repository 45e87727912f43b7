import { RoyaltyError } from './royalty.errors';
import { LargestRemainderSplit, splitBps } from './largest-remainder.splitter';

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
 * The in-memory form of `RunAllocator` (one batch of every entry).
 */
export function allocate(input: AllocationInput): Allocation {
  const allocator = new RunAllocator({ amount: input.amount, feeBps: input.feeBps, ancestors: input.datasets });
  const batches = [...runPasses(allocator, runEntryNodes(input.entries, input.datasets))];
  const shares = batches.flatMap((b) => b.shares);
  const datasets = batches.flatMap((b) => b.datasets);
  const { amount, fee, net } = allocator;
  return { amount, fee, net, shares, byAccount: totalsByAccount(shares), datasets };
}

/** A run entry with its dataset's owners and parents (undefined: not a known dataset), as a streamed allocation reads it. */
export interface RunEntryNode {
  datasetId: string;
  weight: bigint;
  dataset: DatasetNode | undefined;
}

/** What one batch of entries (or the end) gives: its shares and dataset flows, in datasetId order. */
export interface AllocatedBatch {
  shares: Share[];
  datasets: DatasetFlow[];
}

/**
 * An allocation made in passes over the run's entries (each pass sees every entry once, in batches,
 * in datasetId order), so a run of millions of entries need not be in memory:
 *   `count` each batch, `endCount`; `weigh` each batch, `endWeigh`; `emit` each batch, `end`.
 * `runPasses` and `streamPasses` drive it. Entries are kept only as one remainder each (the weight
 * split's largest remainders need them all); datasets in a lineage (an entry with parents, and every
 * ancestor, from `ancestors`) are allocated in memory between the second pass and the third. Every
 * refusal (RoyaltyError) comes before the third pass, so nothing is emitted for a payment that fails.
 */
export class RunAllocator {
  readonly amount: bigint;
  readonly fee: bigint;
  readonly net: bigint;
  private readonly ancestors: (id: string) => DatasetNode | undefined;
  private stage: 'count' | 'weigh' | 'emit' | 'done' = 'count';
  private entries = 0;
  private totalWeight = 0n;
  private lastId = '';
  private seen = 0;
  private weighed = 0n;
  private split: LargestRemainderSplit | undefined;
  private readonly lineage = new Lineage();
  /** The lineage's datasets in datasetId order with what they pay out, after `endWeigh`. */
  private lineageOut: (AllocatedBatch & { datasetId: string })[] = [];
  private nextLineage = 0;
  private check: bigint;

  constructor(input: { amount: bigint; feeBps: number; ancestors: DatasetGraph }) {
    const { amount, feeBps } = input;
    if (typeof amount !== 'bigint' || amount < 0n)
      throw new RoyaltyError('INVALID_AMOUNT', 'amount', 'must be a non-negative bigint');
    if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > TOTAL_BPS)
      throw new RoyaltyError('INVALID_FEE', 'feeBps', `must be an integer 0..${TOTAL_BPS}`);
    this.amount = amount;
    this.fee = (amount * BigInt(feeBps)) / BigInt(TOTAL_BPS);
    this.net = amount - this.fee;
    this.check = this.fee;
    this.ancestors = normalizeGraph(input.ancestors);
  }

  /** Pass 1: validates each entry and its dataset, sums the weights. */
  count(batch: readonly RunEntryNode[]): void {
    this.expect('count');
    for (const entry of batch) {
      const { datasetId, weight } = checkedEntry(entry, this.entries);
      const id = this.inOrder(datasetId);
      const node = canonicalNode(id, entry.dataset);
      if (node.parents.length > 0) this.lineage.add(id, node);
      this.totalWeight += weight;
      this.entries++;
    }
  }

  /** After pass 1: refuses an empty run, reaches and validates every ancestor of the lineage. */
  endCount(): void {
    this.expect('count');
    if (this.entries === 0) throw new RoyaltyError('EMPTY_RUN', 'entries', 'a run needs at least one dataset entry');
    this.lineage.reachAncestors(this.ancestors);
    this.split = new LargestRemainderSplit(this.net, this.totalWeight);
    this.next('weigh');
  }

  /** Pass 2: each entry's share of the net by weight, up to the leftover units. */
  weigh(batch: readonly RunEntryNode[]): void {
    this.expect('weigh');
    for (const { datasetId, weight } of batch) {
      const id = this.inOrder(datasetId);
      const index = this.seen++;
      this.split!.add(weight);
      this.weighed += weight;
      this.lineage.entry(id, index, weight);
    }
  }

  /** After pass 2: gives out the leftover units and allocates the lineage (refusing a cycle). */
  endWeigh(): void {
    this.expect('weigh');
    this.sameEntries();
    const split = this.split!;
    split.close();
    this.lineageOut = this.lineage.allocate((index, weight) => split.part(index, weight));
    this.next('emit');
  }

  /** Pass 3: the shares of these entries and of the ancestors before them, in datasetId order. */
  emit(batch: readonly RunEntryNode[]): AllocatedBatch {
    this.expect('emit');
    const out: AllocatedBatch = { shares: [], datasets: [] };
    for (const entry of batch) {
      const id = this.inOrder(entry.datasetId);
      const index = this.seen++;
      this.flushLineage(out, id);
      if (this.lineage.has(id)) {
        this.push(out, this.lineageOut[this.nextLineage++]);
        continue;
      }
      const part = this.split!.part(index, entry.weight);
      const { owners, ownerBps } = canonicalNode(id, entry.dataset);
      this.push(out, ownerShares(id, owners, splitBps(part, ownerBps), { fromRun: part, toOwners: part }));
    }
    return out;
  }

  /** After pass 3: the ancestors after the last entry; checks fee + Σ shares == amount. */
  end(): AllocatedBatch {
    this.expect('emit');
    this.sameEntries();
    const out: AllocatedBatch = { shares: [], datasets: [] };
    this.flushLineage(out, undefined);
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement,StringLiteral: a last line of defence that no input reaches while the arithmetic above is right (the vectors pin that).
    if (this.check !== this.amount)
      throw new Error(`allocation invariant broken: fee + shares = ${this.check}, amount = ${this.amount}`);
    this.next('done');
    return out;
  }

  private flushLineage(out: AllocatedBatch, before: string | undefined): void {
    for (; this.nextLineage < this.lineageOut.length; this.nextLineage++) {
      const next = this.lineageOut[this.nextLineage];
      if (before !== undefined && next.datasetId >= before) return;
      this.push(out, next);
    }
  }

  private push(out: AllocatedBatch, from: AllocatedBatch): void {
    for (const s of from.shares) {
      out.shares.push(s);
      this.check += s.amount;
    }
    for (const d of from.datasets) out.datasets.push(d);
  }

  /** The entry's id in lowercase, refusing a repeat; entries out of datasetId order are the caller's mistake. */
  private inOrder(datasetId: string): string {
    const id = datasetId.toLowerCase();
    if (id === this.lastId)
      throw new RoyaltyError('DUPLICATE_ENTRY', 'entries', `dataset ${id} appears twice in the run`);
    if (id < this.lastId)
      throw new Error(`RunAllocator: entries must come in datasetId order (${id} after ${this.lastId})`);
    this.lastId = id;
    return id;
  }

  private expect(stage: RunAllocator['stage']): void {
    if (this.stage !== stage) throw new Error(`RunAllocator: ${stage} called during ${this.stage}`);
  }

  private next(stage: RunAllocator['stage']): void {
    this.stage = stage;
    this.lastId = '';
  }

  /** Each pass must read the same entries: a run that changed between passes is the caller's mistake. */
  private sameEntries(): void {
    if (this.seen !== this.entries || this.weighed !== this.totalWeight)
      throw new Error(`RunAllocator: the entries changed between passes (${this.entries} counted, ${this.seen} read)`);
    this.seen = 0;
  }
}

/** A dataset's owners' shares (zero amounts left out) and its flow. */
function ownerShares(
  datasetId: string,
  owners: readonly OwnerShare[],
  parts: readonly bigint[],
  flow: { fromRun: bigint; toOwners: bigint; fromChildren?: bigint; toParents?: bigint },
): AllocatedBatch {
  const shares: Share[] = [];
  // Stryker disable next-line EqualityOperator: `o <= owners.length` reads a part past the end, undefined, never > 0n.
  for (let o = 0; o < owners.length; o++) {
    const amount = parts[o];
    if (amount > 0n) shares.push({ account: owners[o].account, amount, datasetId });
  }
  const { fromRun, toOwners, fromChildren = 0n, toParents = 0n } = flow;
  return { shares, datasets: [{ datasetId, fromRun, fromChildren, toParents, toOwners }] };
}

/**
 * The datasets of a run that take part in lineage: entries with parents and every ancestor reached
 * from them (which may be entries too). Small next to the run; allocated in memory, in DAG order.
 */
class Lineage {
  private readonly ids: string[] = [];
  private readonly nodes: CanonicalNode[] = [];
  private readonly indexOf = new Map<string, number>();
  private readonly fromRun: bigint[] = [];
  private readonly entryAt: { index: number; weight: bigint }[] = [];

  has(id: string): boolean {
    return this.indexOf.has(id);
  }

  add(id: string, node: CanonicalNode): void {
    this.nodes[this.reach(id)] = node;
  }

  /** Breadth first from the entries with parents; each ancestor validated when its turn comes. */
  reachAncestors(lookup: (id: string) => DatasetNode | undefined): void {
    for (let i = 0; i < this.ids.length; i++) {
      this.nodes[i] ??= canonicalNode(this.ids[i], lookup(this.ids[i]));
      for (const p of this.nodes[i].parents) this.reach(p.datasetId);
    }
  }

  /** Pass 2 saw this entry: if it is in the lineage, what it receives from the run comes from its weight. */
  entry(id: string, index: number, weight: bigint): void {
    const i = this.indexOf.get(id);
    if (i === undefined) return;
    this.entryAt[i] = { index, weight };
  }

  /** Kahn's algorithm: a dataset splits only once every child has passed its part up. Sorted by datasetId. */
  allocate(partOf: (index: number, weight: bigint) => bigint): (AllocatedBatch & { datasetId: string })[] {
    const { ids, nodes, indexOf } = this;
    const n = ids.length;
    const indegree = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const at = this.entryAt[i];
      this.fromRun[i] = at ? partOf(at.index, at.weight) : 0n;
      for (const p of nodes[i].parents) indegree[indexOf.get(p.datasetId)!]++;
    }
    const fromChildren = new Array<bigint>(n).fill(0n);
    // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
    const toOwners: bigint[] = new Array<bigint>(n);
    // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
    const toParents: bigint[] = new Array<bigint>(n);
    const ready: number[] = [];
    // Stryker disable next-line EqualityOperator: `i <= n` reads indegree past the end, undefined, never 0.
    for (let i = 0; i < n; i++) if (indegree[i] === 0) ready.push(i);
    let processed = 0;
    while (ready.length > 0) {
      const i = ready.pop()!;
      processed++;
      const node = nodes[i];
      const total = this.fromRun[i] + fromChildren[i];
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
    if (processed !== n) {
      const stuck = ids.filter((_, i) => indegree[i] > 0).sort()[0];
      throw new RoyaltyError(
        'LINEAGE_CYCLE',
        `datasets[${stuck}].parents`,
        'dataset lineage has a cycle through this dataset',
      );
    }
    // Stryker disable next-line EqualityOperator,ConditionalExpression: ids are distinct and V8's sort only asks whether compare() < 0, so `<=` and the `>` branch's variants order alike.
    const order = Array.from(ids.keys()).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
    return order.map((i) => ({
      ...ownerShares(ids[i], nodes[i].owners, splitBps(toOwners[i], nodes[i].ownerBps), {
        fromRun: this.fromRun[i],
        fromChildren: fromChildren[i],
        toParents: toParents[i],
        toOwners: toOwners[i],
      }),
      datasetId: ids[i],
    }));
  }

  private reach(id: string): number {
    let i = this.indexOf.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.indexOf.set(id, i);
      this.ids.push(id);
    }
    return i;
  }
}

/**
 * The passes over entries held in memory (in datasetId order), `batchSize` at a time (by default one batch
 * holding every entry: the in-memory allocation). Smaller batches give the same shares, in smaller lists.
 */
export function* runPasses<T>(
  allocator: Passes<T>,
  entries: readonly RunEntryNode[],
  batchSize = Math.max(entries.length, 1),
): Generator<T> {
  for (const batch of slices(entries, batchSize)) allocator.count(batch);
  allocator.endCount();
  for (const batch of slices(entries, batchSize)) allocator.weigh(batch);
  allocator.endWeigh();
  for (const batch of slices(entries, batchSize)) yield allocator.emit(batch);
  yield allocator.end();
}

/** `entries` `size` at a time (itself when it fits in one; one empty batch when empty). */
function* slices<E>(entries: readonly E[], size: number): Generator<readonly E[]> {
  if (entries.length <= size) {
    yield entries;
    return;
  }
  for (let i = 0; i < entries.length; i += size) yield entries.slice(i, i + size);
}

/**
 * The passes over entries read afresh for each pass (`read(pass)`: a database cursor, in datasetId order),
 * batch by batch. The `weigh` pass reads only ids and weights: its entries' `dataset` may be left out.
 */
export async function* streamPasses<T>(
  allocator: Passes<T>,
  read: (pass: 'count' | 'weigh' | 'emit') => AsyncIterable<readonly RunEntryNode[]>,
): AsyncGenerator<T> {
  for await (const batch of read('count')) allocator.count(batch);
  allocator.endCount();
  for await (const batch of read('weigh')) allocator.weigh(batch);
  allocator.endWeigh();
  for await (const batch of read('emit')) yield allocator.emit(batch);
  yield allocator.end();
}

/** An allocation in three passes over the entries (`RunAllocator`, `PaymentAllocator`). */
export interface Passes<T> {
  count(batch: readonly RunEntryNode[]): void;
  endCount(): void;
  weigh(batch: readonly RunEntryNode[]): void;
  endWeigh(): void;
  emit(batch: readonly RunEntryNode[]): T;
  end(): T;
}

/** The entries lowercased and sorted (refusing bad ones), each with its dataset from the graph. */
export function runEntryNodes(entries: readonly RunEntryWeight[], datasets: DatasetGraph): RunEntryNode[] {
  const canonical = canonicalRunEntries(entries);
  const lookup = normalizeGraph(datasets);
  return canonical.map((e) => ({ datasetId: e.datasetId, weight: e.weight, dataset: lookup(e.datasetId) }));
}

function totalsByAccount(shares: readonly Share[]): AccountTotal[] {
  const totals = new Map<string, bigint>();
  for (const s of shares) totals.set(s.account, (totals.get(s.account) ?? 0n) + s.amount);
  const accounts = [...totals.keys()].sort();
  return accounts.map((account) => ({ account, amount: totals.get(account)! }));
}

/** The `i`-th entry, refused unless its id is a dataset id and its weight a positive bigint. */
function checkedEntry<E extends RunEntryWeight>(entry: E, i: number): E {
  const { datasetId, weight } = entry;
  if (typeof datasetId !== 'string' || !DATASET_ID_RE.test(datasetId))
    throw new RoyaltyError('INVALID_DATASET_ID', `entries[${i}].datasetId`, 'must be 0x followed by 64 hex digits');
  if (typeof weight !== 'bigint' || weight <= 0n)
    throw new RoyaltyError(
      'ZERO_WEIGHT',
      `entries[${i}].weight`,
      'must be a positive bigint (zero-weight entries are refused)',
    );
  return entry;
}

/** Lowercased, sorted by datasetId; refuses empty runs, bad ids, zero weights, repeats. */
function canonicalRunEntries(input: readonly RunEntryWeight[]): RunEntryWeight[] {
  if (!isList(input) || input.length === 0)
    throw new RoyaltyError('EMPTY_RUN', 'entries', 'a run needs at least one dataset entry');
  // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
  const entries: RunEntryWeight[] = new Array<RunEntryWeight>(input.length);
  for (let i = 0; i < input.length; i++) {
    const { datasetId, weight } = checkedEntry(input[i], i);
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
function canonicalNode(id: string, node: DatasetNode | undefined): CanonicalNode {
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
