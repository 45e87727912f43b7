import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dispute escrow in the ledger (issue 15). While a dispute is open, the disputed dataset's owners'
 * shares of a payment are held in `escrow_entries` (one row per payment, dataset and owner) instead of
 * `ledger_entries`. The DisputeResolved event that settles them marks them `released_by` (SET NULL when a
 * rollback removes it) and writes the shares it pays as `ledger_entries` of the same payment with
 * `released_by` set (they cascade with the event). A rejected dispute's bond, paid into the splitter
 * under its `bondRunId`, is a payment of source 'bond'. `escrow_releases` gives each release a number from
 * the allocation sequence, so the next epoch is built once escrow is released even without a new payment.
 */
export class DisputeEscrow1700000022000 implements MigrationInterface {
  name = 'DisputeEscrow1700000022000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE escrow_entries (
        payment_id   bigint NOT NULL REFERENCES royalty_payments(id) ON DELETE CASCADE,
        dataset_id   uuid NOT NULL REFERENCES datasets(id),
        account      text NOT NULL CHECK (length(account) = 42 AND account ~ '^0x[0-9a-f]+$'),
        contract     text NOT NULL,
        dispute_id   numeric(78,0) NOT NULL,
        token        text NOT NULL CHECK (length(token) = 42 AND token ~ '^0x[0-9a-f]+$'),
        amount       numeric(78,0) NOT NULL CHECK (amount > 0),
        held_by      bigint REFERENCES chain_events(id) ON DELETE CASCADE,
        released_by  bigint REFERENCES chain_events(id) ON DELETE SET NULL,
        PRIMARY KEY (payment_id, dataset_id, account, dispute_id),
        FOREIGN KEY (contract, dispute_id) REFERENCES disputes (contract, dispute_id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX escrow_entries_dispute_idx ON escrow_entries (contract, dispute_id) WHERE released_by IS NULL`,
    );
    await q.query(`CREATE INDEX escrow_entries_account_idx ON escrow_entries (account) WHERE released_by IS NULL`);
    await q.query(`CREATE INDEX escrow_entries_released_idx ON escrow_entries (released_by)`);
    await q.query(`CREATE INDEX escrow_entries_held_idx ON escrow_entries (held_by)`);
    await q.query(`
      CREATE TABLE escrow_releases (
        chain_event_id  bigint PRIMARY KEY REFERENCES chain_events(id) ON DELETE CASCADE,
        contract        text NOT NULL,
        dispute_id      numeric(78,0) NOT NULL,
        release_seq     bigint NOT NULL UNIQUE DEFAULT nextval('royalty_allocation_seq'),
        FOREIGN KEY (contract, dispute_id) REFERENCES disputes (contract, dispute_id) ON DELETE CASCADE
      )`);
    await q.query(
      `ALTER TABLE ledger_entries ADD COLUMN released_by bigint REFERENCES chain_events(id) ON DELETE CASCADE`,
    );
    await q.query(
      `CREATE INDEX ledger_entries_released_idx ON ledger_entries (released_by) WHERE released_by IS NOT NULL`,
    );
    await q.query(`CREATE INDEX dispute_resolutions_bond_idx ON dispute_resolutions (bond_run_id) WHERE NOT upheld`);
    await q.query(`ALTER TABLE royalty_payments DROP CONSTRAINT royalty_payments_source_check`);
    await q.query(
      `ALTER TABLE royalty_payments ADD CONSTRAINT royalty_payments_source_check CHECK (source IN ('run', 'license', 'bond'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE royalty_payments DROP CONSTRAINT royalty_payments_source_check`);
    await q.query(
      `ALTER TABLE royalty_payments ADD CONSTRAINT royalty_payments_source_check CHECK (source IN ('run', 'license'))`,
    );
    await q.query(`DROP INDEX dispute_resolutions_bond_idx`);
    await q.query(`ALTER TABLE ledger_entries DROP COLUMN released_by`);
    await q.query(`DROP TABLE escrow_releases`);
    await q.query(`DROP TABLE escrow_entries`);
  }
}
