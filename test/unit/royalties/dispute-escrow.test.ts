import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocatePayment,
  applyDisputes,
  cumulativeBalances,
  DisputeBook,
  disputeEscrow,
  rebuildEpoch,
  RoyaltyError,
  type CumulativeBalance,
  type EscrowBalance,
  type PublicDataset,
  type PublicDispute,
  type PublicPayment,
} from '@upstream/royalties';

const id = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const acct = (n: number) => '0x' + n.toString(16).padStart(2, '0').repeat(20);
const [a1, a2, a3, a4, a5] = [1, 2, 3, 4, 5].map(acct);
const [r1, r2] = [0xe1, 0xe2].map(acct);
const T = '0x' + 'cc'.repeat(20);
const [d1, d2, d3, d4] = [0xd1, 0xd2, 0xd3, 0xd4].map(id);

// d2 derives from d1 (20 % upstream); d3 from d1 (10 %) and d2 (30 %); d4 stands alone.
const datasets: Record<string, PublicDataset> = {
  [d1]: {
    owners: [
      { account: a1, shareBps: 7_000 },
      { account: a2, shareBps: 3_000 },
    ],
    parents: [],
  },
  [d2]: { owners: [{ account: a3, shareBps: 10_000 }], parents: [{ datasetId: d1, upstreamBps: 2_000 }] },
  [d3]: {
    owners: [{ account: a4, shareBps: 10_000 }],
    parents: [
      { datasetId: d1, upstreamBps: 1_000 },
      { datasetId: d2, upstreamBps: 3_000 },
    ],
  },
  [d4]: { owners: [{ account: a5, shareBps: 10_000 }], parents: [] },
};

const payment = (block: number, amount: bigint, fee: bigint, entries: [string, bigint][]): PublicPayment => ({
  txHash: '0x' + block.toString(16).padStart(64, '0'),
  logIndex: 1,
  blockNumber: block,
  runId: id(0x99),
  token: T,
  amount: amount.toString(),
  fee: fee.toString(),
  net: (amount - fee).toString(),
  source: 'run',
  entries: entries.map(([datasetId, weight]) => ({ datasetId, weight: weight.toString() })),
});

const dispute = (
  disputeId: number,
  datasetId: string,
  openedBlock: number,
  resolution: PublicDispute['resolution'] = null,
): PublicDispute => ({
  disputeId: String(disputeId),
  datasetId,
  opened: { blockNumber: openedBlock, logIndex: 0 },
  resolution,
});
const upheld = (block: number, rightfulOwners = [{ account: r1, shareBps: 10_000 }]): PublicDispute['resolution'] => ({
  outcome: 'upheld',
  at: { blockNumber: block, logIndex: 0 },
  rightfulOwners,
});
const rejected = (block: number): PublicDispute['resolution'] => ({
  outcome: 'rejected',
  at: { blockNumber: block, logIndex: 0 },
  rightfulOwners: [],
});

const balanceOf = (balances: CumulativeBalance[], account: string) =>
  balances.find((b) => b.account === account)?.cumulative ?? 0n;

