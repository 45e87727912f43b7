import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settlement under rollbacks. An epoch records the chain it was built on (its basis block: the
 * indexer's cursor, whose hash covers every payment it includes) and exactly which payment
 * events it used. When a rollback removes its basis block, the epoch is invalidated in the
 * rollback's transaction; a payment event it used that is deleted stays listed, unlinked.
 * Outbox intents can be cancelled (never sent, or replaced on chain by a no-op at their nonce).
 * `worker_conditions` is what the worker last found about the chain and settlement, for /health.
 */
export class SettlementRollbacks1700000005000 implements MigrationInterface {
  name = 'SettlementRollbacks1700000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE royalty_epochs
        ADD COLUMN basis_block bigint,
        ADD COLUMN basis_block_hash text CHECK (basis_block_hash ~ '^0x[0-9a-f]{64}$'),
        ADD COLUMN invalidated_at timestamptz,
        ADD COLUMN invalidated_reason text,
        ADD CONSTRAINT royalty_epochs_basis_pair CHECK ((basis_block IS NULL) = (basis_block_hash IS NULL)),
        ADD CONSTRAINT royalty_epochs_invalidated_pair CHECK ((invalidated_at IS NULL) = (invalidated_reason IS NULL))`);
    await q.query(
      `CREATE INDEX royalty_epochs_valid_basis_idx ON royalty_epochs (basis_block) WHERE invalidated_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE epoch_payments (
        epoch           bigint NOT NULL REFERENCES royalty_epochs(epoch) ON DELETE CASCADE,
        tx_hash         text NOT NULL,
        log_index       integer NOT NULL,
        block_number    bigint NOT NULL,
        chain_event_id  bigint REFERENCES chain_events(id) ON DELETE SET NULL,
        PRIMARY KEY (epoch, tx_hash, log_index)
      )`);
    await q.query(`CREATE INDEX epoch_payments_event_idx ON epoch_payments (chain_event_id)`);
    await q.query(`ALTER TABLE epoch_root_events DROP CONSTRAINT epoch_root_events_kind_check`);
    await q.query(`
      ALTER TABLE epoch_root_events ADD CONSTRAINT epoch_root_events_kind_check
        CHECK (kind IN ('proposed', 'accepted', 'vetoed', 'withdrawn'))`);
    // Epochs built before this migration: their payments are those allocated up to their watermark.
    await q.query(`
      INSERT INTO epoch_payments (epoch, tx_hash, log_index, block_number, chain_event_id)
      SELECT e.epoch, p.tx_hash, p.log_index, p.block_number, p.chain_event_id
      FROM royalty_epochs e JOIN royalty_payments p ON p.allocation_seq <= e.ledger_watermark`);

    await q.query(`ALTER TABLE outbox_transactions DROP CONSTRAINT outbox_transactions_status_check`);
    await q.query(`
      ALTER TABLE outbox_transactions
        ADD CONSTRAINT outbox_transactions_status_check
          CHECK (status IN ('pending', 'signed', 'mined', 'reverted', 'failed', 'cancelled')),
        ADD COLUMN cancel_reason text,
        ADD COLUMN cancel_tx_hash text`);

    await q.query(`
      CREATE TABLE worker_conditions (
        name        text PRIMARY KEY,
        ok          boolean NOT NULL,
        state       text NOT NULL,
        reason      text,
        details     jsonb NOT NULL DEFAULT '{}',
        since       timestamptz NOT NULL DEFAULT now(),
        checked_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE worker_conditions`);
    await q.query(`ALTER TABLE outbox_transactions DROP COLUMN cancel_tx_hash, DROP COLUMN cancel_reason`);
    await q.query(`ALTER TABLE outbox_transactions DROP CONSTRAINT outbox_transactions_status_check`);
    await q.query(`
      ALTER TABLE outbox_transactions ADD CONSTRAINT outbox_transactions_status_check
        CHECK (status IN ('pending', 'signed', 'mined', 'reverted', 'failed'))`);
    await q.query(`DELETE FROM epoch_root_events WHERE kind = 'withdrawn'`);
    await q.query(`ALTER TABLE epoch_root_events DROP CONSTRAINT epoch_root_events_kind_check`);
    await q.query(
      `ALTER TABLE epoch_root_events ADD CONSTRAINT epoch_root_events_kind_check CHECK (kind IN ('proposed', 'accepted', 'vetoed'))`,
    );
    await q.query(`DROP TABLE epoch_payments`);
    await q.query(`
      ALTER TABLE royalty_epochs DROP COLUMN invalidated_reason, DROP COLUMN invalidated_at,
        DROP COLUMN basis_block_hash, DROP COLUMN basis_block`);
  }
}
