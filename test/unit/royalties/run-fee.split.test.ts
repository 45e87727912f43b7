import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, allocatePayment, coverRunFees, splitPaymentNet } from '@upstream/royalties';

const A = '0x' + 'aa'.repeat(32);
const B = '0x' + 'bb'.repeat(32);
const alice = '0x' + '11'.repeat(20);
const bob = '0x' + '22'.repeat(20);
const datasets = new Map([
  [A, { owners: [{ account: alice, shareBps: 10_000 }], parents: [] }],
  [B, { owners: [{ account: bob, shareBps: 10_000 }], parents: [{ datasetId: A, upstreamBps: 1_000 }] }],
]);

describe('per-run fees inside a run payment', () => {
  it('without fees, a payment is allocated exactly as before', () => {
    const entries = [
      { datasetId: A, weight: 3n },
      { datasetId: B, weight: 1n },
    ];
    const before = allocate({ amount: 9_750n, feeBps: 0, entries, datasets });
    const now = allocatePayment({ amount: 10_000n, net: 9_750n, entries, datasets });
    expect(now.shares).toEqual(before.shares);
    expect(now.byAccount).toEqual(before.byAccount);
  });

  it('allocates a covered fee to its dataset as one entry of weight 1 and the rest by weight', () => {
    // amount 10,000, net 10,000 (no protocol fee): fee 4,000 to B (lineage: 10% to A), 6,000 by weight 1:1.
    const result = allocatePayment({
      amount: 10_000n,
      net: 10_000n,
      entries: [
        { datasetId: A, weight: 1n },
        { datasetId: B, weight: 1n },
      ],
      runFees: [{ datasetId: B, amount: 4_000n }],
      datasets,
    });
    const fee = allocate({ amount: 4_000n, feeBps: 0, entries: [{ datasetId: B, weight: 1n }], datasets });
    const royalty = allocate({
      amount: 6_000n,
      feeBps: 0,
      entries: [
        { datasetId: A, weight: 1n },
        { datasetId: B, weight: 1n },
      ],
      datasets,
    });
    const total = (account: string, shares: { account: string; amount: bigint }[]) =>
      shares.filter((s) => s.account === account).reduce((sum, s) => sum + s.amount, 0n);
    expect(total(bob, result.shares)).toBe(total(bob, fee.shares) + total(bob, royalty.shares));
    expect(total(alice, result.shares)).toBe(total(alice, fee.shares) + total(alice, royalty.shares));
  });

  it('a payment of exactly the fees leaves nothing for royalties', () => {
    const split = splitPaymentNet(1_000n, 975n, [{ datasetId: B, amount: 1_000n }]);
    expect(split).toEqual({ runFees: [{ datasetId: B, amount: 1_000n, net: 975n }], royalty: { amount: 0n, net: 0n } });
  });

  it('refuses fees larger than the payment', () => {
    expect(() => splitPaymentNet(100n, 100n, [{ datasetId: A, amount: 101n }])).toThrow(/exceed/);
  });

  it('property: nets sum to net exactly and shares to net exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { maxLength: 2 }),
        (amount, feeBps, rawFees) => {
          const net = amount - (amount * BigInt(feeBps)) / 10_000n;
          const fees = rawFees
            .map((f, i) => ({ datasetId: i === 0 ? A : B, amount: f }))
            .filter((_, i, all) => all.slice(0, i + 1).reduce((s, f) => s + f.amount, 0n) <= amount);
          const split = splitPaymentNet(amount, net, fees);
          expect(split.runFees.reduce((s, f) => s + f.net, 0n) + split.royalty.net).toBe(net);
          const { shares } = allocatePayment({
            amount,
            net,
            entries: [{ datasetId: A, weight: 2n }],
            runFees: fees,
            datasets,
          });
          expect(shares.reduce((s, x) => s + x.amount, 0n)).toBe(net);
        },
      ),
    );
  });
});

