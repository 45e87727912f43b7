import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orphan-blob collection.
 * - `blob_deletions`: blobs whose rows the collector deleted and whose bytes are still to be removed
 *   from the blob store; queued in the transaction that deletes the rows, drained after it commits
 *   (and on every later pass, so a crash in between leaves nothing behind).
 * - `blobs_last_uploaded_idx`: the collector looks for the oldest unreferenced blobs.
 */
export class BlobDeletions1700000008000 implements MigrationInterface {
  name = 'BlobDeletions1700000008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE blob_deletions (
        sha256     text PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 ~ '^[0-9a-f]+$'),
        queued_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX blob_deletions_queued_idx ON blob_deletions (queued_at)`);
    await q.query(`CREATE INDEX blobs_last_uploaded_idx ON blobs (last_uploaded_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX blobs_last_uploaded_idx`);
    await q.query(`DROP TABLE blob_deletions`);
  }
}
