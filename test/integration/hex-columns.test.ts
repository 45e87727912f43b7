import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { withClient } from '../support/pg-client';

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

  it('still derives royalty_balances from the ledger', async () => {
    const { rows } = await withClient(db.url, (c) =>
      c.query(
        `SELECT data_type FROM information_schema.columns WHERE table_name = 'royalty_balances' AND column_name = 'account'`,
      ),
    );
    expect(rows).toEqual([{ data_type: 'text' }]);
  });
});
