import { getAddress } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cumulativeLeaves,
  CumulativeSums,
  EpochLeafHasher,
  EpochLeafStream,
  rebuildFromBalances,
  type CumulativeBalance,
  type EarnedVotesRule,
} from '@upstream/royalties';

const splitter = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512';
const hex20 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => '0x' + Buffer.from(b).toString('hex'));
const tokens = ['0x5fbdb2315678afecb367f032d93f642f64180aa3', '0x' + '11'.repeat(20), '0x' + 'ee'.repeat(20)];
/** The votes token sorts between the royalty tokens, so a votes leaf lands amid an account's leaves. */
const votesToken = '0x' + '99'.repeat(20);
const royalties = fc.uniqueArray(
  fc.record({
    account: hex20,
    token: fc.constantFrom(...tokens),
    cumulative: fc.bigInt({ min: 1n, max: (1n << 200n) - 1n }),
  }),
  { minLength: 1, maxLength: 120, selector: (b) => b.token + b.account },
);
const rule = fc.option(
  fc.record({
    token: fc.constant(votesToken),
    perUnit: fc.record({ [tokens[0]]: fc.constantFrom('0', '1', '7'), [tokens[2]]: fc.constantFrom('1', '3') }),
  }),
  { nil: null },
);

const byAccountToken = (a: CumulativeBalance, b: CumulativeBalance) =>
  a.account < b.account ? -1 : a.account > b.account ? 1 : a.token < b.token ? -1 : a.token > b.token ? 1 : 0;

async function streamed(chainId: bigint, rows: readonly CumulativeBalance[], votes: EarnedVotesRule | null) {
  const stream = await EpochLeafStream.create(chainId, splitter, votes);
  const votesLeaves: CumulativeBalance[] = [];
  for (const b of [...rows].sort(byAccountToken)) {
    const leaf = stream.add(b);
    if (leaf) votesLeaves.push(leaf);
  }
  const last = stream.end();
  if (last) votesLeaves.push(last);
  return { root: stream.root(), length: stream.length, votesLeaves };
}

describe('EpochLeafStream (an epoch streamed by account)', () => {
  it('gives the in-memory root, leaf count and votes leaves for any balances and votes rule (property)', async () => {
    await fc.assert(
      fc.asyncProperty(royalties, rule, fc.integer({ min: 1, max: 2 ** 40 }), async (rows, votes, chainId) => {
        const inMemory = await rebuildFromBalances({ epoch: 1, chainId, splitter, votes }, rows, []);
        const { root, length, votesLeaves } = await streamed(BigInt(chainId), rows, votes);
        expect(root).toBe(inMemory.root);
        expect(length).toBe(inMemory.balances.length);
        expect(votesLeaves).toEqual(inMemory.balances.filter((b) => b.token === votesToken));
      }),
      { numRuns: 60 },
    );
  });

  it('yields each votes leaf when its account ends, and the last one at the end', async () => {
    const a = '0x' + '0a'.repeat(20);
    const b = '0x' + '0b'.repeat(20);
    const stream = await EpochLeafStream.create(1, splitter, {
      token: votesToken,
      perUnit: { [tokens[0]]: '2', [tokens[1]]: '1' },
    });
    expect(stream.add({ account: a, token: tokens[1], cumulative: 5n })).toBeUndefined();
    expect(stream.add({ account: a, token: tokens[0], cumulative: 3n })).toBeUndefined();
    // a's votes: 5 × 1 + 3 × 2, over both of its balances.
    expect(stream.add({ account: b, token: tokens[2], cumulative: 4n })).toEqual({
      account: a,
      token: votesToken,
      cumulative: 11n,
    });
    // b earns no votes: its token has no rate.
    expect(stream.end()).toBeUndefined();
    expect(stream.length).toBe(4);
  });

  it("refuses a royalty balance in the votes token, as the rule's list form does", async () => {
    const stream = await EpochLeafStream.create(1, splitter, { token: votesToken, perUnit: {} });
    stream.add({ account: '0x' + '0a'.repeat(20), token: votesToken, cumulative: 1n });
    expect(() => stream.end()).toThrow(expect.objectContaining({ code: 'DUPLICATE_BALANCE' }));
  });
});

