// Random allocation inputs for the royalty property tests.
import fc from 'fast-check';
import type { AllocationInput, DatasetNode } from '@upstream/royalties';

export const id = (n: number) => '0x' + n.toString(16).padStart(64, '0');
export const addr = (n: number) => '0x' + n.toString(16).padStart(40, '0');

/** Splits 10,000 into `count` positive parts. */
const bpsParts = (count: number) =>
  fc.uniqueArray(fc.integer({ min: 1, max: 9999 }), { minLength: count - 1, maxLength: count - 1 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), 10_000];
    return points.slice(1).map((p, i) => p - points[i]);
  });

/** A random lineage DAG of up to `maxSize` datasets: dataset i may only derive from datasets with a larger index. */
export const dagInputOf = (maxSize: number): fc.Arbitrary<AllocationInput> =>
  fc.integer({ min: 1, max: maxSize }).chain((size) =>
    fc
      .record({
        amount: fc.oneof(
          fc.constant(0n),
          fc.constant(1n),
          fc.bigInt({ min: 0n, max: 10n ** 6n }),
          fc.bigInt({ min: 0n, max: 1n << 200n }),
          fc.constant(1n << 200n),
        ),
        feeBps: fc.oneof(fc.constant(0), fc.constant(10_000), fc.integer({ min: 0, max: 10_000 })),
        nodes: fc.tuple(
          ...Array.from({ length: size }, (_, i) =>
            fc.record({
              owners: fc
                .integer({ min: 1, max: 4 })
                .chain((k) =>
                  fc.tuple(bpsParts(k), fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: k, maxLength: k })),
                ),
              parents: fc
                .uniqueArray(fc.integer({ min: i + 1, max: size + 0 }), { maxLength: Math.min(3, size - i - 1) })
                .filter((ps) => ps.every((p) => p < size)),
              upstream: fc.array(fc.integer({ min: 0, max: 3333 }), { minLength: 3, maxLength: 3 }),
            }),
          ),
        ),
        used: fc.uniqueArray(fc.integer({ min: 0, max: size - 1 }), { minLength: 1, maxLength: size }),
        weights: fc.array(fc.oneof(fc.bigInt({ min: 1n, max: 10n }), fc.bigInt({ min: 1n, max: 1n << 80n })), {
          minLength: size,
          maxLength: size,
        }),
      })
      .map(({ amount, feeBps, nodes, used, weights }) => {
        const datasets: Record<string, DatasetNode> = {};
        nodes.forEach((n, i) => {
          datasets[id(i + 1)] = {
            owners: n.owners[0].map((shareBps, k) => ({ account: addr(n.owners[1][k]), shareBps })),
            parents: n.parents.map((p, k) => ({ datasetId: id(p + 1), upstreamBps: n.upstream[k] })),
          };
        });
        return { amount, feeBps, datasets, entries: used.map((u) => ({ datasetId: id(u + 1), weight: weights[u] })) };
      }),
  );
