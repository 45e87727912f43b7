import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public record: datasets (with files, owners and lineage), licenses,
 * training runs with their entries, and the anchoring of both on-chain.
 * Token amounts are numeric(78,0) (a uint256), handled as bigint in code.
 */
export class Catalogue1700000001000 implements MigrationInterface {
  name = 'Catalogue1700000001000';

  async up(q: QueryRunner): Promise<void> {
    // Anchoring: every signed record is a leaf; leaves are batched into a root posted to the ProvenanceRegistry.
    await q.query(`
      CREATE TABLE anchor_batches (
        id              bigserial PRIMARY KEY,
        kind            smallint NOT NULL CHECK (kind IN (0, 1)),
        root            char(66) NOT NULL UNIQUE,
        item_count      integer NOT NULL CHECK (item_count > 0),
        outbox_key      text NOT NULL UNIQUE,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE anchor_items (
        id              bigserial PRIMARY KEY,
        kind            smallint NOT NULL CHECK (kind IN (0, 1)),
        leaf            char(66) NOT NULL UNIQUE,
        batch_id        bigint REFERENCES anchor_batches(id),
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX anchor_items_unbatched_idx ON anchor_items (kind, id) WHERE batch_id IS NULL`);
    await q.query(`CREATE INDEX anchor_items_batch_idx ON anchor_items (batch_id)`);

    // Replay protection for every EIP-712 message: a (signer, nonce) is used once.
    await q.query(`
      CREATE TABLE used_nonces (
        signer          char(42) NOT NULL,
        nonce           numeric(78,0) NOT NULL,
        purpose         text NOT NULL,
        used_at         timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (signer, nonce)
      )`);

    await q.query(`
      CREATE TABLE datasets (
        id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        content_root        char(66) NOT NULL UNIQUE,
        title               text NOT NULL,
        description         text NOT NULL DEFAULT '',
        registrant          char(42) NOT NULL,
        storage             text NOT NULL CHECK (storage IN ('uploaded', 'external')),
        external_uri        text,
        file_count          integer NOT NULL CHECK (file_count > 0),
        total_bytes         numeric(78,0) NOT NULL,
        license_template    text NOT NULL,
        license_terms       jsonb NOT NULL,
        license_terms_hash  char(66) NOT NULL,
        licensing_open      boolean NOT NULL DEFAULT true,
        previous_version_id uuid REFERENCES datasets(id),
        nonce               numeric(78,0) NOT NULL,
        deadline            timestamptz NOT NULL,
        signature           text NOT NULL,
        digest              char(66) NOT NULL UNIQUE,
        anchor_item_id      bigint NOT NULL REFERENCES anchor_items(id),
        created_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX datasets_registrant_idx ON datasets (registrant)`);
    await q.query(`CREATE INDEX datasets_license_idx ON datasets (license_template)`);
    await q.query(`CREATE INDEX datasets_created_idx ON datasets (created_at, id)`);
    await q.query(`CREATE INDEX datasets_previous_idx ON datasets (previous_version_id)`);
    await q.query(`
      CREATE TABLE dataset_files (
        dataset_id  uuid NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        path        text NOT NULL,
        size        numeric(78,0) NOT NULL,
        sha256      char(64) NOT NULL,
        PRIMARY KEY (dataset_id, path)
      )`);
    await q.query(`CREATE INDEX dataset_files_sha256_idx ON dataset_files (sha256)`);
    await q.query(`
      CREATE TABLE dataset_owners (
        dataset_id  uuid NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        account     char(42) NOT NULL,
        share_bps   integer NOT NULL CHECK (share_bps > 0 AND share_bps <= 10000),
        PRIMARY KEY (dataset_id, account)
      )`);
    await q.query(`CREATE INDEX dataset_owners_account_idx ON dataset_owners (account)`);
    await q.query(`
      CREATE TABLE dataset_parents (
        dataset_id    uuid NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        parent_id     uuid NOT NULL REFERENCES datasets(id),
        upstream_bps  integer NOT NULL CHECK (upstream_bps >= 0 AND upstream_bps <= 10000),
        PRIMARY KEY (dataset_id, parent_id),
        CHECK (dataset_id <> parent_id)
      )`);
    await q.query(`CREATE INDEX dataset_parents_parent_idx ON dataset_parents (parent_id)`);

    // Uploaded blobs, content-addressed; an upload session is resumable (tus).
    await q.query(`
      CREATE TABLE blobs (
        sha256      char(64) PRIMARY KEY,
        size        numeric(78,0) NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE licenses (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dataset_id      uuid NOT NULL REFERENCES datasets(id),
        licensee        char(42) NOT NULL,
        terms_hash      char(66) NOT NULL,
        status          text NOT NULL CHECK (status IN ('pending_payment', 'active', 'expired', 'revoked')),
        fee_token       char(42),
        fee_amount      numeric(78,0) NOT NULL DEFAULT 0,
        payment_ref     char(66) UNIQUE,
        nonce           numeric(78,0) NOT NULL,
        deadline        timestamptz NOT NULL,
        signature       text NOT NULL,
        digest          char(66) NOT NULL UNIQUE,
        expires_at      timestamptz,
        activated_at    timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX licenses_licensee_idx ON licenses (licensee, dataset_id)`);
    await q.query(`CREATE INDEX licenses_dataset_idx ON licenses (dataset_id)`);

    await q.query(`
      CREATE TABLE training_runs (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id          char(66) NOT NULL UNIQUE,
        lab             char(42) NOT NULL,
        model_name      text NOT NULL,
        model_hash      char(66) NOT NULL,
        run_ref         char(66) NOT NULL,
        entries_root    char(66) NOT NULL,
        entry_count     integer NOT NULL CHECK (entry_count > 0),
        weight_unit     text NOT NULL,
        total_weight    numeric(78,0) NOT NULL,
        started_at      timestamptz NOT NULL,
        ended_at        timestamptz NOT NULL,
        nonce           numeric(78,0) NOT NULL,
        deadline        timestamptz NOT NULL,
        signature       text NOT NULL,
        digest          char(66) NOT NULL UNIQUE,
        anchor_item_id  bigint NOT NULL REFERENCES anchor_items(id),
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX training_runs_model_idx ON training_runs (model_hash)`);
    await q.query(`CREATE INDEX training_runs_lab_idx ON training_runs (lab)`);
    await q.query(`
      CREATE TABLE run_entries (
        run_id      uuid NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
        position    integer NOT NULL,
        dataset_id  uuid NOT NULL REFERENCES datasets(id),
        weight      numeric(78,0) NOT NULL CHECK (weight > 0),
        PRIMARY KEY (run_id, position),
        UNIQUE (run_id, dataset_id)
      )`);
    await q.query(`CREATE INDEX run_entries_dataset_idx ON run_entries (dataset_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'run_entries',
      'training_runs',
      'licenses',
      'blobs',
      'dataset_parents',
      'dataset_owners',
      'dataset_files',
      'datasets',
      'used_nonces',
      'anchor_items',
      'anchor_batches',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