describe('EpochLeafHasher (leaf hashes, not leaf objects)', () => {
  it('gives the root of cumulativeLeaves over the same balances (property)', async () => {
    await fc.assert(
      fc.asyncProperty(royalties, async (rows) => {
        const hasher = await EpochLeafHasher.create(31337, splitter);
        for (const b of [...rows].sort(byAccountToken)) hasher.add(b);
        expect(hasher.root()).toBe((await cumulativeLeaves(31337, splitter, rows)).root);
        expect(hasher.length).toBe(rows.length);
      }),
      { numRuns: 40 },
    );
  });

  it('grows past its first buffer (1,024 leaves) without losing a leaf', async () => {
    const rows = Array.from({ length: 2_500 }, (_, i) => ({
      account: '0x' + i.toString(16).padStart(40, '0'),
      token: tokens[0],
      cumulative: BigInt(i + 1),
    }));
    const hasher = await EpochLeafHasher.create(1, splitter);
    for (const b of rows) hasher.add(b);
    expect(hasher.root()).toBe((await cumulativeLeaves(1, splitter, rows)).root);
  });

  it('refuses a repeated or out-of-order pair, a bad leaf and an empty epoch, naming the row', async () => {
    const row = { account: '0x' + 'aa'.repeat(20), token: tokens[1], cumulative: 5n };
    const hasher = await EpochLeafHasher.create(1, splitter);
    hasher.add(row);
    expect(() => hasher.add({ ...row, account: row.account.toUpperCase().replace('0X', '0x') })).toThrow(
      expect.objectContaining({
        code: 'DUPLICATE_BALANCE',
        field: 'balances[1]',
        reason: `(${row.account}, ${row.token}) does not follow (${row.account}, ${row.token}): balances must come in ascending (account, token) order, each pair once`,
      }),
    );
    expect(() => hasher.add({ ...row, token: '0x' + '00'.repeat(20) })).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_BALANCE', field: 'balances[1]' }),
    );
    expect(() => hasher.add({ ...row, account: '0x' + '0a'.repeat(20), token: tokens[2] })).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_BALANCE', field: 'balances[1]' }),
    );
    expect(() => hasher.add({ ...row, token: tokens[2], cumulative: -1n })).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'balances[1].cumulative' }),
    );
    // A later token of the same account, and a later account, are in order.
    hasher.add({ ...row, token: tokens[2] });
    hasher.add({ ...row, account: '0x' + 'ab'.repeat(20), token: tokens[0] });
    expect(hasher.length).toBe(3);
    expect(() => hasher.add({ ...row, account: '0x12' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ADDRESS', field: 'balances[3].account' }),
    );
    await expect(EpochLeafHasher.create(1, '0x12')).rejects.toMatchObject({
      code: 'INVALID_ADDRESS',
      field: 'splitter',
    });
    expect(hasher.root()).toMatch(/^0x[0-9a-f]{64}$/);
    await expect((async () => (await EpochLeafHasher.create(1, splitter)).root())()).rejects.toMatchObject({
      code: 'EMPTY_RUN',
      field: 'balances',
      reason: 'an epoch tree needs at least one balance',
    });
    // The first leaf is in order whatever its account.
    const first = await EpochLeafHasher.create(1, splitter);
    first.add({ ...row, account: '0x' + '00'.repeat(20) });
    expect(first.length).toBe(1);
  });
});

describe('CumulativeSums.balancesByAccount', () => {
  it('gives the balances of `balances()` in (account, token) order', () => {
    const ids = ['0x' + '01'.repeat(32), '0x' + '02'.repeat(32)];
    const owner = (n: number) => getAddress('0x' + String(n).repeat(40)).toLowerCase();
    const sums = new CumulativeSums([
      [ids[0], { owners: [{ account: owner(3), shareBps: 10_000 }], parents: [] }],
      [ids[1], { owners: [{ account: owner(1), shareBps: 10_000 }], parents: [] }],
    ]);
    for (const token of [tokens[1], tokens[0]])
      sums.add({
        txHash: '0x' + '00'.repeat(32),
        logIndex: 0,
        blockNumber: 1,
        runId: '0x' + '00'.repeat(32),
        token,
        amount: '10',
        fee: '0',
        net: '10',
        source: 'run',
        entries: [
          { datasetId: ids[0], weight: '1' },
          { datasetId: ids[1], weight: '4' },
        ],
      });
    const byAccount = [...sums.balancesByAccount()];
    expect(byAccount).toEqual([...sums.balances()].sort(byAccountToken));
    expect(byAccount.map((b) => [b.account, b.token])).toEqual([
      [owner(1), tokens[1]],
      [owner(1), tokens[0]],
      [owner(3), tokens[1]],
      [owner(3), tokens[0]],
    ]);
  });
});
