import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An epoch's leaves read without sorting all of history, and its totals stored once (issue 13).
 *
 * `epoch_leaves(E)` is, per (token, account), the latest `epoch_balances` row at or before E. Without an
 * index in that order PostgreSQL sorted every stored change on each call, and calls were many. A new
 * epoch compares with the leaves before it. Each page of `GET /epochs/:n/leaves` asked again. Every epoch
 * of a `GET /epochs` page summed its leaves per token. So the cost grew with all history, per request.
 * - `epoch_balances_leaf_idx` (token, account, epoch DESC) INCLUDE (cumulative) gives the leaves in key order
 *   from the index: the newest row of each pair first, no sort, and a page stops once it has its rows.
 * - `epoch_token_totals` holds each epoch's per-token sum and number of leaves. It is written with the epoch,
 *   in its transaction, before the epoch's row (so its key is checked at commit). An epoch's leaves never
 *   change: its rows and those before it are written only by their epochs' transactions, and epochs are
 *   invalidated, not deleted. So neither do its totals. They go with the epoch if it is deleted. Existing
 *   epochs are filled from their leaves here.
 */
export class EpochLeavesIndexAndTotals1700000024000 implements MigrationInterface {
  name = 'EpochLeavesIndexAndTotals1700000024000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX epoch_balances_leaf_idx ON epoch_balances (token, account, epoch DESC) INCLUDE (cumulative)`,
    );
    await q.query(`
      CREATE TABLE epoch_token_totals (
        epoch     bigint NOT NULL REFERENCES royalty_epochs(epoch) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        token     text NOT NULL CHECK (length(token) = 42 AND token ~ '^0x[0-9a-f]+$'),
        total     numeric(78,0) NOT NULL CHECK (total > 0),
        accounts  integer NOT NULL CHECK (accounts > 0),
        PRIMARY KEY (epoch, token)
      )`);
    await q.query(`
      INSERT INTO epoch_token_totals (epoch, token, total, accounts)
      SELECT e.epoch, l.token, SUM(l.cumulative), count(*)
      FROM royalty_epochs e CROSS JOIN LATERAL epoch_leaves(e.epoch) l
      GROUP BY e.epoch, l.token`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE epoch_token_totals`);
    await q.query(`DROP INDEX epoch_balances_leaf_idx`);
  }
}
