import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cumulativeBalances,
  earnedVotes,
  rebuildEpoch,
  RoyaltyError,
  withEarnedVotes,
  type CumulativeBalance,
  type EpochInputs,
} from '@upstream/royalties';

const addr = (n: number) => '0x' + n.toString(16).padStart(40, '0');
const T = addr(0xcc); // earns votes: 1e12 votes per unit (a 6-decimal token, 1 token = 1 vote)
const U = addr(0x11); // earns none
const V = addr(0xfe); // the votes contract
const rule = { token: V, perUnit: { [T.toUpperCase().replace('0X', '0x')]: '1000000000000' } };

describe('earnedVotes (votes leaves from cumulative royalties)', () => {
  it('gives each account its royalties in the earning tokens times the rate, sorted by account', () => {
    const balances: CumulativeBalance[] = [
      { token: T, account: addr(2), cumulative: 3_000_000n },
      { token: T, account: addr(1), cumulative: 1n },
      { token: U, account: addr(1), cumulative: 999n },
      { token: U, account: addr(3), cumulative: 5n },
    ];
    expect(earnedVotes(balances, rule)).toEqual([
      { token: V, account: addr(1), cumulative: 10n ** 12n },
      { token: V, account: addr(2), cumulative: 3n * 10n ** 18n },
    ]);
  });

  it('refuses a malformed rate and a balance already in the votes token', () => {
    expect(() => earnedVotes([], { token: V, perUnit: { [T]: '1.5' } })).toThrow(RoyaltyError);
    expect(() => earnedVotes([{ token: V, account: addr(1), cumulative: 1n }], rule)).toThrow(/votes token/);
  });

  it('names the field and the reason of each refusal', () => {
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        const { code, field, reason } = error as RoyaltyError;
        return { code, field, reason };
      }
      return undefined;
    };
    for (const perUnit of ['1.5', '-1', '01', '', '1e3'])
      expect(refusal(() => earnedVotes([], { token: V, perUnit: { [T]: perUnit } }))).toEqual({
        code: 'INVALID_AMOUNT',
        field: `votes.perUnit.${T}`,
        reason: 'must be a non-negative integer',
      });
    expect(
      refusal(() =>
        earnedVotes([{ token: V.toUpperCase().replace('0X', '0x'), account: addr(1), cumulative: 0n }], rule),
      ),
    ).toEqual({
      code: 'DUPLICATE_BALANCE',
      field: 'balances',
      reason: 'a balance already uses the votes token',
    });
  });

  it('leaves out accounts whose royalties earn no vote, and a token whose rate is 0', () => {
    const balances: CumulativeBalance[] = [
      { token: T, account: addr(1), cumulative: 0n },
      { token: U, account: addr(2), cumulative: 10n ** 20n },
      { token: T, account: addr(3), cumulative: 2n },
    ];
    expect(earnedVotes(balances, { token: V, perUnit: { [T]: '5', [U]: '0' } })).toEqual([
      { token: V, account: addr(3), cumulative: 10n },
    ]);
  });

  it('sorts by account whatever the order the balances come in', () => {
    const accounts = [7, 3, 9, 1, 5, 8, 2, 6, 4];
    const balances = accounts.map((n) => ({ token: T, account: addr(n), cumulative: BigInt(n) }));
    const sorted = [...accounts].sort((a, b) => a - b);
    expect(earnedVotes(balances, { token: V, perUnit: { [T]: '1' } })).toEqual(
      sorted.map((n) => ({ token: V, account: addr(n), cumulative: BigInt(n) })),
    );
  });

  it("never lowers anyone's votes as royalties grow, and sums exactly (property)", () => {
    const arb = fc.array(
      fc.record({
        account: fc.integer({ min: 1, max: 6 }),
        token: fc.constantFrom(T, U),
        amount: fc.bigInt({ min: 0n, max: 10n ** 30n }),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(arb, arb, (first, more) => {
        const sum = (rows: typeof first) => {
          const m = new Map<string, CumulativeBalance>();
          for (const r of rows) {
            const key = `${r.token}:${r.account}`;
            const b = m.get(key) ?? { token: r.token, account: addr(r.account), cumulative: 0n };
            b.cumulative += r.amount;
            m.set(key, b);
          }
          return [...m.values()];
        };
        const before = new Map(earnedVotes(sum(first), rule).map((v) => [v.account, v.cumulative]));
        const after = earnedVotes(sum([...first, ...more]), rule);
        for (const [account, votes] of before) {
          expect(after.find((v) => v.account === account)?.cumulative ?? 0n).toBeGreaterThanOrEqual(votes);
        }
        const total = after.reduce((s, v) => s + v.cumulative, 0n);
        const earned = [...first, ...more].filter((r) => r.token === T).reduce((s, r) => s + r.amount, 0n);
        expect(total).toBe(earned * 10n ** 12n);
      }),
    );
  });
});

describe('rebuildEpoch with a votes rule', () => {
  const inputs: EpochInputs = {
    epoch: 1,
    chainId: 31337,
    splitter: addr(0x5),
    root: '0x',
    dataHash: '0x',
    payments: [
      {
        txHash: '0x' + '01'.padStart(64, '0'),
        logIndex: 0,
        blockNumber: 1,
        runId: '0x' + '99'.padStart(64, '0'),
        token: T,
        amount: '1000000',
        fee: '0',
        net: '1000000',
        source: 'run',
        entries: [{ datasetId: '0x' + 'd1'.padStart(64, '0'), weight: '1' }],
      },
    ],
    datasets: {
      ['0x' + 'd1'.padStart(64, '0')]: {
        owners: [
          { account: addr(1), shareBps: 7_500 },
          { account: addr(2), shareBps: 2_500 },
        ],
        parents: [],
      },
    },
    votes: rule,
  };

  it('adds one votes leaf per earning account under the same root, as StandardMerkleTree would', async () => {
    const rebuilt = await rebuildEpoch(inputs);
    const royalties = cumulativeBalances(inputs.payments, inputs.datasets);
    expect(rebuilt.balances).toEqual(withEarnedVotes(royalties, rule));
    expect(rebuilt.balances.filter((b) => b.token === V)).toEqual([
      { token: V, account: addr(1), cumulative: 750_000n * 10n ** 12n },
      { token: V, account: addr(2), cumulative: 250_000n * 10n ** 12n },
    ]);
    const reference = StandardMerkleTree.of(
      rebuilt.balances.map((b) => [31337n, addr(0x5), b.token, b.account, b.cumulative]),
      ['uint256', 'address', 'address', 'address', 'uint256'],
    );
    expect(rebuilt.root).toBe(reference.root);
    const without = await rebuildEpoch({ ...inputs, votes: null });
    expect(without.root).not.toBe(rebuilt.root);
    expect(without.balances).toEqual(royalties);
  });
});
