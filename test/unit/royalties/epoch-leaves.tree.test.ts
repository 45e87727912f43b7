import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { getAddress } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cumulativeLeaves, EPOCH_LEAF_TYPES, verifyEpochClaim, type CumulativeBalance } from '@upstream/royalties';

const address = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => getAddress('0x' + Buffer.from(b).toString('hex')));
const splitter = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const balances = fc.uniqueArray(
  fc.record({
    account: address,
    token: fc.constantFrom('0x5FbDB2315678afecb367f032d93F642f64180aa3', '0x' + '11'.repeat(20)),
    cumulative: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
  }),
  { minLength: 1, maxLength: 80, selector: (b) => b.token.toLowerCase() + b.account.toLowerCase() },
);

describe('cumulativeLeaves', () => {
  it('equals StandardMerkleTree over (chainId, splitter, token, account, cumulative), with proofs', async () => {
    await fc.assert(
      fc.asyncProperty(balances, fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), async (rows, chainId) => {
        const tree = await cumulativeLeaves(chainId, splitter, rows);
        const oz = StandardMerkleTree.of(
          rows.map((b) => [chainId, splitter, b.token, b.account, b.cumulative]),
          [...EPOCH_LEAF_TYPES],
        );
        expect(tree.root).toBe(oz.root);
        rows.forEach((b, i) => {
          const claim = tree.claim(b.account, b.token);
          expect(claim.proof).toEqual(oz.getProof(i));
          expect(claim.cumulative).toBe(b.cumulative);
        });
        const claim = tree.claim(rows[0].account.toLowerCase(), rows[0].token);
        expect(await verifyEpochClaim(tree.root, chainId, splitter, claim)).toBe(true);
        expect(
          await verifyEpochClaim(tree.root, chainId, splitter, { ...claim, cumulative: claim.cumulative ^ 1n }),
        ).toBe(false);
        expect(await verifyEpochClaim(tree.root, chainId + 1n, splitter, claim)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses repeated (account, token) pairs and bad addresses, naming the row', async () => {
    const row: CumulativeBalance = { account: '0x' + 'aa'.repeat(20), token: '0x' + 'bb'.repeat(20), cumulative: 5n };
    await expect(
      cumulativeLeaves(1, splitter, [
        row,
        { ...row, account: row.account.toUpperCase().replace('0X', '0x'), cumulative: 6n },
      ]),
    ).rejects.toMatchObject({
      code: 'DUPLICATE_BALANCE',
      field: 'balances[1]',
    });
    await expect(cumulativeLeaves(1, splitter, [{ ...row, account: '0x1234' }])).rejects.toMatchObject({
      code: 'INVALID_ADDRESS',
      field: 'balances[0].account',
    });
    await expect(cumulativeLeaves(1, splitter, [{ ...row, cumulative: -1n }])).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
      field: 'balances[0].cumulative',
    });
    await expect(cumulativeLeaves(1, '0xnope', [row])).rejects.toMatchObject({ field: 'splitter' });
  });
});
