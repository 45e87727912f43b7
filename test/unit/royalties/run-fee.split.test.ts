import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, allocatePayment, splitPaymentNet } from '@upstream/royalties';

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