describe('per-run fees: known answers and refusals', () => {
  const C = '0x' + 'cc'.repeat(32);

  it('splits the net in proportion to gross parts, the spare unit to the larger remainder, ties to the earlier fee', () => {
    // 10 gross, 7 net, fees 3 and 3: 2.1, 2.1, 2.8 → floors 2, 2, 2; remainders 1, 1, 8 (of 10): the unit to the royalty.
    expect(
      splitPaymentNet(10n, 7n, [
        { datasetId: B, amount: 3n },
        { datasetId: A, amount: 3n },
      ]),
    ).toEqual({
      runFees: [
        { datasetId: B, amount: 3n, net: 2n },
        { datasetId: A, amount: 3n, net: 2n },
      ],
      royalty: { amount: 4n, net: 3n },
    });
    // 4 gross, 3 net, fees 1 and 1: 0.75 each, royalty 1.5 → floors 0, 0, 1; remainders 3, 3, 2 (of 4): the earlier fee, then the next.
    expect(
      splitPaymentNet(4n, 3n, [
        { datasetId: B, amount: 1n },
        { datasetId: A, amount: 1n },
      ]),
    ).toEqual({
      runFees: [
        { datasetId: B, amount: 1n, net: 1n },
        { datasetId: A, amount: 1n, net: 1n },
      ],
      royalty: { amount: 2n, net: 1n },
    });
    expect(splitPaymentNet(5n, 5n, [])).toEqual({ runFees: [], royalty: { amount: 5n, net: 5n } });
  });

  it('refuses a zero or negative fee, a net above the amount, a negative net, and fees above the amount', () => {
    const refuses = (fn: () => unknown) =>
      expect(fn).toThrow(expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'runFees' }));
    refuses(() => splitPaymentNet(10n, 10n, [{ datasetId: A, amount: 0n }]));
    refuses(() =>
      splitPaymentNet(10n, 10n, [
        { datasetId: A, amount: 5n },
        { datasetId: B, amount: -1n },
      ]),
    );
    refuses(() => splitPaymentNet(10n, 11n, []));
    refuses(() => splitPaymentNet(10n, -1n, []));
    refuses(() =>
      splitPaymentNet(10n, 10n, [
        { datasetId: A, amount: 6n },
        { datasetId: B, amount: 5n },
      ]),
    );
    expect(() => splitPaymentNet(10n, 10n, [{ datasetId: A, amount: 10n }])).not.toThrow();
    expect(() => splitPaymentNet(10n, 0n, [])).not.toThrow();
  });

  it('sums shares of the same (dataset, account) across the fee and the royalty, sorted by dataset then account', () => {
    // 10 gross = net, fee 4 to B; royalty 6 over A and B (1:1) = 3, 3. B passes 10% up to A.
    // B: 4 + 3 = 7 → A 0.4 + 0.3 → (fee part) 4: A 0.4 → 0 r4000, owners 3.6 → 3 r6000 → owners 4; royalty 3: A 0.3, owners 2.7 → owners 3.
    const result = allocatePayment({
      amount: 10n,
      net: 10n,
      entries: [
        { datasetId: B, weight: 1n },
        { datasetId: A, weight: 1n },
      ],
      runFees: [{ datasetId: B, amount: 4n }],
      datasets,
    });
    expect(result.shares).toEqual([
      { datasetId: A, account: alice, amount: 3n },
      { datasetId: B, account: bob, amount: 7n },
    ]);
    expect(result.byAccount).toEqual([
      { account: alice, amount: 3n },
      { account: bob, amount: 7n },
    ]);
    // A payment of only fees allocates no royalty part (even with no entries).
    expect(
      allocatePayment({ amount: 4n, net: 4n, entries: [], runFees: [{ datasetId: A, amount: 4n }], datasets })
        .byAccount,
    ).toEqual([{ account: alice, amount: 4n }]);
  });

  it('covers outstanding fees in datasetId order, each as far as the payment reaches', () => {
    const outstanding = [
      { datasetId: C, amount: 5n },
      { datasetId: A, amount: 3n },
      { datasetId: B, amount: 0n },
    ];
    expect(coverRunFees(10n, outstanding)).toEqual([
      { datasetId: A, amount: 3n },
      { datasetId: C, amount: 5n },
    ]);
    expect(coverRunFees(4n, outstanding)).toEqual([
      { datasetId: A, amount: 3n },
      { datasetId: C, amount: 1n },
    ]);
    expect(coverRunFees(3n, outstanding)).toEqual([{ datasetId: A, amount: 3n }]);
    expect(coverRunFees(0n, outstanding)).toEqual([]);
    expect(coverRunFees(10n, [])).toEqual([]);
  });
});
