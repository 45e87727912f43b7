import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, RoyaltyError, type AllocationInput, type DatasetNode } from '@upstream/royalties';
import { allocationVectors } from '../../vectors/vectors';

const id = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const addr = (n: number) => '0x' + n.toString(16).padStart(40, '0');
const upper = (hex: string) => '0x' + hex.slice(2).toUpperCase();
const sole = (n: number) => [{ account: addr(n), shareBps: 10_000 }];

describe('allocate: known answers (test/vectors/allocation.vectors.json)', () => {
  it.each(allocationVectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(allocate(v.input)).toEqual(v.expected);
  });

  it('gives the same answers whatever the order and case of every input list, ties included', () => {
    fc.assert(
      fc.property(fc.constantFrom(...allocationVectors), fc.infiniteStream(fc.double({ min: 0, max: 1 })), (v, rng) => {
        const shuffle = <T>(xs: readonly T[]) =>
          [...xs]
            .map((x) => [rng.next().value as number, x] as const)
            .sort((a, b) => a[0] - b[0])
            .map(([, x]) => x);
        const flip = (hex: string) => (rng.next().value! < 0.5 ? upper(hex) : hex.toLowerCase());
        const graph = v.input.datasets as Record<string, DatasetNode>;
        const input: AllocationInput = {
          ...v.input,
          entries: shuffle(v.input.entries).map((e) => ({ ...e, datasetId: flip(e.datasetId) })),
          datasets: Object.fromEntries(
            shuffle(Object.entries(graph)).map(([k, n]) => [
              flip(k),
              {
                owners: shuffle(n.owners).map((o) => ({ ...o, account: flip(o.account) })),
                parents: shuffle(n.parents).map((p) => ({ ...p, datasetId: flip(p.datasetId) })),
              },
            ]),
          ),
        };
        expect(allocate(input)).toEqual(v.expected);
      }),
      { numRuns: 100 },
    );
  });
});

describe('allocate: the rules of docs/reference/allocation.md', () => {
  it('takes the fee as floor(amount · feeBps / 10000), at both ends of the range', () => {
    const datasets = { [id(1)]: { owners: sole(1), parents: [] } };
    const entries = [{ datasetId: id(1), weight: 1n }];
    expect(allocate({ amount: 19_999n, feeBps: 1, entries, datasets })).toMatchObject({ fee: 1n, net: 19_998n });
    expect(allocate({ amount: 9_999n, feeBps: 1, entries, datasets })).toMatchObject({ fee: 0n, net: 9_999n });
    expect(allocate({ amount: 5n, feeBps: 10_000, entries, datasets })).toMatchObject({ fee: 5n, net: 0n, shares: [] });
    expect(allocate({ amount: 0n, feeBps: 0, entries, datasets })).toMatchObject({
      fee: 0n,
      shares: [],
      byAccount: [],
    });
  });

  it('splits a run over more than 64 entries with ties to the smaller datasetId', () => {
    // 70 entries of weight 1, net 100: 1 r30 each; 30 spare units to the 30 smallest ids, given in reverse order.
    const datasets = Object.fromEntries(
      Array.from({ length: 70 }, (_, i) => [id(i + 1), { owners: sole(i + 1), parents: [] }]),
    );
    const entries = Array.from({ length: 70 }, (_, i) => ({ datasetId: id(70 - i), weight: 1n }));
    const result = allocate({ amount: 100n, feeBps: 0, entries, datasets });
    expect(result.datasets.map((d) => d.fromRun)).toEqual([
      ...Array<bigint>(30).fill(2n),
      ...Array<bigint>(40).fill(1n),
    ]);
    expect(result.datasets.map((d) => d.datasetId)).toEqual(Array.from({ length: 70 }, (_, i) => id(i + 1)));
  });

  it('sends everything to the parents when their upstream shares sum to exactly 10,000', () => {
    const datasets = {
      [id(1)]: {
        owners: sole(1),
        parents: [
          { datasetId: id(2), upstreamBps: 4_000 },
          { datasetId: id(3), upstreamBps: 6_000 },
        ],
      },
      [id(2)]: { owners: sole(2), parents: [] },
      [id(3)]: { owners: sole(3), parents: [] },
    };
    const result = allocate({ amount: 10n, feeBps: 0, entries: [{ datasetId: id(1), weight: 3n }], datasets });
    expect(result.byAccount).toEqual([
      { account: addr(2), amount: 4n },
      { account: addr(3), amount: 6n },
    ]);
    expect(result.datasets[0]).toEqual({
      datasetId: id(1),
      fromRun: 10n,
      fromChildren: 0n,
      toParents: 10n,
      toOwners: 0n,
    });
  });

  it('treats a parent with 0 bps as reached but paid nothing, and missing parents as none', () => {
    const datasets = {
      [id(1)]: { owners: sole(1), parents: [{ datasetId: id(2), upstreamBps: 0 }] },
      [id(2)]: { owners: sole(2) } as unknown as DatasetNode,
    };
    const result = allocate({ amount: 10n, feeBps: 0, entries: [{ datasetId: id(1), weight: 1n }], datasets });
    expect(result.shares).toEqual([{ account: addr(1), amount: 10n, datasetId: id(1) }]);
    expect(result.datasets[1]).toEqual({
      datasetId: id(2),
      fromRun: 0n,
      fromChildren: 0n,
      toParents: 0n,
      toOwners: 0n,
    });
  });

  it('sums an account over the datasets it owns, in byAccount sorted by account', () => {
    const datasets = {
      [id(1)]: { owners: sole(9), parents: [{ datasetId: id(2), upstreamBps: 5_000 }] },
      [id(2)]: {
        owners: [
          { account: addr(9), shareBps: 5_000 },
          { account: addr(3), shareBps: 5_000 },
        ],
        parents: [],
      },
    };
    const result = allocate({ amount: 8n, feeBps: 0, entries: [{ datasetId: id(1), weight: 1n }], datasets });
    expect(result.shares).toEqual([
      { account: addr(9), amount: 4n, datasetId: id(1) },
      { account: addr(3), amount: 2n, datasetId: id(2) },
      { account: addr(9), amount: 2n, datasetId: id(2) },
    ]);
    expect(result.byAccount).toEqual([
      { account: addr(3), amount: 2n },
      { account: addr(9), amount: 6n },
    ]);
  });

  it('lists datasets by datasetId even when an ancestor sorts before the run entries that reach it', () => {
    const datasets = {
      [id(9)]: { owners: sole(9), parents: [{ datasetId: id(5), upstreamBps: 5_000 }] },
      [id(5)]: { owners: sole(5), parents: [{ datasetId: id(1), upstreamBps: 5_000 }] },
      [id(1)]: { owners: sole(1), parents: [] },
    };
    const result = allocate({ amount: 8n, feeBps: 0, entries: [{ datasetId: id(9), weight: 1n }], datasets });
    expect(result.datasets.map((d) => [d.datasetId, d.toOwners])).toEqual([
      [id(1), 2n],
      [id(5), 2n],
      [id(9), 4n],
    ]);
    expect(result.shares.map((s) => s.datasetId)).toEqual([id(1), id(5), id(9)]);
  });

  it('accepts a Map or a record as the graph, with keys in any case', () => {
    const input = allocationVectors[0].input;
    const graph = input.datasets as Record<string, DatasetNode>;
    const asMap = new Map(Object.entries(graph).map(([k, n]) => [upper(k), n]));
    expect(allocate({ ...input, datasets: asMap })).toEqual(allocationVectors[0].expected);
  });
});

