import type { MigrationInterface, QueryRunner } from 'typeorm';

/** As length plus class (cheaper per row than a bounded repetition; see 1700000010000). */
const address = (column: string) => `length(${column}) = 42 AND ${column} ~ '^0x[0-9a-f]+$'`;

/**
 * Licenses that mean something (issue 11).
 * - `licenses.duration_days`: from the signed terms; `expires_at` is set `duration_days` after the license
 *   becomes active (at once for free terms, at the indexed fee payment otherwise). A rolled-back activation
 *   clears that expiry again.
 * - `licenses.first_run_id`: the run the acquisition fee of a paid-per-run license covered (its first run).
 * - `run_fees`: the per-run fee each further run owes for a paid-per-run dataset, fixed at commit.
 * - `royalty_payment_run_fees`: how much of a payment covered which run fee (gross, and its net after the
 *   protocol fee); deleted with the payment when a reorg removes it.
 */
export class LicenseTermsInForce1700000009000 implements MigrationInterface {
  name = 'LicenseTermsInForce1700000009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE licenses ADD COLUMN duration_days integer CHECK (duration_days BETWEEN 1 AND 3650),
                            ADD COLUMN first_run_id uuid REFERENCES training_runs(id)`,
    );
    // Runs recorded before this migration: the earliest run of the lab that used the dataset had the fee.
    await q.query(`
      UPDATE licenses l SET first_run_id = (
        SELECT r.id FROM training_runs r JOIN run_entries e ON e.run_id = r.id
        WHERE r.lab = l.licensee AND e.dataset_id = l.dataset_id AND r.created_at >= l.created_at
        ORDER BY r.created_at, r.id LIMIT 1)
      WHERE l.fee_token IS NOT NULL AND l.status = 'active'`);
    await q.query(`
      CREATE OR REPLACE FUNCTION licenses_payment_rolled_back() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.activated_by_event_id IS NULL AND OLD.activated_by_event_id IS NOT NULL AND NEW.status = 'active' THEN
          NEW.status := 'pending_payment';
          NEW.activated_at := NULL;
          IF NEW.duration_days IS NOT NULL THEN
            NEW.expires_at := NULL;
          END IF;
        END IF;
        RETURN NEW;
      END $$`);

    await q.query(`
      CREATE TABLE run_fees (
        run_id      uuid NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
        dataset_id  uuid NOT NULL REFERENCES datasets(id),
        license_id  uuid NOT NULL REFERENCES licenses(id),
        token       text NOT NULL CHECK (${address('token')}),
        amount      numeric(78,0) NOT NULL CHECK (amount > 0),
        PRIMARY KEY (run_id, dataset_id)
      )`);
    await q.query(`
      CREATE TABLE royalty_payment_run_fees (
        payment_id  bigint NOT NULL REFERENCES royalty_payments(id) ON DELETE CASCADE,
        run_id      uuid NOT NULL,
        dataset_id  uuid NOT NULL,
        amount      numeric(78,0) NOT NULL CHECK (amount > 0),
        net         numeric(78,0) NOT NULL CHECK (net >= 0 AND net <= amount),
        PRIMARY KEY (payment_id, dataset_id),
        FOREIGN KEY (run_id, dataset_id) REFERENCES run_fees(run_id, dataset_id)
      )`);
    await q.query(`CREATE INDEX royalty_payment_run_fees_run_idx ON royalty_payment_run_fees (run_id, dataset_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE royalty_payment_run_fees`);
    await q.query(`DROP TABLE run_fees`);
    await q.query(`
      CREATE OR REPLACE FUNCTION licenses_payment_rolled_back() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.activated_by_event_id IS NULL AND OLD.activated_by_event_id IS NOT NULL AND NEW.status = 'active' THEN
          NEW.status := 'pending_payment';
          NEW.activated_at := NULL;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`ALTER TABLE licenses DROP COLUMN first_run_id, DROP COLUMN duration_days`);
  }
}
