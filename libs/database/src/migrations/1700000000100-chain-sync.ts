import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The indexer's cursor and applied events, and the transaction outbox.
 * Rows derived from an event reference chain_events(id) ON DELETE CASCADE,
 * so rolling back a reorganised block is deleting its events.
 */
export class ChainSync1700000000100 implements MigrationInterface {
  name = 'ChainSync1700000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chain_cursors (
        name          text PRIMARY KEY,
        block_number  bigint NOT NULL,
        block_hash    char(66),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE chain_blocks (
        cursor_name   text NOT NULL REFERENCES chain_cursors(name) ON DELETE CASCADE,
        block_number  bigint NOT NULL,
        block_hash    char(66) NOT NULL,
        PRIMARY KEY (cursor_name, block_number)
      )`);
    await q.query(`
      CREATE TABLE chain_events (
        id            bigserial PRIMARY KEY,
        block_number  bigint NOT NULL,
        block_hash    char(66) NOT NULL,
        tx_hash       char(66) NOT NULL,
        log_index     integer NOT NULL,
        address       char(42) NOT NULL,
        event_name    text NOT NULL,
        args          jsonb NOT NULL,
        block_time    timestamptz NOT NULL,
        applied_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT chain_events_tx_log_unique UNIQUE (tx_hash, log_index)
      )`);
    await q.query(`CREATE INDEX chain_events_block_idx ON chain_events (block_number)`);
    await q.query(`CREATE INDEX chain_events_name_idx ON chain_events (event_name, block_number)`);
    await q.query(`
      CREATE TABLE outbox_transactions (
        id              bigserial PRIMARY KEY,
        idempotency_key text NOT NULL UNIQUE,
        kind            text NOT NULL,
        sender          char(42) NOT NULL,
        to_address      char(42) NOT NULL,
        data            text NOT NULL,
        value           numeric(78,0) NOT NULL DEFAULT 0,
        status          text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'signed', 'mined', 'reverted', 'failed')),
        nonce           bigint,
        raw_txs         text[] NOT NULL DEFAULT '{}',
        tx_hashes       text[] NOT NULL DEFAULT '{}',
        mined_tx_hash   char(66),
        mined_block     bigint,
        attempts        integer NOT NULL DEFAULT 0,
        last_error      text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        signed_at       timestamptz,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT outbox_sender_nonce_unique UNIQUE (sender, nonce)
      )`);
    await q.query(
      `CREATE INDEX outbox_open_idx ON outbox_transactions (sender, id) WHERE status IN ('pending', 'signed')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_transactions`);
    await q.query(`DROP TABLE chain_events`);
    await q.query(`DROP TABLE chain_blocks`);
    await q.query(`DROP TABLE chain_cursors`);
  }
}
