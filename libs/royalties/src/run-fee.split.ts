import { splitLargestRemainder } from './largest-remainder.splitter';
import {
  allocate,
  runEntryNodes,
  runPasses,
  RunAllocator,
  type AccountTotal,
  type DatasetGraph,
  type Passes,
  type RunEntryNode,
  type RunEntryWeight,
  type Share,
} from './royalty.allocator';
import { RoyaltyError } from './royalty.errors';
import { byDatasetThenAccount, byKeys } from './sort-key.comparator';

/** The part of one payment that pays a paid-per-run dataset's per-run fee (gross, before the protocol fee). */
export interface RunFeePart {
  datasetId: string;
  amount: bigint;
}

export interface PaymentSplit {
  /** Each covered fee with its share of the net, in the order given. */
  runFees: { datasetId: string; amount: bigint; net: bigint }[];
  /** What is left for royalties: gross and net. */
  royalty: { amount: bigint; net: bigint };
}

/**
 * Splits a payment's `net` (what the contract kept after its protocol fee) between the per-run fees the
 * payment covers and the royalty, in proportion to their gross amounts (largest remainder, ties to the
 * earlier fee), so the protocol fee weighs on every part alike and Σ nets == net exactly.
 */
export function splitPaymentNet(amount: bigint, net: bigint, runFees: readonly RunFeePart[]): PaymentSplit {
  const covered = runFees.reduce((sum, f) => sum + f.amount, 0n);
  if (runFees.some((f) => f.amount <= 0n))
    throw new RoyaltyError('INVALID_AMOUNT', 'runFees', 'every covered fee must be positive');
  if (covered > amount || net > amount || net < 0n)
    throw new RoyaltyError(
      'INVALID_AMOUNT',
      'runFees',
      `covered fees ${covered} and net ${net} exceed amount ${amount}`,
    );
  if (runFees.length === 0) return { runFees: [], royalty: { amount, net } };
  const nets = splitLargestRemainder(net, [...runFees.map((f) => f.amount), amount - covered], amount);
  return {
    runFees: runFees.map((f, i) => ({ datasetId: f.datasetId, amount: f.amount, net: nets[i] })),
    royalty: { amount: amount - covered, net: nets[runFees.length] },
  };
}

export interface PaymentAllocationInput {
  /** The payment as the contract reported it. */
  amount: bigint;
  net: bigint;
  /** The run's entries (a license payment: its dataset, weight 1). */
  entries: readonly RunEntryWeight[];
  /** The per-run fees this payment covers (gross); none for most payments. */
  runFees?: readonly RunFeePart[];
  datasets: DatasetGraph;
}

/**
 * One payment's shares: each covered per-run fee is allocated as a one-entry run of its dataset (weight 1,
 * the same lineage and owner rules as a license fee), the rest of the net over the run's entries by weight.
 * Shares of the same (dataset, account) are summed. Σ shares == net exactly. The in-memory form of
 * `PaymentAllocator`.
 */
export function allocatePayment(input: PaymentAllocationInput): { shares: Share[]; byAccount: AccountTotal[] } {
  const allocator = new PaymentAllocator(input);
  const entries = allocator.readsEntries ? runEntryNodes(input.entries, input.datasets) : [];
  const shares = [...runPasses(allocator, entries)].flat();
  const totals = new Map<string, bigint>();
  for (const s of shares) totals.set(s.account, (totals.get(s.account) ?? 0n) + s.amount);
  const byAccount = [...totals.keys()].sort().map((account) => ({ account, amount: totals.get(account)! }));
  return { shares, byAccount };
}

/**
 * `allocatePayment` in passes over the run's entries (see `RunAllocator`): `streamPasses(allocator, read)`
 * yields the payment's shares batch by batch in (datasetId, account) order, the per-run fees' shares merged
 * in; every share of a dataset comes in one batch. `datasets` holds the per-run fees' datasets and every ancestor of them and of the entries; the
 * entries bring their own datasets.
 */
export class PaymentAllocator implements Passes<Share[]> {
  /** False when the per-run fees take the whole payment: the entries are not read. */
  readonly readsEntries: boolean;
  private readonly royalty: RunAllocator | undefined;
  /** The per-run fees' shares, summed and sorted; merged into the royalty's as the stream passes them. */
  private readonly feeShares: Share[];
  private nextFee = 0;

  constructor(input: Omit<PaymentAllocationInput, 'entries'>) {
    const split = splitPaymentNet(input.amount, input.net, input.runFees ?? []);
    this.feeShares = split.runFees
      .map(
        (f) =>
          allocate({
            amount: f.net,
            feeBps: 0,
            entries: [{ datasetId: f.datasetId, weight: 1n }],
            datasets: input.datasets,
          }).shares,
      )
      .reduce(mergeShares, []);
    this.readsEntries = split.royalty.amount > 0n || split.runFees.length === 0;
    this.royalty = this.readsEntries
      ? new RunAllocator({ amount: split.royalty.net, feeBps: 0, ancestors: input.datasets })
      : undefined;
  }

  count(batch: readonly RunEntryNode[]): void {
    this.royalty?.count(batch);
  }

  endCount(): void {
    this.royalty?.endCount();
  }

  weigh(batch: readonly RunEntryNode[]): void {
    this.royalty?.weigh(batch);
  }

  endWeigh(): void {
    this.royalty?.endWeigh();
  }

  emit(batch: readonly RunEntryNode[]): Share[] {
    return this.withFees(this.royalty?.emit(batch).shares ?? [], false);
  }

  end(): Share[] {
    return this.withFees(this.royalty?.end().shares ?? [], true);
  }

  /**
   * The royalty's shares with the fee shares of datasets up to their last one (all that are left at the end),
   * so that a batch holds every share of each of its datasets (the dispute rule sums a dataset's shares).
   */
  private withFees(shares: Share[], last: boolean): Share[] {
    const upTo = shares.length > 0 ? shares[shares.length - 1].datasetId : undefined;
    const from = this.nextFee;
    while (
      this.nextFee < this.feeShares.length &&
      (last || (upTo !== undefined && this.feeShares[this.nextFee].datasetId <= upTo))
    )
      this.nextFee++;
    return mergeShares(this.feeShares.slice(from, this.nextFee), shares);
  }
}

/** Two lists of shares in (datasetId, account) order merged into one, summing the shares of the same pair. */
function mergeShares(a: readonly Share[], b: readonly Share[]): Share[] {
  const out: Share[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const c = i === a.length ? 1 : j === b.length ? -1 : byDatasetThenAccount(a[i], b[j]);
    if (c === 0) out.push({ ...a[i], amount: a[i++].amount + b[j++].amount });
    else out.push(c < 0 ? a[i++] : b[j++]);
  }
  return out;
}

/**
 * Which of a run's outstanding per-run fees (in the payment's token) a payment of `amount` pays: the fees in
 * datasetId order, each as far as the amount reaches. Payments of a run are applied in chain order, so
 * the first payments pay the fees and whatever is beyond them is royalty.
 */
export function coverRunFees(amount: bigint, outstanding: readonly RunFeePart[]): RunFeePart[] {
  const ordered = [...outstanding].filter((f) => f.amount > 0n).sort(byKeys((f) => f.datasetId));
  const covered: RunFeePart[] = [];
  let left = amount;
  for (const fee of ordered) {
    if (left <= 0n) break;
    // Stryker disable next-line EqualityOperator: when the fee equals what is left, both branches give the same amount.
    const part = fee.amount < left ? fee.amount : left;
    covered.push({ datasetId: fee.datasetId, amount: part });
    left -= part;
  }
  return covered;
}