describe('the dispute rule (known answers)', () => {
  // Block 1: 1000 on d1 before any dispute → a1 700, a2 300. Dispute opened at block 2 (log 0).
  // Block 3: 1000 on d1 → 700 / 300 held for dispute 1. Block 5: 1000 on d1 after the resolution.
  const payments = [1, 3, 5].map((b) => payment(b, 1_000n, 0n, [[d1, 1n]]));

  it('holds the owners’ shares of payments made while the dispute is open; earlier balances stay', () => {
    const disputes = [dispute(1, d1, 2)];
    expect(cumulativeBalances(payments, datasets, disputes)).toEqual([
      { token: T, account: a1, cumulative: 700n },
      { token: T, account: a2, cumulative: 300n },
    ]);
    expect(disputeEscrow(payments, datasets, disputes)).toEqual([
      { disputeId: '1', datasetId: d1, token: T, account: a1, amount: 1_400n },
      { disputeId: '1', datasetId: d1, token: T, account: a2, amount: 600n },
    ]);
  });

  it('upheld: every payment from the opening on goes to the rightful owners, split by their shares', () => {
    const rightful = [
      { account: r2, shareBps: 3_333 },
      { account: r1, shareBps: 6_667 },
    ];
    const disputes = [dispute(1, d1, 2, upheld(4, rightful))];
    // Each of the two payments: 1000 → r1 666.7 → 667, r2 333.3 → 333.
    expect(cumulativeBalances(payments, datasets, disputes)).toEqual([
      { token: T, account: a1, cumulative: 700n },
      { token: T, account: a2, cumulative: 300n },
      { token: T, account: r1, cumulative: 1_334n },
      { token: T, account: r2, cumulative: 666n },
    ]);
    expect(disputeEscrow(payments, datasets, disputes)).toEqual([]);
  });

  it('rejected: the owners are paid as if no dispute had been opened', () => {
    expect(cumulativeBalances(payments, datasets, [dispute(1, d1, 2, rejected(4))])).toEqual(
      cumulativeBalances(payments, datasets),
    );
  });

  it('a disputed derived dataset still passes its upstream share to its parents', () => {
    // 1000 on d2: 200 up to d1 (a1 140, a2 60), 800 to d2's owner a3, held.
    const only = [payment(3, 1_000n, 0n, [[d2, 1n]])];
    const disputes = [dispute(7, d2, 2)];
    expect(cumulativeBalances(only, datasets, disputes)).toEqual([
      { token: T, account: a1, cumulative: 140n },
      { token: T, account: a2, cumulative: 60n },
    ]);
    expect(disputeEscrow(only, datasets, disputes)).toEqual([
      { disputeId: '7', datasetId: d2, token: T, account: a3, amount: 800n },
    ]);
  });

  it('a payment in the opening block but before its log is not held', () => {
    const p = { ...payment(2, 1_000n, 0n, [[d1, 1n]]), logIndex: 0 };
    const later = { ...p, logIndex: 2 };
    const disputes = [{ ...dispute(1, d1, 2), opened: { blockNumber: 2, logIndex: 1 } }];
    expect(disputeEscrow([p], datasets, disputes)).toEqual([]);
    expect(disputeEscrow([later], datasets, disputes).map((e) => e.amount)).toEqual([700n, 300n]);
  });

  it('a rejected dispute’s bond goes to the disputed dataset’s owners alone, not up to its parents', () => {
    // 1000 bond, 25 fee, 975 net on d2 (parent d1 at 20 %): all of it to a3.
    const bond = { ...payment(9, 1_000n, 25n, [[d2, 1n]]), source: 'bond' as const };
    expect(cumulativeBalances([bond], datasets)).toEqual([{ token: T, account: a3, cumulative: 975n }]);
    const asLicense = { ...bond, source: 'license' as const };
    expect(balanceOf(cumulativeBalances([asLicense], datasets), a1)).toBe(137n);
  });

  it('rebuildEpoch reports the escrow and leaves it out of the root', async () => {
    const inputs = {
      epoch: 1,
      chainId: 31337,
      splitter: '0x' + '5a'.repeat(20),
      root: '',
      dataHash: '',
      payments,
      datasets,
    };
    const open = await rebuildEpoch({ ...inputs, disputes: [dispute(1, d1, 2)] });
    const none = await rebuildEpoch({ ...inputs, disputes: [dispute(1, d1, 6)] });
    expect(open.escrow.reduce((s, e) => s + e.amount, 0n)).toBe(2_000n);
    expect(open.root).not.toBe(none.root);
    expect(none.escrow).toEqual([]);
  });
});

