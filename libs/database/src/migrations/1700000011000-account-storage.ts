import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each account stores, kept as a running total: the quota check read `sum(size)` over all of an
 * account's `blob_holders` rows on every upload, which grew with every file stored (10,000 small
 * files: quadratic). A trigger keeps `account_storage` exact on every insert and delete of a holder
 * row, cascades from the orphan collector included.
 */
export class AccountStorage1700000011000 implements MigrationInterface {
  name = 'AccountStorage1700000011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_storage (
        account     text PRIMARY KEY CHECK (length(account) = 42 AND account ~ '^0x[0-9a-f]+$'),
        used_bytes  numeric(78,0) NOT NULL DEFAULT 0 CHECK (used_bytes >= 0)
      )`);
    await q.query(`
      INSERT INTO account_storage (account, used_bytes)
      SELECT account, sum(size) FROM blob_holders GROUP BY account`);
    await q.query(`
      CREATE FUNCTION blob_holders_storage() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO account_storage (account, used_bytes) VALUES (NEW.account, NEW.size)
          ON CONFLICT (account) DO UPDATE SET used_bytes = account_storage.used_bytes + EXCLUDED.used_bytes;
          RETURN NEW;
        END IF;
        UPDATE account_storage SET used_bytes = used_bytes - OLD.size WHERE account = OLD.account;
        RETURN OLD;
      END $$`);
    await q.query(`
      CREATE TRIGGER blob_holders_storage AFTER INSERT OR DELETE ON blob_holders
      FOR EACH ROW EXECUTE FUNCTION blob_holders_storage()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER blob_holders_storage ON blob_holders`);
    await q.query(`DROP FUNCTION blob_holders_storage()`);
    await q.query(`DROP TABLE account_storage`);
  }
}
