import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  RoyaltyError,
  splitLargestRemainder,
  type AllocationInput,
  type DatasetNode,
} from '@upstream/royalties';

import { addr, dagInputOf, id } from '../../support/royalty-arbitraries';

const dagInput = dagInputOf(12);

const total = (a: ReturnType<typeof allocate>) => a.fee + a.shares.reduce((s, x) => s + x.amount, 0n);

describe('allocate', () => {
  it('accounts for every unit: fee + Σ shares == amount, for random DAGs, weights and amounts', () => {
    fc.assert(
      fc.property(dagInput, (input) => {
        const result = allocate(input);
        expect(total(result)).toBe(input.amount);
        expect(result.fee).toBe((input.amount * BigInt(input.feeBps)) / 10_000n);
        expect(result.byAccount.reduce((s, x) => s + x.amount, 0n)).toBe(result.net);
        expect(result.shares.every((s) => s.amount > 0n)).toBe(true);
        for (const flow of result.datasets)
          expect(flow.fromRun + flow.fromChildren).toBe(flow.toParents + flow.toOwners);
      }),
      // Fewer under mutation (once per mutant): the known-answer vectors pin the exact values.
      { numRuns: process.env.UPSTREAM_MUTATION_RUN ? 100 : 300 },
    );
  });

  it('gives identical output whatever the order of entries, owners, parents and graph keys', () => {
    fc.assert(
      fc.property(dagInput, fc.integer(), (input, seed) => {
        const rng = mulberry(seed);
        const shuffle = <T>(xs: readonly T[]) =>
          [...xs]
            .map((x) => [rng(), x] as const)
            .sort((a, b) => a[0] - b[0])
            .map(([, x]) => x);
        const graph = input.datasets as Record<string, DatasetNode>;
        const shuffled: AllocationInput = {
          ...input,
          entries: shuffle(input.entries).map((e) => ({
            ...e,
            datasetId: e.datasetId.toUpperCase().replace('0X', '0x'),
          })),
          datasets: new Map(
            shuffle(Object.entries(graph)).map(([k, n]) => [
              k,
              { owners: shuffle(n.owners), parents: shuffle(n.parents) },
            ]),
          ),
        };
        expect(allocate(shuffled)).toEqual(allocate(input));
      }),
      { numRuns: 150 },
    );
  });

  it('passes upstream shares to parents recursively and the rest to owners', () => {
    const datasets = {
      [id(1)]: {
        owners: [{ account: addr(1), shareBps: 10_000 }],
        parents: [{ datasetId: id(2), upstreamBps: 1_000 }],
      },
      [id(2)]: {
        owners: [
          { account: addr(2), shareBps: 5_000 },
          { account: addr(3), shareBps: 5_000 },
        ],
        parents: [{ datasetId: id(3), upstreamBps: 5_000 }],
      },
      [id(3)]: { owners: [{ account: addr(4), shareBps: 10_000 }], parents: [] },
    };
    const result = allocate({ amount: 1_000_000n, feeBps: 500, entries: [{ datasetId: id(1), weight: 1n }], datasets });
    expect(result.fee).toBe(50_000n);
    // 950,000 → d1 owner 855,000; d2 gets 95,000 → d3 47,500, owners 23,750 each.
    expect(result.byAccount).toEqual([
      { account: addr(1), amount: 855_000n },
      { account: addr(2), amount: 23_750n },
      { account: addr(3), amount: 23_750n },
      { account: addr(4), amount: 47_500n },
    ]);
  });

  it('breaks remainder ties toward the lexicographically smaller key', () => {
    expect(splitLargestRemainder(1n, [1n, 1n, 1n])).toEqual([1n, 0n, 0n]);
    expect(splitLargestRemainder(5n, [1n, 1n, 1n])).toEqual([2n, 2n, 1n]);
    expect(splitLargestRemainder(10n, [1n, 2n, 4n])).toEqual([1n, 3n, 6n]); // remainders 3,6,5: the two spare units go to the 6 and the 5
    const owners = [
      { account: addr(9), shareBps: 5_000 },
      { account: addr(8), shareBps: 5_000 },
    ];
    const result = allocate({
      amount: 1n,
      feeBps: 0,
      entries: [{ datasetId: id(1), weight: 7n }],
      datasets: { [id(1)]: { owners, parents: [] } },
    });
    expect(result.shares).toEqual([{ account: addr(8), amount: 1n, datasetId: id(1) }]);
  });

  it.each<[string, Partial<AllocationInput>, string]>([
    ['a zero weight', { entries: [{ datasetId: id(1), weight: 0n }] }, 'ZERO_WEIGHT'],
    ['an empty run', { entries: [] }, 'EMPTY_RUN'],
    [
      'a repeated entry',
      {
        entries: [
          { datasetId: id(1), weight: 1n },
          { datasetId: id(1).toUpperCase().replace('0X', '0x'), weight: 1n },
        ],
      },
      'DUPLICATE_ENTRY',
    ],
    ['an unknown dataset', { entries: [{ datasetId: id(7), weight: 1n }] }, 'UNKNOWN_DATASET'],
    [
      'owners not summing to 10000',
      { datasets: { [id(1)]: { owners: [{ account: addr(1), shareBps: 9_999 }], parents: [] } } },
      'INVALID_OWNERS',
    ],
    [
      'a repeated owner',
      {
        datasets: {
          [id(1)]: {
            owners: [
              { account: addr(1), shareBps: 5_000 },
              { account: addr(1), shareBps: 5_000 },
            ],
            parents: [],
          },
        },
      },
      'INVALID_OWNERS',
    ],
    [
      'upstream over 10000',
      {
        datasets: {
          [id(1)]: {
            owners: [{ account: addr(1), shareBps: 10_000 }],
            parents: [{ datasetId: id(2), upstreamBps: 10_001 }],
          },
        },
      },
      'INVALID_PARENTS',
    ],
    ['a negative amount', { amount: -1n }, 'INVALID_AMOUNT'],
    ['a fee over 100%', { feeBps: 10_001 }, 'INVALID_FEE'],
  ])('refuses %s', (_why, over, code) => {
    const base: AllocationInput = {
      amount: 100n,
      feeBps: 100,
      entries: [{ datasetId: id(1), weight: 1n }],
      datasets: { [id(1)]: { owners: [{ account: addr(1), shareBps: 10_000 }], parents: [] } },
    };
    expect(() => allocate({ ...base, ...over })).toThrow(expect.objectContaining({ code }));
  });

  it('refuses a lineage cycle with a typed error', () => {
    const owners = [{ account: addr(1), shareBps: 10_000 }];
    const datasets = {
      [id(1)]: { owners, parents: [{ datasetId: id(2), upstreamBps: 100 }] },
      [id(2)]: { owners, parents: [{ datasetId: id(3), upstreamBps: 100 }] },
      [id(3)]: { owners, parents: [{ datasetId: id(2), upstreamBps: 100 }] },
    };
    expect(() => allocate({ amount: 10n, feeBps: 0, entries: [{ datasetId: id(1), weight: 1n }], datasets })).toThrow(
      RoyaltyError,
    );
    expect(() => allocate({ amount: 10n, feeBps: 0, entries: [{ datasetId: id(1), weight: 1n }], datasets })).toThrow(
      expect.objectContaining({ code: 'LINEAGE_CYCLE' }),
    );
    const selfLoop = { [id(1)]: { owners, parents: [{ datasetId: id(1), upstreamBps: 100 }] } };
    expect(() =>
      allocate({ amount: 10n, feeBps: 0, entries: [{ datasetId: id(1), weight: 1n }], datasets: selfLoop }),
    ).toThrow(expect.objectContaining({ code: 'LINEAGE_CYCLE' }));
  });

  it('allocates a 100,000-entry run exactly as the rules say, checked dataset by dataset', () => {
    // Mutation runs (vitest.mutation.config.mts) repeat this per mutant: the same checks on 2,000 entries.
    const n = process.env.UPSTREAM_MUTATION_RUN ? 2_000 : 100_000;
    const datasets = new Map<string, DatasetNode>();
    const entries = [];
    for (let i = 1; i <= n; i++) {
      datasets.set(id(i), {
        owners: [
          { account: addr(i), shareBps: 6_000 },
          { account: addr(i + 1), shareBps: 4_000 },
        ],
        parents: i % 10 === 0 ? [{ datasetId: id(i - 1), upstreamBps: 2_500 }] : [],
      });
      // Given in reverse: the split must not depend on input order.
      entries.unshift({ datasetId: id(i), weight: BigInt(1 + (i % 977)) });
    }
    const amount = 10n ** 24n + 12_345n;
    const result = allocate({ amount, feeBps: 250, entries, datasets });
    expect(result.fee).toBe((amount * 250n) / 10_000n);

    // Independently: the run split (Hamilton over weights in id order), then each dataset's
    // [parent 2500, owners 7500] and [6000, 4000] splits, with ties to the parent / the smaller account.
    const weights = Array.from({ length: n }, (_, k) => BigInt(1 + ((k + 1) % 977)));
    const sum = weights.reduce((s, w) => s + w, 0n);
    const fromRun = weights.map((w) => (result.net * w) / sum);
    const spare = Number(result.net - fromRun.reduce((s, x) => s + x, 0n));
    weights
      .map((w, k) => ({ k, r: (result.net * w) % sum }))
      .sort((a, b) => (a.r > b.r ? -1 : a.r < b.r ? 1 : a.k - b.k))
      .slice(0, spare)
      .forEach(({ k }) => fromRun[k]++);
    const two = (t: bigint, a: bigint, b: bigint): [bigint, bigint] => {
      const x = (t * a) / 10_000n;
      const y = (t * b) / 10_000n;
      if (x + y === t) return [x, y];
      return (t * a) % 10_000n >= (t * b) % 10_000n ? [x + 1n, y] : [x, y + 1n];
    };
    const fromChildren = new Array<bigint>(n).fill(0n);
    const toParents = new Array<bigint>(n).fill(0n);
    for (let k = n - 1; k >= 0; k--) {
      if ((k + 1) % 10 !== 0) continue;
      const [up] = two(fromRun[k], 2_500n, 7_500n);
      toParents[k] = up;
      fromChildren[k - 1] += up;
    }
    const flows = [];
    const owed = new Map<string, bigint>();
    for (let k = 0; k < n; k++) {
      const toOwners = fromRun[k] + fromChildren[k] - toParents[k];
      flows.push({
        datasetId: id(k + 1),
        fromRun: fromRun[k],
        fromChildren: fromChildren[k],
        toParents: toParents[k],
        toOwners,
      });
      const [a, b] = two(toOwners, 6_000n, 4_000n);
      owed.set(addr(k + 1), (owed.get(addr(k + 1)) ?? 0n) + a);
      owed.set(addr(k + 2), (owed.get(addr(k + 2)) ?? 0n) + b);
    }
    // One comparison for the whole list: 100,000 expect() calls would cost more than the allocation.
    expect(result.datasets).toStrictEqual(flows);
    expect(result.byAccount).toEqual([...owed].map(([account, amount]) => ({ account, amount })));
  });
});

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
