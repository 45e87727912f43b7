import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An address column's CHECK, as length plus class (cheaper per row than a bounded repetition; see 1700000010000). */
const address = (column: string) => `length(${column}) = 42 AND ${column} ~ '^0x[0-9a-f]+$'`;

/**
 * Access: who may fetch and store bytes.
 * - `auth_nonces`: single-use Sign-In with Ethereum nonces, each valid for a short while.
 * - `sessions` and `api_keys`: opaque bearer credentials, stored only as their SHA-256.
 * - `blob_holders`: which account uploaded which bytes (proof of possession at registration, and
 *   the storage quota); `blobs.last_uploaded_at` keeps a re-uploaded orphan from being collected.
 * - `datasets.access_policy`: `public`, `licensed` or `private`; existing `open-training` datasets
 *   stay public, every other one becomes `licensed`.
 * - `deliveries`: one row per byte-serving response (the delivery receipt).
 * - `service_secrets`: secrets every replica shares, made once (the signed download URL key).
 */
export class Access1700000007000 implements MigrationInterface {
  name = 'Access1700000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth_nonces (
        nonce       text PRIMARY KEY CHECK (nonce ~ '^[A-Za-z0-9]{8,64}$'),
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz
      )`);
    await q.query(`CREATE INDEX auth_nonces_expires_idx ON auth_nonces (expires_at)`);
    await q.query(`
      CREATE TABLE sessions (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash  bytea NOT NULL UNIQUE,
        account     text NOT NULL CHECK (${address('account')}),
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        revoked_at  timestamptz,
        ip          text,
        user_agent  text
      )`);
    await q.query(`CREATE INDEX sessions_account_idx ON sessions (account)`);
    await q.query(`
      CREATE TABLE api_keys (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key_hash      bytea NOT NULL UNIQUE,
        account       text NOT NULL CHECK (${address('account')}),
        label         text NOT NULL,
        scopes        text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'upload', 'download', 'runs:write']::text[] AND cardinality(scopes) > 0),
        created_at    timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz NOT NULL,
        revoked_at    timestamptz,
        last_used_at  timestamptz,
        last_used_ip  text
      )`);
    await q.query(`CREATE INDEX api_keys_account_idx ON api_keys (account, created_at)`);

    await q.query(`ALTER TABLE blobs ADD COLUMN last_uploaded_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`UPDATE blobs SET last_uploaded_at = created_at`);
    await q.query(`
      CREATE TABLE blob_holders (
        account      text NOT NULL CHECK (${address('account')}),
        sha256       text NOT NULL REFERENCES blobs(sha256) ON DELETE CASCADE,
        size         numeric(78,0) NOT NULL,
        uploaded_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account, sha256)
      )`);
    await q.query(`CREATE INDEX blob_holders_sha256_idx ON blob_holders (sha256)`);

    await q.query(`
      ALTER TABLE datasets ADD COLUMN access_policy text NOT NULL DEFAULT 'licensed'
        CHECK (access_policy IN ('public', 'licensed', 'private'))`);
    await q.query(`UPDATE datasets SET access_policy = 'public' WHERE license_template = 'open-training'`);

    await q.query(`
      CREATE TABLE deliveries (
        id           bigserial PRIMARY KEY,
        account      text CHECK (${address('account')}),
        dataset_id   uuid REFERENCES datasets(id) ON DELETE SET NULL,
        license_id   uuid REFERENCES licenses(id) ON DELETE SET NULL,
        sha256       text NOT NULL,
        first_byte   numeric(78,0) NOT NULL,
        bytes        numeric(78,0) NOT NULL,
        via          text NOT NULL CHECK (via IN ('session', 'api-key', 'signed-url', 'public')),
        request_id   text,
        delivered_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX deliveries_dataset_idx ON deliveries (dataset_id, delivered_at)`);
    await q.query(`CREATE INDEX deliveries_account_idx ON deliveries (account, delivered_at)`);
    await q.query(`
      CREATE TABLE service_secrets (
        name        text PRIMARY KEY,
        secret      bytea NOT NULL CHECK (length(secret) >= 32),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE service_secrets`);
    await q.query(`DROP TABLE deliveries`);
    await q.query(`ALTER TABLE datasets DROP COLUMN access_policy`);
    await q.query(`DROP TABLE blob_holders`);
    await q.query(`ALTER TABLE blobs DROP COLUMN last_uploaded_at`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE auth_nonces`);
  }
}
