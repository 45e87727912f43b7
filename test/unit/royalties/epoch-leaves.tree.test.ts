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

describe('EpochTree', () => {
  const token = '0x' + 'AB'.repeat(20);
  const rows: CumulativeBalance[] = [
    { account: '0x' + 'CD'.repeat(20), token, cumulative: 7n },
    { account: '0x' + '01'.repeat(20), token: '0x' + '02'.repeat(20), cumulative: 0n },
    { account: '0x' + '03'.repeat(20), token, cumulative: (1n << 256n) - 1n },
  ];

  it('finds claims whatever the case of account and token, and returns them lower-cased with their proof', async () => {
    const tree = await cumulativeLeaves(5n, splitter, rows);
    const oz = StandardMerkleTree.of(
      rows.map((b) => [5n, splitter, b.token, b.account, b.cumulative]),
      [...EPOCH_LEAF_TYPES],
    );
    expect(tree.root).toBe(oz.root);
    expect(tree.length).toBe(3);
    expect(tree.splitter).toBe(splitter.toLowerCase());
    expect(tree.chainId).toBe(5n);
    const claim = tree.claim('0x' + 'cd'.repeat(20), token.toLowerCase());
    expect(claim).toEqual({
      account: '0x' + 'cd'.repeat(20),
      token: token.toLowerCase(),
      cumulative: 7n,
      proof: oz.getProof(0),
    });
    expect(tree.proof('0x' + 'CD'.repeat(20), token)).toEqual(oz.getProof(0));
    expect(tree.leafValues(0)).toEqual([5n, splitter.toLowerCase(), token.toLowerCase(), '0x' + 'cd'.repeat(20), 7n]);
    expect(await verifyEpochClaim(tree.root, 5n, splitter, tree.claim(rows[2].account, rows[2].token))).toBe(true);
    expect(() => tree.claim('0x' + 'cd'.repeat(20), '0x' + '02'.repeat(20))).toThrow(
      expect.objectContaining({ code: 'BALANCE_NOT_FOUND', field: 'account' }),
    );
  });

  it('refuses no balances, anchored-pattern violations and bad chain ids, naming the field', async () => {
    await expect(cumulativeLeaves(1, splitter, [])).rejects.toMatchObject({ code: 'EMPTY_RUN', field: 'balances' });
    for (const bad of ['x' + splitter, splitter + '0', splitter.slice(0, 41), ' ' + splitter.slice(1)])
      await expect(cumulativeLeaves(1, bad, rows)).rejects.toMatchObject({
        code: 'INVALID_ADDRESS',
        field: 'splitter',
      });
    await expect(cumulativeLeaves(-1n, splitter, rows)).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
      field: 'chainId',
    });
    await expect(cumulativeLeaves(1n << 256n, splitter, rows)).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
      field: 'chainId',
    });
    await expect(cumulativeLeaves(1, splitter, [rows[0], { ...rows[1], token: '0x12' }])).rejects.toMatchObject({
      code: 'INVALID_ADDRESS',
      field: 'balances[1].token',
      reason: expect.stringContaining('0x12'),
    });
    await expect(
      cumulativeLeaves(1, splitter, [{ ...rows[0], cumulative: 7 as unknown as bigint }]),
    ).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
      field: 'balances[0].cumulative',
    });
    await expect(cumulativeLeaves(1, splitter, [{ ...rows[0], cumulative: 1n << 256n }])).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
      field: 'balances[0].cumulative',
    });
  });

  it('answers false, not an error, for a claim that cannot be encoded', async () => {
    const tree = await cumulativeLeaves(1, splitter, rows);
    const claim = tree.claim(rows[0].account, rows[0].token);
    expect(await verifyEpochClaim(tree.root, 1, splitter, { ...claim, account: '0x1234' })).toBe(false);
    expect(await verifyEpochClaim(tree.root, 1, splitter, { ...claim, cumulative: -1n })).toBe(false);
    expect(await verifyEpochClaim(tree.root, 1, '0x' + '00'.repeat(20), claim)).toBe(false);
  });
});
