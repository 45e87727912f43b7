import { splitLargestRemainder } from './largest-remainder.splitter';
import { allocate, type AccountTotal, type DatasetGraph, type RunEntryWeight, type Share } from './royalty.allocator';
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
 * Shares of the same (dataset, account) are summed. Σ shares == net exactly.
 */
export function allocatePayment(input: PaymentAllocationInput): { shares: Share[]; byAccount: AccountTotal[] } {
  const split = splitPaymentNet(input.amount, input.net, input.runFees ?? []);
  const parts = [
    ...split.runFees.map((f) => ({ net: f.net, entries: [{ datasetId: f.datasetId, weight: 1n }] })),
    ...(split.royalty.amount > 0n || split.runFees.length === 0
      ? [{ net: split.royalty.net, entries: input.entries }]
      : []),
  ];
  const sums = new Map<string, Share>();
  for (const part of parts) {
    for (const s of allocate({ amount: part.net, feeBps: 0, entries: part.entries, datasets: input.datasets }).shares) {
      const key = `${s.datasetId}:${s.account}`;
      const prior = sums.get(key);
      sums.set(key, prior ? { ...prior, amount: prior.amount + s.amount } : { ...s });
    }
  }
  const shares = [...sums.values()].sort(byDatasetThenAccount);
  const totals = new Map<string, bigint>();
  for (const s of shares) totals.set(s.account, (totals.get(s.account) ?? 0n) + s.amount);
  const byAccount = [...totals.keys()].sort().map((account) => ({ account, amount: totals.get(account)! }));
  return { shares, byAccount };
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
