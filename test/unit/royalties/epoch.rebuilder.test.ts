import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { AbiCoder, keccak256 } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  cumulativeBalances,
  CumulativeSums,
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
