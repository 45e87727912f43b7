import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finished resumable (tus) uploads, kept for a while after the last byte: a client that lost the
 * answer to its last PATCH asks with HEAD (or repeats the PATCH) and learns that the upload is
 * complete and what its bytes hash to, instead of starting over. In PostgreSQL, so every replica
 * answers alike. A row lives until `expires_at` and only while its owner still holds the blob (the
 * orphan collector's deletion of the holder row cascades).
 */
export class UploadCompletions1700000012000 implements MigrationInterface {
  name = 'UploadCompletions1700000012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE upload_completions (
        upload_id     text PRIMARY KEY CHECK (length(upload_id) BETWEEN 1 AND 128 AND upload_id ~ '^[0-9A-Za-z_-]+$'),
        account       text NOT NULL,
        sha256        text NOT NULL,
        size          numeric(78,0) NOT NULL CHECK (size >= 0),
        completed_at  timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz NOT NULL,
        FOREIGN KEY (account, sha256) REFERENCES blob_holders (account, sha256) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX upload_completions_holder_idx ON upload_completions (account, sha256)`);
    await q.query(`CREATE INDEX upload_completions_expires_idx ON upload_completions (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE upload_completions`);
  }
}