describe('allocate: every refusal names its code and field', () => {
  const base = (): AllocationInput => ({
    amount: 100n,
    feeBps: 100,
    entries: [{ datasetId: id(1), weight: 1n }],
    datasets: { [id(1)]: { owners: sole(1), parents: [] } },
  });
  const withNode = (node: Partial<DatasetNode>, extra: Record<string, DatasetNode> = {}): Partial<AllocationInput> => ({
    datasets: { [id(1)]: { owners: sole(1), parents: [], ...node }, ...extra },
  });
  const d1 = `datasets[${id(1)}]`;

  it.each<[string, Partial<AllocationInput>, string, string]>([
    ['a negative amount', { amount: -1n }, 'INVALID_AMOUNT', 'amount'],
    ['an amount that is a number', { amount: 5 as unknown as bigint }, 'INVALID_AMOUNT', 'amount'],
    ['a negative fee', { feeBps: -1 }, 'INVALID_FEE', 'feeBps'],
    ['a fee over 10000', { feeBps: 10_001 }, 'INVALID_FEE', 'feeBps'],
    ['a fractional fee', { feeBps: 1.5 }, 'INVALID_FEE', 'feeBps'],
    ['no entries', { entries: [] }, 'EMPTY_RUN', 'entries'],
    ['entries that are not a list', { entries: {} as never }, 'EMPTY_RUN', 'entries'],
    [
      'a short datasetId',
      { entries: [{ datasetId: id(1).slice(0, 65), weight: 1n }] },
      'INVALID_DATASET_ID',
      'entries[0].datasetId',
    ],
    [
      'a long datasetId',
      { entries: [{ datasetId: id(1) + '0', weight: 1n }] },
      'INVALID_DATASET_ID',
      'entries[0].datasetId',
    ],
    [
      'a datasetId with junk before it',
      { entries: [{ datasetId: ' ' + id(1), weight: 1n }] },
      'INVALID_DATASET_ID',
      'entries[0].datasetId',
    ],
    [
      'a datasetId without 0x',
      { entries: [{ datasetId: '00' + id(1).slice(2), weight: 1n }] },
      'INVALID_DATASET_ID',
      'entries[0].datasetId',
    ],
    [
      'a non-string datasetId',
      { entries: [{ datasetId: 1 as never, weight: 1n }] },
      'INVALID_DATASET_ID',
      'entries[0].datasetId',
    ],
    [
      'a zero weight',
      {
        entries: [
          { datasetId: id(1), weight: 1n },
          { datasetId: id(2), weight: 0n },
        ],
      },
      'ZERO_WEIGHT',
      'entries[1].weight',
    ],
    ['a negative weight', { entries: [{ datasetId: id(1), weight: -1n }] }, 'ZERO_WEIGHT', 'entries[0].weight'],
    [
      'a weight that is a number',
      { entries: [{ datasetId: id(1), weight: 1 as never }] },
      'ZERO_WEIGHT',
      'entries[0].weight',
    ],
    [
      'a repeated entry (case aside)',
      {
        entries: [
          { datasetId: id(1), weight: 1n },
          { datasetId: upper(id(1)), weight: 2n },
        ],
      },
      'DUPLICATE_ENTRY',
      'entries',
    ],
    ['an unknown dataset', { entries: [{ datasetId: id(7), weight: 1n }] }, 'UNKNOWN_DATASET', `datasets[${id(7)}]`],
    [
      'graph keys equal but for case',
      {
        datasets: { [upper(id(0xab))]: { owners: sole(1), parents: [] }, [id(0xab)]: { owners: sole(1), parents: [] } },
      },
      'INVALID_DATASET_ID',
      `datasets[${id(0xab)}]`,
    ],
    ['no owners', withNode({ owners: [] }), 'INVALID_OWNERS', `${d1}.owners`],
    ['owners that are not a list', withNode({ owners: {} as never }), 'INVALID_OWNERS', `${d1}.owners`],
    [
      'an owner address of 41 hex digits',
      withNode({ owners: [{ account: addr(1) + '0', shareBps: 10_000 }] }),
      'INVALID_ADDRESS',
      `${d1}.owners[0].account`,
    ],
    [
      'an owner address with junk after it',
      withNode({ owners: [{ account: addr(1) + ' ', shareBps: 10_000 }] }),
      'INVALID_ADDRESS',
      `${d1}.owners[0].account`,
    ],
    [
      'an owner address with junk before it',
      withNode({ owners: [{ account: ' ' + addr(1), shareBps: 10_000 }] }),
      'INVALID_ADDRESS',
      `${d1}.owners[0].account`,
    ],
    [
      'an owner address that is not a string',
      withNode({ owners: [{ account: 1 as never, shareBps: 10_000 }] }),
      'INVALID_ADDRESS',
      `${d1}.owners[0].account`,
    ],
    [
      'an owner share of 0',
      withNode({
        owners: [
          { account: addr(1), shareBps: 10_000 },
          { account: addr(2), shareBps: 0 },
        ],
      }),
      'INVALID_OWNERS',
      `${d1}.owners[1].shareBps`,
    ],
    [
      'an owner share over 10000',
      withNode({ owners: [{ account: addr(1), shareBps: 10_001 }] }),
      'INVALID_OWNERS',
      `${d1}.owners[0].shareBps`,
    ],
    [
      'a fractional owner share',
      withNode({
        owners: [
          { account: addr(1), shareBps: 9_999.5 },
          { account: addr(2), shareBps: 0.5 },
        ],
      }),
      'INVALID_OWNERS',
      `${d1}.owners[0].shareBps`,
    ],
    [
      'owners summing to 9999',
      withNode({
        owners: [
          { account: addr(1), shareBps: 4_999 },
          { account: addr(2), shareBps: 5_000 },
        ],
      }),
      'INVALID_OWNERS',
      `${d1}.owners`,
    ],
    [
      'owners summing to 10001',
      withNode({
        owners: [
          { account: addr(1), shareBps: 5_001 },
          { account: addr(2), shareBps: 5_000 },
        ],
      }),
      'INVALID_OWNERS',
      `${d1}.owners`,
    ],
    [
      'a repeated owner (case aside)',
      withNode({
        owners: [
          { account: '0x' + 'ab'.repeat(20), shareBps: 5_000 },
          { account: upper('0x' + 'ab'.repeat(20)), shareBps: 5_000 },
        ],
      }),
      'INVALID_OWNERS',
      `${d1}.owners`,
    ],
    ['parents that are not a list', withNode({ parents: {} as never }), 'INVALID_PARENTS', `${d1}.parents`],
    [
      'a bad parent id',
      withNode({ parents: [{ datasetId: id(2).slice(0, 10), upstreamBps: 1 }] }),
      'INVALID_DATASET_ID',
      `${d1}.parents[0].datasetId`,
    ],
    [
      'a parent id that is not a string',
      withNode({ parents: [{ datasetId: 2 as never, upstreamBps: 1 }] }),
      'INVALID_DATASET_ID',
      `${d1}.parents[0].datasetId`,
    ],
    [
      'a negative upstream share',
      withNode({ parents: [{ datasetId: id(2), upstreamBps: -1 }] }),
      'INVALID_PARENTS',
      `${d1}.parents[0].upstreamBps`,
    ],
    [
      'an upstream share over 10000',
      withNode({ parents: [{ datasetId: id(2), upstreamBps: 10_001 }] }),
      'INVALID_PARENTS',
      `${d1}.parents[0].upstreamBps`,
    ],
    [
      'a fractional upstream share',
      withNode({ parents: [{ datasetId: id(2), upstreamBps: 0.5 }] }),
      'INVALID_PARENTS',
      `${d1}.parents[0].upstreamBps`,
    ],
    [
      'parents summing to 10001',
      withNode({
        parents: [
          { datasetId: id(2), upstreamBps: 6_000 },
          { datasetId: id(3), upstreamBps: 4_001 },
        ],
      }),
      'INVALID_PARENTS',
      `${d1}.parents`,
    ],
    [
      'a repeated parent (case aside)',
      withNode({
        parents: [
          { datasetId: id(0xab), upstreamBps: 1 },
          { datasetId: upper(id(0xab)), upstreamBps: 1 },
        ],
      }),
      'INVALID_PARENTS',
      `${d1}.parents`,
    ],
    [
      'a repeated parent (same case)',
      withNode({
        parents: [
          { datasetId: id(2), upstreamBps: 1 },
          { datasetId: id(2), upstreamBps: 1 },
        ],
      }),
      'INVALID_PARENTS',
      `${d1}.parents`,
    ],
    [
      'itself as parent',
      withNode({ parents: [{ datasetId: id(1), upstreamBps: 1 }] }),
      'LINEAGE_CYCLE',
      `${d1}.parents`,
    ],
    [
      'itself as parent (other case)',
      withNode({
        parents: [
          { datasetId: id(0), upstreamBps: 1 },
          { datasetId: upper(id(1)), upstreamBps: 1 },
        ],
      }),
      'LINEAGE_CYCLE',
      `${d1}.parents`,
    ],
    [
      'a cycle, named at its smallest dataset',
      withNode(
        { parents: [{ datasetId: id(3), upstreamBps: 100 }] },
        {
          [id(2)]: { owners: sole(2), parents: [{ datasetId: id(3), upstreamBps: 100 }] },
          [id(3)]: { owners: sole(3), parents: [{ datasetId: id(2), upstreamBps: 100 }] },
        },
      ),
      'LINEAGE_CYCLE',
      `datasets[${id(2)}].parents`,
    ],
  ])('refuses %s', (_why, over, code, field) => {
    const run = () => allocate({ ...base(), ...over });
    expect(run).toThrow(RoyaltyError);
    expect(run).toThrow(expect.objectContaining({ code, field }));
    // The reason is what the API shows: it must say something, and the message carries all three.
    const error = (() => {
      try {
        run();
      } catch (e) {
        return e as RoyaltyError;
      }
    })()!;
    expect(error.reason).toMatch(/^(must|is|appears|a |dataset|upstreamBps|shareBps|0x)/);
    expect(error.message).toBe(`${code} ${field}: ${error.reason}`);
    expect(error.name).toBe('RoyaltyError');
  });

  it('accepts the boundaries: a sole owner at 10000, parents summing to exactly 10000, fee 0 and 10000', () => {
    const ok = (over: Partial<AllocationInput>) => expect(() => allocate({ ...base(), ...over })).not.toThrow();
    ok({ feeBps: 0 });
    ok({ feeBps: 10_000 });
    ok({ amount: 0n });
    ok(
      withNode({
        owners: [
          { account: addr(1), shareBps: 1 },
          { account: addr(2), shareBps: 9_999 },
        ],
      }),
    );
    ok(
      withNode({ parents: [{ datasetId: id(2), upstreamBps: 10_000 }] }, { [id(2)]: { owners: sole(2), parents: [] } }),
    );
  });

  it('says what was wrong in the message', () => {
    expect(() => allocate({ ...base(), feeBps: -1 })).toThrow('INVALID_FEE feeBps: must be an integer 0..10000');
    expect(() => allocate({ ...base(), ...withNode({ owners: [{ account: addr(1), shareBps: 9_000 }] }) })).toThrow(
      'shareBps must sum to 10000, got 9000',
    );
  });
});
