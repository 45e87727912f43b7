import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Epoch snapshots store only the balances that changed (issue 13).
 * - `epoch_balances` holds, for epoch E, the (token, account) pairs whose cumulative differs from the one
 *   in force at E - 1; a pair that left the tree (a rollback removed its payments) gets a row with 0.
 * - `epoch_leaves(E)` is the full set of leaves of epoch E: per (token, account), the latest row at or
 *   before E, zeros left out. Every epoch number has a snapshot (it is written with the epoch), so the
 *   lookup is the same whatever became of the epochs before (vetoed, invalidated).
 * Existing full snapshots are reduced to their changes; `down` restores them.
 */
export class EpochBalanceChanges1700000018000 implements MigrationInterface {
  name = 'EpochBalanceChanges1700000018000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE epoch_balances DROP CONSTRAINT IF EXISTS epoch_balances_cumulative_check`);
    await q.query(`ALTER TABLE epoch_balances ADD CONSTRAINT epoch_balances_cumulative_check CHECK (cumulative >= 0)`);
    await q.query(`
      CREATE FUNCTION epoch_leaves(at_epoch bigint) RETURNS TABLE (token text, account text, cumulative numeric)
      LANGUAGE sql STABLE AS $$
        SELECT l.token, l.account, l.cumulative FROM (
          SELECT DISTINCT ON (b.token, b.account) b.token, b.account, b.cumulative
          FROM epoch_balances b WHERE b.epoch <= at_epoch
          ORDER BY b.token, b.account, b.epoch DESC
        ) l WHERE l.cumulative > 0
      $$`);
    // Each statement reads the full snapshots as they were when it started.
    await q.query(`
      INSERT INTO epoch_balances (epoch, token, account, cumulative)
      SELECT e.epoch, p.token, p.account, 0
      FROM royalty_epochs e JOIN epoch_balances p ON p.epoch = e.epoch - 1
      WHERE NOT EXISTS (SELECT 1 FROM epoch_balances b WHERE b.epoch = e.epoch AND b.token = p.token AND b.account = p.account)`);
    await q.query(`
      DELETE FROM epoch_balances b USING epoch_balances p
      WHERE p.epoch = b.epoch - 1 AND p.token = b.token AND p.account = b.account AND p.cumulative = b.cumulative
        AND b.cumulative > 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO epoch_balances (epoch, token, account, cumulative)
      SELECT e.epoch, l.token, l.account, l.cumulative FROM royalty_epochs e CROSS JOIN LATERAL epoch_leaves(e.epoch) l
      ON CONFLICT (epoch, token, account) DO NOTHING`);
    await q.query(`DELETE FROM epoch_balances WHERE cumulative = 0`);
    await q.query(`DROP FUNCTION epoch_leaves(bigint)`);
    await q.query(`ALTER TABLE epoch_balances DROP CONSTRAINT epoch_balances_cumulative_check`);
    await q.query(`ALTER TABLE epoch_balances ADD CONSTRAINT epoch_balances_cumulative_check CHECK (cumulative > 0)`);
  }
}