describe('the dispute rule refuses malformed disputes, naming the field', () => {
  const cases: [string, PublicDispute[], string, string][] = [
    ['a non-decimal id', [{ ...dispute(1, d1, 2), disputeId: '0x1' }], 'INVALID_DISPUTE', 'disputes[0].disputeId'],
    ['a bad dataset id', [dispute(1, '0x12', 2)], 'INVALID_DATASET_ID', 'disputes[0].datasetId'],
    ['a negative block', [dispute(1, d1, -1)], 'INVALID_DISPUTE', 'disputes[0].opened'],
    [
      'a resolution before the opening',
      [dispute(1, d1, 5, rejected(5))],
      'INVALID_DISPUTE',
      'disputes[0].resolution.at',
    ],
    [
      'an upheld dispute naming nobody',
      [dispute(1, d1, 2, upheld(3, []))],
      'INVALID_OWNERS',
      'disputes[0].resolution.rightfulOwners',
    ],
    [
      'rightful shares not summing to 10000',
      [dispute(1, d1, 2, upheld(3, [{ account: r1, shareBps: 9_999 }]))],
      'INVALID_OWNERS',
      'disputes[0].resolution.rightfulOwners',
    ],
    [
      'a rightful owner twice',
      [
        dispute(
          1,
          d1,
          2,
          upheld(3, [
            { account: r1, shareBps: 5_000 },
            { account: r1.toUpperCase().replace('0X', '0x'), shareBps: 5_000 },
          ]),
        ),
      ],
      'INVALID_OWNERS',
      'disputes[0].resolution.rightfulOwners',
    ],
    [
      'a bad rightful address',
      [dispute(1, d1, 2, upheld(3, [{ account: '0x12', shareBps: 10_000 }]))],
      'INVALID_ADDRESS',
      'disputes[0].resolution.rightfulOwners[0].account',
    ],
    [
      'an unknown outcome',
      [dispute(1, d1, 2, { ...rejected(3)!, outcome: 'won' as 'upheld' })],
      'INVALID_DISPUTE',
      'disputes[0].resolution.outcome',
    ],
    ['the same id twice', [dispute(1, d1, 2), dispute(1, d2, 3)], 'INVALID_DISPUTE', 'disputes[1].disputeId'],
  ];
  it.each(cases)('%s', (_, disputes, code, field) => {
    try {
      new DisputeBook(disputes);
      expect.unreachable('accepted a malformed dispute');
    } catch (error) {
      expect(error).toBeInstanceOf(RoyaltyError);
      expect((error as RoyaltyError).code).toBe(code);
      expect((error as RoyaltyError).field).toBe(field);
    }
  });
});

// A chain history: payments, openings and resolutions in block order, one event per block.
type Step =
  | { kind: 'pay'; amount: bigint; feeBps: number; entries: [number, bigint][] }
  | { kind: 'open'; dataset: number }
  | { kind: 'resolve'; dataset: number; upheld: boolean; rightfulR1Bps: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      amount: fc.oneof(fc.bigInt({ min: 0n, max: 10_000n }), fc.bigInt({ min: 0n, max: 1n << 200n })),
      feeBps: fc.integer({ min: 0, max: 10_000 }),
      entries: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.bigInt({ min: 1n, max: 1n << 64n })), {
        minLength: 1,
        maxLength: 4,
        selector: ([d]) => d,
      }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('open' as const), dataset: fc.integer({ min: 0, max: 3 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('resolve' as const),
      dataset: fc.integer({ min: 0, max: 3 }),
      upheld: fc.boolean(),
      rightfulR1Bps: fc.integer({ min: 0, max: 10_000 }),
    }),
  },
);

const DS = [d1, d2, d3, d4];

/** Plays the steps as the contract would allow them (one open dispute per dataset, none after an upheld one). */
function history(steps: readonly Step[]): { payments: PublicPayment[]; disputes: PublicDispute[] } {
  const payments: PublicPayment[] = [];
  const disputes: PublicDispute[] = [];
  const open = new Map<number, PublicDispute>();
  const closed = new Set<number>();
  steps.forEach((s, i) => {
    const block = i + 1;
    if (s.kind === 'pay') {
      const fee = (s.amount * BigInt(s.feeBps)) / 10_000n;
      payments.push(
        payment(
          block,
          s.amount,
          fee,
          s.entries.map(([d, w]) => [DS[d], w]),
        ),
      );
    } else if (s.kind === 'open') {
      if (open.has(s.dataset) || closed.has(s.dataset)) return;
      const d = dispute(disputes.length + 1, DS[s.dataset], block);
      disputes.push(d);
      open.set(s.dataset, d);
    } else {
      const d = open.get(s.dataset);
      if (!d) return;
      open.delete(s.dataset);
      const owners = [
        { account: r1, shareBps: s.rightfulR1Bps },
        { account: r2, shareBps: 10_000 - s.rightfulR1Bps },
      ].filter((o) => o.shareBps > 0);
      d.resolution = s.upheld ? upheld(block, owners) : rejected(block);
      if (s.upheld) closed.add(s.dataset);
    }
  });
  return { payments, disputes };
}

