import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disputes (issue 15), as the indexer follows them from DisputeBonds: one row per DisputeOpened and one
 * per DisputeResolved, each referencing its chain event ON DELETE CASCADE, so a chain rollback that
 * removes a resolution leaves the dispute open again and one that removes the opening removes both.
 * `content_root` names the disputed dataset as the chain does (it may name no dataset registered here).
 */
export class Disputes1700000020000 implements MigrationInterface {
  name = 'Disputes1700000020000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE disputes (
        contract        text NOT NULL CHECK (length(contract) = 42 AND contract ~ '^0x[0-9a-f]+$'),
        dispute_id      numeric(78,0) NOT NULL CHECK (dispute_id > 0),
        chain_event_id  bigint NOT NULL UNIQUE REFERENCES chain_events(id) ON DELETE CASCADE,
        content_root    text NOT NULL CHECK (length(content_root) = 66 AND content_root ~ '^0x[0-9a-f]+$'),
        disputer        text NOT NULL CHECK (length(disputer) = 42 AND disputer ~ '^0x[0-9a-f]+$'),
        label           text NOT NULL
                        CHECK (label IN ('IMPROPER_REGISTRATION', 'INFRINGEMENT', 'IMPROPER_USAGE', 'IMPROPER_PAYMENT')),
        token           text NOT NULL CHECK (length(token) = 42 AND token ~ '^0x[0-9a-f]+$'),
        bond            numeric(78,0) NOT NULL CHECK (bond > 0),
        evidence_hash   text NOT NULL CHECK (length(evidence_hash) = 66 AND evidence_hash ~ '^0x[0-9a-f]+$'),
        evidence_uri    text NOT NULL,
        claimed_owners  text[] NOT NULL,
        block_number    bigint NOT NULL,
        log_index       integer NOT NULL,
        opened_at       timestamptz NOT NULL,
        PRIMARY KEY (contract, dispute_id)
      )`);
    await q.query(`CREATE INDEX disputes_content_root_idx ON disputes (content_root)`);
    await q.query(`
      CREATE TABLE dispute_resolutions (
        contract         text NOT NULL,
        dispute_id       numeric(78,0) NOT NULL,
        chain_event_id   bigint NOT NULL UNIQUE REFERENCES chain_events(id) ON DELETE CASCADE,
        upheld           boolean NOT NULL,
        resolver         text NOT NULL CHECK (length(resolver) = 42 AND resolver ~ '^0x[0-9a-f]+$'),
        rightful_owners  jsonb NOT NULL,
        bond_run_id      text NOT NULL CHECK (length(bond_run_id) = 66 AND bond_run_id ~ '^0x[0-9a-f]+$'),
        block_number     bigint NOT NULL,
        log_index        integer NOT NULL,
        resolved_at      timestamptz NOT NULL,
        PRIMARY KEY (contract, dispute_id),
        FOREIGN KEY (contract, dispute_id) REFERENCES disputes (contract, dispute_id) ON DELETE CASCADE,
        CHECK (upheld = (jsonb_array_length(rightful_owners) > 0))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dispute_resolutions`);
    await q.query(`DROP TABLE disputes`);
  }
}
