import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `epoch_balances` drops its per-row foreign key to `royalty_epochs` (issue 13: one epoch over 1,000,000
 * accounts in 60 s). Its rows are written only by the settlement transaction that inserts their epoch, so
 * the deferred check, one lookup per row at commit, never refused a row; it cost ~4 µs a row, 1.6 s of an
 * 8 s epoch of 400,000 leaves (2,000,000 rows at 1M accounts). What the key also did, remove an epoch's
 * balances with the epoch, is kept by a statement trigger (epochs are invalidated, not deleted, today).
 */
export class EpochBalancesStatementCascade1700000023700 implements MigrationInterface {
  name = 'EpochBalancesStatementCascade1700000023700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE epoch_balances DROP CONSTRAINT epoch_balances_epoch_fkey`);
    await q.query(`
      CREATE FUNCTION royalty_epochs_delete_balances() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM epoch_balances b USING removed_epochs r WHERE b.epoch = r.epoch;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER royalty_epochs_delete_balances AFTER DELETE ON royalty_epochs
      REFERENCING OLD TABLE AS removed_epochs FOR EACH STATEMENT EXECUTE FUNCTION royalty_epochs_delete_balances()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER royalty_epochs_delete_balances ON royalty_epochs`);
    await q.query(`DROP FUNCTION royalty_epochs_delete_balances()`);
    await q.query(
      `DELETE FROM epoch_balances b WHERE NOT EXISTS (SELECT 1 FROM royalty_epochs e WHERE e.epoch = b.epoch)`,
    );
    await q.query(`
      ALTER TABLE epoch_balances ADD CONSTRAINT epoch_balances_epoch_fkey FOREIGN KEY (epoch)
      REFERENCES royalty_epochs(epoch) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED`);
  }
}