const sum = (xs: readonly { amount?: bigint; cumulative?: bigint }[]) =>
  xs.reduce((s, x) => s + (x.amount ?? x.cumulative ?? 0n), 0n);

const steps = fc.array(step, { minLength: 1, maxLength: 24 });

describe('the dispute rule (properties)', () => {
  it('fee + shares paid + escrow == amount for every payment, whatever the order of events', () => {
    fc.assert(
      fc.property(steps, (s) => {
        const { payments, disputes } = history(s);
        const book = new DisputeBook(disputes);
        for (const p of payments) {
          const { shares } = allocatePayment({
            amount: BigInt(p.amount),
            net: BigInt(p.net),
            entries: p.entries.map((e) => ({ datasetId: e.datasetId, weight: BigInt(e.weight) })),
            datasets,
          });
          const { paid, escrow } = applyDisputes(shares, p, book);
          expect(BigInt(p.fee) + sum(paid) + sum(escrow)).toBe(BigInt(p.amount));
          expect(paid.every((x) => x.amount > 0n) && escrow.every((x) => x.amount > 0n)).toBe(true);
        }
        const total = payments.reduce((t, p) => t + BigInt(p.amount) - BigInt(p.fee), 0n);
        expect(
          sum(cumulativeBalances(payments, datasets, disputes)) + sum(disputeEscrow(payments, datasets, disputes)),
        ).toBe(total);
      }),
    );
  });

  it('does not depend on the order the payments and disputes are listed in', () => {
    fc.assert(
      fc.property(steps, fc.integer(), (s, seed) => {
        const { payments, disputes } = history(s);
        const shuffle = <T>(xs: T[]): T[] =>
          xs
            .map((x, i) => ({ x, k: Math.imul(i + 1, seed | 1) >>> 0 }))
            .sort((a, b) => a.k - b.k)
            .map((e) => e.x);
        expect(cumulativeBalances(shuffle(payments), datasets, shuffle(disputes))).toEqual(
          cumulativeBalances(payments, datasets, disputes),
        );
        expect(disputeEscrow(shuffle(payments), datasets, shuffle(disputes))).toEqual(
          disputeEscrow(payments, datasets, disputes),
        );
      }),
    );
  });

  it('never lowers a cumulative balance as the chain goes on (every leaf only grows)', () => {
    fc.assert(
      fc.property(steps, (s) => {
        let before: CumulativeBalance[] = [];
        for (let k = 1; k <= s.length; k++) {
          const { payments, disputes } = history(s.slice(0, k));
          const now = cumulativeBalances(payments, datasets, disputes);
          for (const b of before) expect(balanceOf(now, b.account)).toBeGreaterThanOrEqual(b.cumulative);
          before = now;
        }
      }),
    );
  });

  it('rejecting every dispute pays exactly what no dispute would; escrow is only of open disputes', () => {
    fc.assert(
      fc.property(steps, (s) => {
        const { payments, disputes } = history(s);
        const allRejected = disputes.map((d) => ({
          ...d,
          resolution: d.resolution ?? rejected(s.length + 1),
        }));
        const rejectedOnly = allRejected.map((d) =>
          d.resolution!.outcome === 'upheld' ? { ...d, resolution: rejected(d.resolution!.at.blockNumber) } : d,
        );
        expect(cumulativeBalances(payments, datasets, rejectedOnly)).toEqual(cumulativeBalances(payments, datasets));
        const openIds = new Set(disputes.filter((d) => d.resolution === null).map((d) => d.disputeId));
        const escrow: EscrowBalance[] = disputeEscrow(payments, datasets, disputes);
        expect(escrow.every((e) => openIds.has(e.disputeId))).toBe(true);
      }),
    );
  });
});
