import { describe, expect, it } from 'vitest';
import {
  allocate,
  allocatePayment,
  coverRunFees,
  cumulativeBalances,
  cumulativeLeaves,
  type DatasetNode,
  type PublicPayment,
} from '@upstream/royalties';

// Rules docs/reference/allocation.md states that the known-answer vectors do not reach on their own: inputs that only
// look like strings, parents listed out of order, and the canonical order of every output list when
// the pieces arrive out of order (sums over several parts and payments).
const id = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const addr = (n: number) => '0x' + n.toString(16).padStart(40, '0');
const sole = (n: number) => [{ account: addr(n), shareBps: 10_000 }];
const lookalike = (text: string) => ({ toString: () => text }) as unknown as string;

describe('allocate: inputs are what they say', () => {
  const graph = (node: Partial<DatasetNode>): Record<string, DatasetNode> => ({
    [id(1)]: { owners: sole(1), parents: [], ...node },
    [id(2)]: { owners: sole(2), parents: [] },
  });
  const run = (datasets: Record<string, DatasetNode>) => () =>
    allocate({ amount: 10n, feeBps: 0, entries: [{ datasetId: id(1), weight: 1n }], datasets });

  it('refuses ids and accounts that are objects spelling a valid one, not crashes on them', () => {
    expect(() =>
      allocate({ amount: 10n, feeBps: 0, entries: [{ datasetId: lookalike(id(1)), weight: 1n }], datasets: graph({}) }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_DATASET_ID', field: 'entries[0].datasetId' }));
    expect(run(graph({ owners: [{ account: lookalike(addr(1)), shareBps: 10_000 }] }))).toThrow(
      expect.objectContaining({ code: 'INVALID_ADDRESS', field: `datasets[${id(1)}].owners[0].account` }),
    );
    expect(run(graph({ parents: [{ datasetId: lookalike(id(2)), upstreamBps: 1 }] }))).toThrow(
      expect.objectContaining({ code: 'INVALID_DATASET_ID', field: `datasets[${id(1)}].parents[0].datasetId` }),
    );
  });

  it('refuses no owners, or owners that are not a list, as "at least one owner"', () => {
    for (const owners of [[], undefined, 'x'])
      expect(run(graph({ owners: owners as never }))).toThrow(
        expect.objectContaining({
          code: 'INVALID_OWNERS',
          field: `datasets[${id(1)}].owners`,
          reason: 'must list at least one owner',
        }),
      );
  });

  it('breaks a tie between parents listed out of order toward the smaller datasetId', () => {
    // D splits 1 unit as [P2 5000, P3 5000, owners 0]: remainders 5000, 5000, 0; the unit goes to the
    // smaller parent, P2, although D lists P3 first (lower case, so nothing else marks the list as unsorted).
    const datasets: Record<string, DatasetNode> = {
      [id(1)]: {
        owners: sole(1),
        parents: [
          { datasetId: id(3), upstreamBps: 5_000 },
          { datasetId: id(2), upstreamBps: 5_000 },
        ],
      },
      [id(2)]: { owners: sole(2), parents: [] },
      [id(3)]: { owners: sole(3), parents: [] },
    };
    const result = allocate({ amount: 1n, feeBps: 0, entries: [{ datasetId: id(1), weight: 1n }], datasets });
    expect(result.byAccount).toEqual([{ account: addr(2), amount: 1n }]);
  });
});

describe('allocatePayment: outputs in canonical order when parts arrive out of order', () => {
  // d1 (owners a3, a9 at 1 and 9999 bps) and d2 (owner a1). A per-run fee of d2 comes first, then
  // the royalty over d1: the shares arrive as (d2, a1), then d1's; d1's a3 gets nothing from a small
  // fee part and first appears in the royalty part, after a9.
  const datasets = new Map<string, DatasetNode>([
    [
      id(1),
      {
        owners: [
          { account: addr(3), shareBps: 1 },
          { account: addr(9), shareBps: 9_999 },
        ],
        parents: [],
      },
    ],
    [id(2), { owners: sole(1), parents: [] }],
  ]);

  it('sorts shares by datasetId, then account, and byAccount by account', () => {
    // 1) fee of d1 (5 gross) then royalty over d2: nets [5, 20000].  2) the other way round.
    const feeOnD1 = allocatePayment({
      amount: 20_005n,
      net: 20_005n,
      entries: [{ datasetId: id(2), weight: 1n }],
      runFees: [{ datasetId: id(1), amount: 5n }],
      datasets,
    });
    // d1's 5: a3 floor(5·1/10000) = 0, a9 4 r9995 + the unit → 5. d2's 20000 → a1.
    expect(feeOnD1.shares).toEqual([
      { datasetId: id(1), account: addr(9), amount: 5n },
      { datasetId: id(2), account: addr(1), amount: 20_000n },
    ]);
    const feeOnD2 = allocatePayment({
      amount: 20_005n,
      net: 20_005n,
      entries: [{ datasetId: id(1), weight: 1n }],
      runFees: [{ datasetId: id(2), amount: 5n }],
      datasets,
    });
    // d2's 5 → a1 (inserted first). d1's 20000: a3 2, a9 19998.
    expect(feeOnD2.shares).toEqual([
      { datasetId: id(1), account: addr(3), amount: 2n },
      { datasetId: id(1), account: addr(9), amount: 19_998n },
      { datasetId: id(2), account: addr(1), amount: 5n },
    ]);
    expect(feeOnD2.byAccount).toEqual([
      { account: addr(1), amount: 5n },
      { account: addr(3), amount: 2n },
      { account: addr(9), amount: 19_998n },
    ]);
    // The same dataset in the fee part and the royalty part: a9 first (fee part), a3 only later.
    const both = allocatePayment({
      amount: 20_005n,
      net: 20_005n,
      entries: [{ datasetId: id(1), weight: 1n }],
      runFees: [{ datasetId: id(1), amount: 5n }],
      datasets,
    });
    expect(both.shares).toEqual([
      { datasetId: id(1), account: addr(3), amount: 2n },
      { datasetId: id(1), account: addr(9), amount: 20_003n },
    ]);
  });

  it('still checks the entries of a payment of nothing', () => {
    expect(() => allocatePayment({ amount: 0n, net: 0n, entries: [], datasets })).toThrow(
      expect.objectContaining({ code: 'EMPTY_RUN', field: 'entries' }),
    );
    expect(allocatePayment({ amount: 0n, net: 0n, entries: [{ datasetId: id(2), weight: 1n }], datasets })).toEqual({
      shares: [],
      byAccount: [],
    });
  });

  it('covers outstanding fees in datasetId order, whatever order they are listed in', () => {
    expect(
      coverRunFees(7n, [
        { datasetId: id(3), amount: 4n },
        { datasetId: id(1), amount: 4n },
        { datasetId: id(2), amount: 0n },
      ]),
    ).toEqual([
      { datasetId: id(1), amount: 4n },
      { datasetId: id(3), amount: 3n },
    ]);
    // Listed in order already: the order must stay.
    expect(
      coverRunFees(7n, [
        { datasetId: id(1), amount: 4n },
        { datasetId: id(3), amount: 4n },
      ]),
    ).toEqual([
      { datasetId: id(1), amount: 4n },
      { datasetId: id(3), amount: 3n },
    ]);
  });
});

describe('cumulativeBalances: sorted by token, then account, whatever order payments come in', () => {
  const T = '0x' + 'cc'.repeat(20);
  const U = '0x' + '11'.repeat(20);
  const datasets = {
    [id(1)]: { owners: sole(1), parents: [] },
    [id(2)]: { owners: sole(2), parents: [] },
    [id(3)]: { owners: sole(3), parents: [] },
  };
  const pay = (n: number, token: string, dataset: number): PublicPayment => ({
    txHash: id(100 + n),
    logIndex: 0,
    blockNumber: n,
    runId: id(99),
    token,
    amount: '10',
    fee: '0',
    net: '10',
    source: 'run',
    entries: [{ datasetId: id(dataset), weight: '1' }],
  });

  it('puts a later, larger token after an earlier one with a larger account, and orders accounts within a token', () => {
    expect(cumulativeBalances([pay(1, U, 3), pay(2, U, 1), pay(3, T, 2)], datasets)).toEqual([
      { token: U, account: addr(1), cumulative: 10n },
      { token: U, account: addr(3), cumulative: 10n },
      { token: T, account: addr(2), cumulative: 10n },
    ]);
  });
});

describe('cumulativeLeaves: every refusal says why', () => {
  const splitter = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
  const row = { account: addr(1), token: addr(2), cumulative: 5n };
  const refused = (code: string, field: string, reason: string) =>
    expect.objectContaining({ name: 'RoyaltyError', code, field, reason });

  it('names the field and the reason', async () => {
    await expect(cumulativeLeaves(1, splitter, [])).rejects.toEqual(
      refused('EMPTY_RUN', 'balances', 'an epoch tree needs at least one balance'),
    );
    await expect(cumulativeLeaves(1, splitter + '0', [row])).rejects.toEqual(
      refused('INVALID_ADDRESS', 'splitter', 'must be 0x followed by 40 hex digits'),
    );
    const badChecksum = '0xE7f1725E7734CE288F8367e1Bb143E90bb3F0512';
    await expect(cumulativeLeaves(1, badChecksum, [row])).rejects.toEqual(
      refused('INVALID_ADDRESS', 'splitter', `address: ${badChecksum} has a bad EIP-55 checksum`),
    );
    await expect(cumulativeLeaves(1, splitter, [{ ...row, token: '0x12' }])).rejects.toEqual(
      refused('INVALID_ADDRESS', 'balances[0].token', 'address: 0x12 is not 0x + 40 hex digits'),
    );
    await expect(cumulativeLeaves(1, splitter, [{ ...row, token: undefined as never }])).rejects.toEqual(
      refused('INVALID_ADDRESS', 'balances[0].token', expect.stringMatching(/^TypeError: /) as never),
    );
    await expect(cumulativeLeaves(1, splitter, [{ ...row, cumulative: 5 as never }])).rejects.toEqual(
      refused('INVALID_AMOUNT', 'balances[0].cumulative', 'must be a bigint'),
    );
    await expect(cumulativeLeaves(1, splitter, [row, { ...row, cumulative: 6n }])).rejects.toEqual(
      refused('DUPLICATE_BALANCE', 'balances[1]', `(${addr(1)}, ${addr(2)}) appears twice; sum it first`),
    );
    const tree = await cumulativeLeaves(1, splitter, [row]);
    expect(() => tree.claim(addr(2), addr(2))).toThrow(
      refused('BALANCE_NOT_FOUND', 'account', `no ${addr(2)} balance for ${addr(2)} in this epoch`),
    );
  });
});
