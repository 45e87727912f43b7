import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Royalties: payments indexed from RunPaid, the ledger they are allocated into,
 * epochs of cumulative balances (snapshots, roots, on-chain root events) and claims.
 * Every row derived from a chain event references chain_events(id) ON DELETE CASCADE,
 * so a reorganisation rollback removes the payment and, through it, its ledger rows.
 */
export class Royalties1700000004000 implements MigrationInterface {
  name = 'Royalties1700000004000';

  async up(q: QueryRunner): Promise<void> {
    // Allocation order: an epoch includes every payment allocated up to its watermark.
    await q.query(`CREATE SEQUENCE royalty_allocation_seq`);
    await q.query(`
      CREATE TABLE royalty_payments (
        id                bigserial PRIMARY KEY,
        chain_event_id    bigint NOT NULL UNIQUE REFERENCES chain_events(id) ON DELETE CASCADE,
        run_id            char(66) NOT NULL,
        token             char(42) NOT NULL,
        payer             char(42) NOT NULL,
        amount            numeric(78,0) NOT NULL CHECK (amount > 0),
        fee               numeric(78,0) NOT NULL CHECK (fee >= 0),
        net               numeric(78,0) NOT NULL CHECK (net >= 0),
        tx_hash           char(66) NOT NULL,
        log_index         integer NOT NULL,
        block_number      bigint NOT NULL,
        block_time        timestamptz NOT NULL,
        source            text CHECK (source IN ('run', 'license')),
        training_run_id   uuid REFERENCES training_runs(id),
        license_id        uuid REFERENCES licenses(id),
        allocation_seq    bigint UNIQUE,
        allocated_at      timestamptz,
        allocation_error  text,
        CHECK (fee + net = amount),
        CHECK ((allocation_seq IS NULL) = (source IS NULL))
      )`);
    await q.query(`CREATE INDEX royalty_payments_run_idx ON royalty_payments (run_id)`);
    await q.query(
      `CREATE INDEX royalty_payments_unallocated_idx ON royalty_payments (id) WHERE allocation_seq IS NULL`,
    );
    await q.query(`
      CREATE TABLE ledger_entries (
        payment_id  bigint NOT NULL REFERENCES royalty_payments(id) ON DELETE CASCADE,
        dataset_id  uuid NOT NULL REFERENCES datasets(id),
        account     char(42) NOT NULL,
        token       char(42) NOT NULL,
        amount      numeric(78,0) NOT NULL CHECK (amount > 0),
        PRIMARY KEY (payment_id, dataset_id, account)
      )`);
    await q.query(`CREATE INDEX ledger_entries_account_idx ON ledger_entries (account, token)`);
    // Earned per (account, token): derived from the ledger, never stored twice.
    await q.query(`
      CREATE VIEW royalty_balances AS
        SELECT account, token, SUM(amount) AS earned FROM ledger_entries GROUP BY account, token`);

    await q.query(`
      CREATE TABLE royalty_epochs (
        epoch             bigint PRIMARY KEY CHECK (epoch > 0),
        root              char(66) NOT NULL,
        data_hash         char(66) NOT NULL,
        ledger_watermark  bigint NOT NULL,
        payment_count     integer NOT NULL,
        leaf_count        integer NOT NULL CHECK (leaf_count > 0),
        outbox_key        text NOT NULL UNIQUE,
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE epoch_balances (
        epoch       bigint NOT NULL REFERENCES royalty_epochs(epoch) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        token       char(42) NOT NULL,
        account     char(42) NOT NULL,
        cumulative  numeric(78,0) NOT NULL CHECK (cumulative > 0),
        PRIMARY KEY (epoch, token, account)
      )`);
    await q.query(`CREATE INDEX epoch_balances_account_idx ON epoch_balances (account, epoch)`);
    await q.query(`
      CREATE TABLE epoch_root_events (
        chain_event_id  bigint PRIMARY KEY REFERENCES chain_events(id) ON DELETE CASCADE,
        epoch           bigint NOT NULL,
        kind            text NOT NULL CHECK (kind IN ('proposed', 'accepted', 'vetoed')),
        root            char(66) NOT NULL,
        claimable_at    timestamptz
      )`);
    await q.query(`CREATE INDEX epoch_root_events_epoch_idx ON epoch_root_events (epoch, kind)`);
    await q.query(`
      CREATE TABLE royalty_claims (
        chain_event_id  bigint PRIMARY KEY REFERENCES chain_events(id) ON DELETE CASCADE,
        account         char(42) NOT NULL,
        token           char(42) NOT NULL,
        epoch           bigint NOT NULL,
        amount          numeric(78,0) NOT NULL,
        cumulative      numeric(78,0) NOT NULL
      )`);
    await q.query(`CREATE INDEX royalty_claims_account_idx ON royalty_claims (account, token)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['royalty_claims', 'epoch_root_events', 'epoch_balances', 'royalty_epochs'])
      await q.query(`DROP TABLE ${t}`);
    await q.query(`DROP VIEW royalty_balances`);
    await q.query(`DROP TABLE ledger_entries`);
    await q.query(`DROP TABLE royalty_payments`);
    await q.query(`DROP SEQUENCE royalty_allocation_seq`);
  }
}
