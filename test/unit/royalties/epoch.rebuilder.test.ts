import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder, keccak256 } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  allocatePayment,
  applyDisputes,
  cumulativeBalances,
  CumulativeSums,
  DisputeBook,
  disputeEscrow,
  type PublicDispute,
  epochDataHash,
  rebuildEpoch,
  type EpochInputs,
  type PublicDataset,
  type PublicPayment,
} from '@upstream/royalties';

const id = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const a1 = '0x' + '0a'.repeat(20);
const a2 = '0x' + '0b'.repeat(20);
const a3 = '0x' + '0c'.repeat(20);
const T = '0x' + 'cc'.repeat(20);
const U = '0x' + '11'.repeat(20);
const splitter = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';

const datasets: Record<string, PublicDataset> = {
  [id(0xd1).toUpperCase().replace('0X', '0x')]: {
    owners: [
      { account: a1, shareBps: 7_000 },
      { account: a2, shareBps: 3_000 },
    ],
    parents: [],
  },
  [id(0xd2)]: { owners: [{ account: a3, shareBps: 10_000 }], parents: [] },
};

let log = 0;
const payment = (over: Partial<PublicPayment>): PublicPayment => ({
  txHash: '0x' + (++log).toString(16).padStart(64, '0'),
  logIndex: 0,
  blockNumber: log,
  runId: id(0x99),
  token: T,
  amount: '0',
  fee: '0',
  net: '0',
  source: 'run',
  entries: [{ datasetId: id(0xd1), weight: '1' }],
  ...over,
});

// 1) 1000 gross, 990 net → 693 / 297.  2) the same token upper-cased: 100 → 70 / 30.
// 3) token U, 10 gross paying a per-run fee of 4 to d2: nets [4, 6]; d2's owner 4; d1: 6 → 4.2 / 1.8 → 4, 2.
const payments = [
  payment({ token: T.toUpperCase().replace('0X', '0x'), amount: '1000', fee: '10', net: '990' }),
  payment({ amount: '100', net: '100' }),
  payment({ token: U, amount: '10', net: '10', runFees: [{ datasetId: id(0xd2), amount: '4' }] }),
  payment({ token: '0x' + 'ee'.repeat(20), amount: '0', net: '0' }),
];

describe('cumulativeBalances (the epoch rules from public inputs)', () => {
  it('sums each (token, account) over every payment, lower-cased, sorted by token then account', () => {
    expect(cumulativeBalances(payments, datasets)).toEqual([
      { token: U, account: a1, cumulative: 4n },
      { token: U, account: a2, cumulative: 2n },
      { token: U, account: a3, cumulative: 4n },
      { token: T, account: a1, cumulative: 763n },
      { token: T, account: a2, cumulative: 327n },
    ]);
  });

  it('gives the same sums one payment at a time (CumulativeSums, for a verifier reading a stream), from a Map too', () => {
    const sums = new CumulativeSums(new Map(Object.entries(datasets)));
    expect(sums.balances()).toEqual([]);
    sums.add(payments[0]);
    expect(sums.balances()).toEqual([
      { token: T, account: a1, cumulative: 693n },
      { token: T, account: a2, cumulative: 297n },
    ]);
    for (const p of payments.slice(1)) sums.add(p);
    expect(sums.balances()).toEqual(cumulativeBalances(payments, datasets));
  });

  it('sums a run larger than one batch of shares as its whole allocation, an upheld and an open dispute applied', () => {
    // 25,003 datasets (2.5 batches), co-owned 70/30 by two of 101 accounts; one upheld dispute, one open.
    const acct = (n: number) => '0x' + (n % 101).toString(16).padStart(40, '0');
    const many: Record<string, PublicDataset> = {};
    for (let i = 1; i <= 25_003; i++)
      many[id(i)] = {
        owners: [
          { account: acct(i), shareBps: 7_000 },
          { account: acct(i + 50), shareBps: 3_000 },
        ],
        parents: i > 1 ? [{ datasetId: id(i - 1), upstreamBps: 100 }] : [],
      };
    const disputes: PublicDispute[] = [
      {
        disputeId: '1',
        datasetId: id(12_345),
        opened: { blockNumber: 0, logIndex: 0 },
        resolution: {
          outcome: 'upheld',
          at: { blockNumber: 0, logIndex: 1 },
          rightfulOwners: [{ account: a3, shareBps: 10_000 }],
        },
      },
      { disputeId: '2', datasetId: id(20_001), opened: { blockNumber: 0, logIndex: 2 }, resolution: null },
    ];
    const big = payment({
      amount: '987654321987654321',
      net: '987654321987654321',
      entries: Object.keys(many).map((datasetId, i) => ({ datasetId, weight: String(1 + (i % 7)) })),
    });
    const whole = applyDisputes(
      allocatePayment({
        amount: BigInt(big.amount),
        net: BigInt(big.net),
        entries: big.entries.map((e) => ({ datasetId: e.datasetId, weight: BigInt(e.weight) })),
        datasets: many,
      }).shares,
      big,
      new DisputeBook(disputes),
    );
    const expected = new Map<string, bigint>();
    for (const sh of whole.paid) expected.set(sh.account, (expected.get(sh.account) ?? 0n) + sh.amount);

    const sums = new CumulativeSums(Object.entries(many), disputes);
    sums.add(big);
    expect(sums.balances()).toEqual(
      [...expected.keys()].sort().map((account) => ({ token: T, account, cumulative: expected.get(account) })),
    );
    expect(expected.get(a3)).toBeGreaterThan(0n);
    const held = whole.escrow.reduce((sum, e) => sum + e.amount, 0n);
    expect(held).toBeGreaterThan(0n);
    expect(disputeEscrow([big], many, disputes).reduce((sum, e) => sum + e.amount, 0n)).toBe(held);
  });

  it('refuses what allocate refuses, with its code and field', () => {
    expect(() =>
      cumulativeBalances([payment({ amount: '5', net: '5', entries: [{ datasetId: id(7), weight: '1' }] })], datasets),
    ).toThrow(expect.objectContaining({ code: 'UNKNOWN_DATASET', field: `datasets[${id(7)}]` }));
    expect(() => cumulativeBalances([payment({ amount: '5', net: '6' })], datasets)).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'runFees' }),
    );
    expect(() => cumulativeBalances([payment({ amount: '5', net: '5', entries: [] })], datasets)).toThrow(
      expect.objectContaining({ code: 'EMPTY_RUN', field: 'entries' }),
    );
  });
});

