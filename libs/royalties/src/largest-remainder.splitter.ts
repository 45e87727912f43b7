/**
 * Largest-remainder (Hamilton) apportionment of `total` units by integer weights:
 * each part gets floor(total·wᵢ/W); the units left over (fewer than the number of
 * parts) go one each to the largest remainders (total·wᵢ mod W), ties to the lower
 * index. Callers pass parts in canonical key order, so "lower index" means
 * "lexicographically smaller key". Σ parts == total exactly, always.
 */
export function splitLargestRemainder(total: bigint, weights: readonly bigint[], weightSum?: bigint): bigint[] {
  const split = new LargestRemainderSplit(total, weightSum ?? weights.reduce((s, w) => s + w, 0n));
  const parts = weights.map((w) => split.add(w));
  for (const i of split.close()) parts[i] = parts[i] + 1n;
  return parts;
}

/**
 * The same rule over parts that arrive one at a time (a run's entries read from a database), so the
 * parts themselves need not be kept: `add` each weight in order (it returns the floor), `close`, then
 * `part(index, weight)` gives the final part of the index-th weight. What it keeps per part is its
 * remainder (a double while `sum` ≤ 2^53, so 8 bytes) and, after `close`, one bit of a byte array.
 */
export class LargestRemainderSplit {
  private given = 0n;
  private count = 0;
  private readonly small: boolean;
  private readonly remainders: (number | bigint)[] = [];
  private bonus: Uint8Array | undefined;

  constructor(
    readonly total: bigint,
    readonly sum: bigint,
  ) {
    // Stryker disable next-line EqualityOperator: at sum = 2^53 both representations are exact.
    this.small = sum <= BigInt(Number.MAX_SAFE_INTEGER);
  }

  /** The floor of the next part; its remainder is kept for `close`. */
  add(weight: bigint): bigint {
    if (this.bonus) throw new Error('LargestRemainderSplit: add after close');
    const scaled = this.total * weight;
    const part = scaled / this.sum;
    const remainder = scaled - part * this.sum;
    // Remainders are < sum ≤ 2^53: exact as doubles, so kept and compared as numbers, not bigints.
    this.remainders.push(this.small ? Number(remainder) : remainder);
    this.given += part;
    this.count++;
    return part;
  }

  /** Indices of the parts that get one leftover unit each (the largest remainders, ties to the lower index). */
  close(): Iterable<number> {
    const leftover = Number(this.total - this.given);
    this.bonus = new Uint8Array(this.count);
    // Stryker disable next-line ConditionalExpression,BlockStatement: a shortcut; with 0 left over topRemainders picks nothing.
    if (leftover === 0) return [];
    const winners = topRemainders(this.remainders, leftover);
    this.remainders.length = 0;
    for (const i of winners) this.bonus[i] = 1;
    return winners;
  }

  /** The final part of the `index`-th weight (0-based, in the order added), after `close`. */
  part(index: number, weight: bigint): bigint {
    if (!this.bonus) throw new Error('LargestRemainderSplit: part before close');
    return (this.total * weight) / this.sum + BigInt(this.bonus[index]);
  }
}

/** Indices of the `count` largest remainders (all numbers or all bigints), ties to the lower index. */
function topRemainders(remainders: readonly (number | bigint)[], count: number): Iterable<number> {
  const n = remainders.length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: speed only; both paths pick the same indices (vectors cover both sizes).
  if (n <= 64) {
    // Tiny splits (owners, parents): repeated max scan, no allocation-heavy sort.
    const taken = new Uint8Array(n);
    const picked: number[] = [];
    for (let k = 0; k < count; k++) {
      let best = -1;
      // Stryker disable next-line EqualityOperator: `i <= n` reads remainders[n], undefined, which never compares greater.
      for (let i = 0; i < n; i++) if (!taken[i] && (best < 0 || remainders[i] > remainders[best])) best = i;
      taken[best] = 1;
      picked.push(best);
    }
    return picked;
  }
  const order = new Uint32Array(n);
  // Stryker disable next-line EqualityOperator: `i <= n` writes past a typed array's end, which is ignored.
  for (let i = 0; i < n; i++) order[i] = i;
  // Stryker disable next-line ConditionalExpression: speed only (exact either way); `true` is killed by the 2^60+1 vector, `false` is equivalent.
  if (typeof remainders[0] === 'number') {
    const r = remainders as readonly number[];
    order.sort((a, b) => r[b] - r[a] || a - b);
  } else {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the typed-array merge sort only asks whether a later index goes before an earlier one; these variants answer that the same.
    order.sort((a, b) => (remainders[a] > remainders[b] ? -1 : remainders[a] < remainders[b] ? 1 : a - b));
  }
  return order.subarray(0, count);
}

/**
 * The same split for small integer weights summing to `sum` (basis points: 10,000).
 * Remainders are < sum, so they are compared as numbers; no intermediate arrays of bigints.
 */
export function splitBps(total: bigint, bps: readonly number[], sum = 10_000): bigint[] {
  const n = bps.length;
  // Stryker disable next-line ConditionalExpression,BlockStatement,EqualityOperator: a shortcut for a sole part; the general loop gives a sole part the whole total too.
  if (n === 1 && bps[0] === sum) return [total];
  const bigSum = BigInt(sum);
  // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
  const parts: bigint[] = new Array<bigint>(n);
  // Stryker disable next-line ArrayDeclaration: pre-sizing only; every slot is written below.
  const remainders: number[] = new Array<number>(n);
  let given = 0n;
  for (let i = 0; i < n; i++) {
    const scaled = total * BigInt(bps[i]);
    const part = scaled / bigSum;
    parts[i] = part;
    remainders[i] = Number(scaled - part * bigSum);
    given += part;
  }
  let leftover = Number(total - given);
  while (leftover-- > 0) {
    let best = 0;
    // Stryker disable next-line EqualityOperator: `i <= n` reads remainders[n], undefined, which never compares greater.
    for (let i = 1; i < n; i++) if (remainders[i] > remainders[best]) best = i;
    parts[best] = parts[best] + 1n;
    // Stryker disable next-line UnaryOperator: +1 also keeps a picked part from winning again: the unpicked remainders still sum to ≥ sum, so one exceeds 1 (short of 10,000 parts of 1 bp).
    remainders[best] = -1; // each part gets at most one extra unit
  }
  return parts;
}
