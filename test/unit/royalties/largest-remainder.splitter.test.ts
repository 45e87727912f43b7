import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitBps, splitLargestRemainder } from '@upstream/royalties';
import { bpsVectors, splitVectors } from '../../vectors/vectors';

/** The Hamilton rule written the slow, obvious way: floors, then one unit each to the largest remainders, ties to the lower index. */
function hamilton(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((s, w) => s + w, 0n);
  const parts = weights.map((w) => (total * w) / sum);
  const order = weights
    .map((w, i) => ({ i, r: (total * w) % sum }))
    .sort((a, b) => (a.r > b.r ? -1 : a.r < b.r ? 1 : a.i - b.i));
  let left = total - parts.reduce((s, p) => s + p, 0n);
  for (const { i } of order) {
    if (left === 0n) break;
    parts[i]++;
    left--;
  }
  return parts;
}

describe('splitLargestRemainder (Hamilton, ties to the lower index)', () => {
  it.each(splitVectors.map((v) => [`${v.weights.length} parts: ${v.why}`, v] as const))('%s', (_name, v) => {
    expect(splitLargestRemainder(v.total, v.weights)).toEqual(v.parts);
    expect(
      splitLargestRemainder(
        v.total,
        v.weights,
        v.weights.reduce((s, w) => s + w, 0n),
      ),
    ).toEqual(v.parts);
  });

  // Sizes on both sides of 64 (max scan vs sort) and sums on both sides of 2^53 (number vs bigint compare).
  for (const [label, minLength, maxLength, maxWeight] of [
    ['≤ 64 parts', 1, 64, 12n],
    ['> 64 parts, small sums', 65, 140, 12n],
    ['> 64 parts, sums > 2^53', 65, 140, 1n << 70n],
  ] as const) {
    it(`gives each leftover unit to the largest remainders, ties to the lower index (${label})`, () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 1n << 80n }),
          fc.array(
            fc.oneof(fc.bigInt({ min: 1n, max: maxWeight }), fc.constant(maxWeight), fc.constant(maxWeight - 1n)),
            { minLength, maxLength },
          ),
          (total, weights) => {
            expect(splitLargestRemainder(total, weights)).toEqual(hamilton(total, weights));
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});

describe('splitBps', () => {
  it.each(bpsVectors.map((v) => [`[${v.bps.join(', ')}] of ${v.total}: ${v.why}`, v] as const))('%s', (_name, v) => {
    expect(splitBps(v.total, v.bps)).toEqual(v.parts);
  });

  it('agrees with splitLargestRemainder for basis points summing to 10,000', () => {
    const bps = fc
      .uniqueArray(fc.integer({ min: 1, max: 9999 }), { maxLength: 12 })
      .map((cuts) => [0, ...cuts.sort((a, b) => a - b), 10_000])
      .map((points) => points.slice(1).map((p, i) => p - points[i]));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 80n }), bps, (total, parts) => {
        expect(splitBps(total, parts)).toEqual(hamilton(total, parts.map(BigInt)));
      }),
      { numRuns: 300 },
    );
  });

  it('splits by another total of weights when asked', () => {
    // 7 by [1, 2] of 3: floors 2, 4, remainders 1, 2: the unit to index 1.
    expect(splitBps(7n, [1, 2], 3)).toEqual([2n, 5n]);
    expect(splitBps(7n, [3], 3)).toEqual([7n]);
  });
});
