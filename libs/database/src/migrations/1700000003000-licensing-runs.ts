import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Licensing and training runs: what activated a paid license (cascade-safe under
 * reorgs), the staging area for chunked run manifests (visible only once committed),
 * and the index that sums RunPaid payments per run id.
 */
export class LicensingRuns1700000003000 implements MigrationInterface {
  name = 'LicensingRuns1700000003000';

  async up(q: QueryRunner): Promise<void> {
    // A paid license is active because of one RunPaid event; if a reorg deletes that event the
    // reference is nulled and the trigger puts the license back to pending_payment.
    await q.query(
      `ALTER TABLE licenses ADD COLUMN activated_by_event_id bigint REFERENCES chain_events(id) ON DELETE SET NULL`,
    );
    await q.query(
      `CREATE INDEX licenses_activated_by_idx ON licenses (activated_by_event_id) WHERE activated_by_event_id IS NOT NULL`,
    );
    await q.query(`
      CREATE FUNCTION licenses_payment_rolled_back() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.activated_by_event_id IS NULL AND OLD.activated_by_event_id IS NOT NULL AND NEW.status = 'active' THEN
          NEW.status := 'pending_payment';
          NEW.activated_at := NULL;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER licenses_payment_rolled_back BEFORE UPDATE OF activated_by_event_id ON licenses
      FOR EACH ROW EXECUTE FUNCTION licenses_payment_rolled_back()`);

    await q.query(`ALTER TABLE datasets ADD COLUMN licensing_changed_at timestamptz`);

    // A run manifest being uploaded in chunks. On commit its rows move to training_runs/run_entries
    // (same id) and the upload is deleted; until then nothing of the run is public.
    await q.query(`
      CREATE TABLE run_uploads (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        lab             char(42) NOT NULL,
        model_name      text NOT NULL,
        model_hash      char(66) NOT NULL,
        run_ref         char(66) NOT NULL,
        entries_root    char(66) NOT NULL,
        entry_count     integer NOT NULL CHECK (entry_count > 0),
        weight_unit     text NOT NULL,
        started_at      timestamptz NOT NULL,
        ended_at        timestamptz NOT NULL,
        nonce           numeric(78,0) NOT NULL,
        deadline        timestamptz NOT NULL,
        signature       text NOT NULL,
        digest          char(66) NOT NULL UNIQUE,
        received        integer NOT NULL DEFAULT 0,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    // Unlogged: staging only (a crash loses unfinished uploads, never a committed run).
    await q.query(`
      CREATE UNLOGGED TABLE run_upload_entries (
        upload_id     uuid NOT NULL,
        position      integer NOT NULL,
        dataset_root  char(66) NOT NULL,
        weight        numeric(78,0) NOT NULL,
        PRIMARY KEY (upload_id, position)
      )`);

    await q.query(
      `CREATE INDEX chain_events_run_paid_run_id_idx ON chain_events ((args->>'runId')) WHERE event_name = 'RunPaid'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX chain_events_run_paid_run_id_idx`);
    await q.query(`DROP TABLE run_upload_entries`);
    await q.query(`DROP TABLE run_uploads`);
    await q.query(`ALTER TABLE datasets DROP COLUMN licensing_changed_at`);
    await q.query(`DROP TRIGGER licenses_payment_rolled_back ON licenses`);
    await q.query(`DROP FUNCTION licenses_payment_rolled_back()`);
    await q.query(`ALTER TABLE licenses DROP COLUMN activated_by_event_id`);
  }
}
