import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  byDatasetThenAccount,
  byKeys,
  disputeEscrow,
  type PublicDataset,
  type PublicPayment,
} from '@upstream/royalties';

type Row = { s: string; n: bigint; k: number };
const byAll = byKeys<Row>(
  (r) => r.s,
  (r) => r.n,
  (r) => r.k,
);
// Small alphabets and ranges, so that ties on the first keys are frequent and the later keys get to decide.
const row = fc.record({
  s: fc.constantFrom('', 'a', 'ab', 'b', 'B'),
  n: fc.bigInt({ min: -3n, max: 12n }),
  k: fc.integer({ min: -2, max: 2 }),
});

describe('byKeys (the tuple comparator of the canonical orders)', () => {
  it('answers -1, 0 or 1 by the first key that differs', () => {
    expect(byAll({ s: 'a', n: 9n, k: 2 }, { s: 'b', n: 0n, k: 0 })).toBe(-1);
    expect(byAll({ s: 'b', n: 0n, k: 0 }, { s: 'a', n: 9n, k: 2 })).toBe(1);
    expect(byAll({ s: 'a', n: 2n, k: 5 }, { s: 'a', n: 10n, k: 0 })).toBe(-1);
    expect(byAll({ s: 'a', n: 10n, k: 0 }, { s: 'a', n: 2n, k: 5 })).toBe(1);
    expect(byAll({ s: 'a', n: 2n, k: -1 }, { s: 'a', n: 2n, k: 0 })).toBe(-1);
    expect(byAll({ s: 'a', n: 2n, k: 0 }, { s: 'a', n: 2n, k: -1 })).toBe(1);
    expect(byAll({ s: 'a', n: 2n, k: 0 }, { s: 'a', n: 2n, k: 0 })).toBe(0);
  });

  it('compares strings by code unit (upper case before lower) and bigints and numbers by value, not as text', () => {
    const byText = byKeys<string>((s) => s);
    expect(['b', 'B', 'a', 'ab', ''].sort(byText)).toEqual(['', 'B', 'a', 'ab', 'b']);
    expect([10n, 9n, 100n, -1n].sort(byKeys((n) => n))).toEqual([-1n, 9n, 10n, 100n]);
    expect([10, 9, 100, -1].sort(byKeys((n) => n))).toEqual([-1, 9, 10, 100]);
  });

  it('with no keys, every pair ties', () => {
    expect(byKeys<Row>()({ s: 'a', n: 1n, k: 1 }, { s: 'b', n: 2n, k: 2 })).toBe(0);
  });

  it('is a total order: antisymmetric, 0 only on equal tuples, transitive', () => {
    fc.assert(
      fc.property(row, row, row, (a, b, c) => {
        expect(byAll(a, a)).toBe(0);
        expect(byAll(b, a) + byAll(a, b)).toBe(0); // antisymmetric (a sum, so 0 and -0 compare equal)
        expect(byAll(a, b) === 0).toBe(a.s === b.s && a.n === b.n && a.k === b.k);
        if (byAll(a, b) < 0 && byAll(b, c) < 0) expect(byAll(a, c)).toBe(-1);
      }),
    );
  });

  it('sorts as ordering by the last key, then stably by each earlier one (the same order, built another way)', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
        const sorted = [...rows].sort(byAll);
        let stable = [...rows];
        for (const key of [byKeys<Row>((r) => r.k), byKeys<Row>((r) => r.n), byKeys<Row>((r) => r.s)])
          stable = stable.sort(key);
        expect(sorted).toEqual(stable);
      }),
    );
  });

  it('byDatasetThenAccount: by dataset, then account', () => {
    const shares = [
      { datasetId: '0x02', account: '0x01' },
      { datasetId: '0x01', account: '0x02' },
      { datasetId: '0x01', account: '0x01' },
    ];
    expect(shares.sort(byDatasetThenAccount)).toEqual([
      { datasetId: '0x01', account: '0x01' },
      { datasetId: '0x01', account: '0x02' },
      { datasetId: '0x02', account: '0x01' },
    ]);
  });
});

describe('the escrow order uses the dispute id as a number', () => {
  it('lists dispute 9 before dispute 10 (by text, "10" would come first)', () => {
    const id = (n: number) => '0x' + n.toString(16).padStart(64, '0');
    const acct = (n: number) => '0x' + n.toString(16).padStart(40, '0');
    const token = acct(0xcc);
    const datasets: Record<string, PublicDataset> = {
      [id(1)]: { owners: [{ account: acct(1), shareBps: 10_000 }], parents: [] },
      [id(2)]: { owners: [{ account: acct(2), shareBps: 10_000 }], parents: [] },
    };
    const payment: PublicPayment = {
      txHash: id(0xaa),
      logIndex: 0,
      blockNumber: 5,
      runId: id(0x99),
      token,
      amount: '100',
      fee: '0',
      net: '100',
      source: 'run',
      entries: [
        { datasetId: id(1), weight: '1' },
        { datasetId: id(2), weight: '1' },
      ],
    };
    const opened = { blockNumber: 1, logIndex: 0 };
    const escrow = disputeEscrow([payment], datasets, [
      { disputeId: '10', datasetId: id(1), opened, resolution: null },
      { disputeId: '9', datasetId: id(2), opened, resolution: null },
    ]);
    expect(escrow.map((e) => [e.disputeId, e.account, e.amount])).toEqual([
      ['9', acct(2), 50n],
      ['10', acct(1), 50n],
    ]);
  });
});
