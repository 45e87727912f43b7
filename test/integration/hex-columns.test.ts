import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { withClient } from '../support/pg-client';
import { ADDRESS_NORMAL, BYTES32_NORMAL, SHA256_NORMAL } from '@upstream/api-contract';

describe('hex columns (real Postgres, every migration applied)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('keeps no char(n) column, so nothing read back needs trimming', async () => {
    const { rows } = await withClient(db.url, (c) =>
      c.query(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND data_type = 'character'`,
      ),
    );
    expect(rows).toEqual([]);
  });

  it('refuses hex that is not lowercase or not of its length, and accepts the canonical form', async () => {
    const insert = (address: string) =>
      withClient(db.url, (c) =>
        c.query(`INSERT INTO used_nonces (signer, nonce, purpose) VALUES ($1, 1, 'test')`, [address]),
      );
    await expect(insert(`0x${'AB'.repeat(20)}`)).rejects.toThrow(/used_nonces_signer_hex/);
    await expect(insert(`0x${'ab'.repeat(20)} `)).rejects.toThrow(/used_nonces_signer_hex/);
    await expect(insert(`0x${'ab'.repeat(19)}`)).rejects.toThrow(/used_nonces_signer_hex/);
    await insert(`0x${'ab'.repeat(20)}`);
  });

  it('states no hex CHECK with a bounded repetition (slow in PostgreSQL’s regex engine: ~15 µs a row)', async () => {
    const { rows } = await withClient(db.url, (c) =>
      c.query(
        `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
         WHERE contype = 'c' AND conname LIKE '%\\_hex' AND pg_get_constraintdef(oid) LIKE '%{%'`,
      ),
    );
    expect(rows).toEqual([]);
  });

  it('accepts exactly what the format regex accepts (the CHECKs test length and hex separately)', async () => {
    const variants = (canonical: string): string[] => [
      canonical,
      canonical.toUpperCase(),
      canonical.slice(0, -1),
      canonical + '0',
      canonical + ' ',
      canonical + '\n',
      ' ' + canonical,
      canonical.slice(0, -1) + 'g',
      canonical.slice(0, -1) + 'é',
      canonical.startsWith('0x') ? '0X' + canonical.slice(2) : '0x' + canonical,
      canonical.startsWith('0x') ? canonical.slice(2) + '00' : '0x' + canonical.slice(2),
      canonical.startsWith('0x') ? '0x' : '',
      '',
    ];
    const cases = [
      {
        sql: `INSERT INTO used_nonces (signer, nonce, purpose) VALUES ($1, 2, 'test')`,
        format: ADDRESS_NORMAL,
        canonical: `0x${'cd'.repeat(20)}`,
        constraint: 'used_nonces_signer_hex',
      },
      {
        sql: `INSERT INTO anchor_items (kind, leaf) VALUES (0, $1)`,
        format: BYTES32_NORMAL,
        canonical: `0x${'cd'.repeat(32)}`,
        constraint: 'anchor_items_leaf_hex',
      },
      {
        sql: `INSERT INTO blobs (sha256, size) VALUES ($1, 1)`,
        format: SHA256_NORMAL,
        canonical: 'cd'.repeat(32),
        constraint: 'blobs_sha256_hex',
      },
    ];
    for (const { sql, format, canonical, constraint } of cases) {
      for (const value of variants(canonical)) {
        const insert = withClient(db.url, (c) => c.query(sql, [value]));
        if (format.test(value)) await insert;
        else await expect(insert, JSON.stringify(value)).rejects.toThrow(new RegExp(constraint));
      }
    }
  });

  it('still derives royalty_balances from the ledger', async () => {
    const { rows } = await withClient(db.url, (c) =>
      c.query(
        `SELECT data_type FROM information_schema.columns WHERE table_name = 'royalty_balances' AND column_name = 'account'`,
      ),
    );
    expect(rows).toEqual([{ data_type: 'text' }]);
  });
});