describe('epochDataHash', () => {
  const spec = (chainId: bigint, epoch: bigint, ordered: { txHash: string; logIndex: number }[]) =>
    keccak256(
      AbiCoder.defaultAbiCoder().encode(
        ['string', 'uint256', 'address', 'uint64', 'bytes32[]', 'uint256[]'],
        ['upstream-epoch-v1', chainId, splitter, epoch, ordered.map((p) => p.txHash), ordered.map((p) => p.logIndex)],
      ),
    );
  const p = (txHash: number, blockNumber: number, logIndex: number) => ({ txHash: id(txHash), blockNumber, logIndex });

  it('binds the payments in chain order (block, then log index), whatever order they are given in', () => {
    const inChainOrder = [p(1, 5, 3), p(2, 5, 7), p(3, 6, 0), p(4, 10, 1)];
    const expected = spec(31337n, 4n, inChainOrder);
    expect(epochDataHash(31337, splitter, 4, inChainOrder)).toBe(expected);
    expect(epochDataHash(31337n, splitter, 4n, [...inChainOrder].reverse())).toBe(expected);
    expect(
      epochDataHash(31337, splitter, 4, [inChainOrder[1], inChainOrder[3], inChainOrder[0], inChainOrder[2]]),
    ).toBe(expected);
    expect(epochDataHash(31337, splitter, 5, inChainOrder)).not.toBe(expected);
    expect(epochDataHash(1, splitter, 4, inChainOrder)).not.toBe(expected);
    expect(epochDataHash(31337, splitter, 4, [])).toBe(spec(31337n, 4n, []));
  });
});

describe('rebuildEpoch', () => {
  const inputs = (over: Partial<EpochInputs> = {}): EpochInputs => ({
    epoch: 3,
    chainId: 31337,
    splitter,
    root: '0x',
    dataHash: '0x',
    payments,
    datasets,
    ...over,
  });

  it('rebuilds the root as StandardMerkleTree over (chainId, splitter, token, account, cumulative), and the data hash', async () => {
    const rebuilt = await rebuildEpoch(inputs());
    const balances = cumulativeBalances(payments, datasets);
    const oz = StandardMerkleTree.of(
      balances.map((b) => [31337n, splitter.toLowerCase(), b.token, b.account, b.cumulative]),
      ['uint256', 'address', 'address', 'address', 'uint256'],
    );
    expect(rebuilt.root).toBe(oz.root);
    expect(rebuilt.balances).toEqual(balances);
    expect(rebuilt.dataHash).toBe(epochDataHash(31337, splitter, 3, payments));
    expect(rebuilt.tree.claim(a1, T).proof).toEqual(oz.getProof(3));
    expect(rebuilt.tree.splitter).toBe(splitter.toLowerCase());
  });

  it('refuses an epoch with no balances, and a malformed splitter, naming the field', async () => {
    await expect(rebuildEpoch(inputs({ payments: [] }))).rejects.toMatchObject({
      code: 'EMPTY_RUN',
      field: 'balances',
    });
    await expect(rebuildEpoch(inputs({ splitter: splitter + '00' }))).rejects.toMatchObject({
      code: 'INVALID_ADDRESS',
      field: 'splitter',
    });
  });
});
