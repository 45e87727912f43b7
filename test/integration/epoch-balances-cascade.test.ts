import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { withClient } from '../support/pg-client';

/**
 * `epoch_balances` has no per-row foreign key to `royalty_epochs` (its check cost ~4 µs a row at commit, and only
 * the epoch's own transaction writes its rows); a statement trigger still removes an epoch's balances with it.
 * Its stored totals (`epoch_token_totals`, a few rows) keep an ordinary key.
 */
describe('epoch balances go with their epoch (real Postgres, every migration applied)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('deletes the balances and stored totals of the epochs deleted, and only theirs', async () => {
    const left = await withClient(db.url, async (c) => {
      for (const epoch of [1, 2, 3]) {
        await c.query(
          `INSERT INTO royalty_epochs (epoch, root, data_hash, ledger_watermark, payment_count, leaf_count, outbox_key)
           VALUES ($1::bigint, '0x' || repeat('a', 64), '0x' || repeat('b', 64), $1::bigint, 1, 2, 'propose-root:' || $1::text)`,
          [epoch],
        );
        await c.query(
          `INSERT INTO epoch_balances (epoch, token, account, cumulative)
           VALUES ($1::bigint, '0x' || repeat('1', 40), '0x' || repeat('2', 40), $1::numeric), ($1::bigint, '0x' || repeat('1', 40), '0x' || repeat('3', 40), $1::numeric)`,
          [epoch],
        );
        await c.query(
          `INSERT INTO epoch_token_totals (epoch, token, total, accounts) VALUES ($1::bigint, '0x' || repeat('1', 40), 2 * $1::numeric, 2)`,
          [epoch],
        );
      }
      await c.query(`DELETE FROM royalty_epochs WHERE epoch IN (1, 3)`);
      const balances = await c.query<{ epoch: string; n: number }>(
        `SELECT epoch::text, count(*)::int AS n FROM epoch_balances GROUP BY epoch ORDER BY epoch`,
      );
      const totals = await c.query<{ epoch: string }>(`SELECT epoch::text FROM epoch_token_totals ORDER BY epoch`);
      return { balances: balances.rows, totals: totals.rows };
    });
    expect(left).toEqual({ balances: [{ epoch: '2', n: 2 }], totals: [{ epoch: '2' }] });
  });
});
