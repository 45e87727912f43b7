import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Takedowns (issue 15): an owner's signed EIP-712 `Takedown` withdraws a dataset version. The row is
 * the public record (who, why, when, the signature) and, when the owner asked for the bytes to be
 * deleted, when that happened and how many blobs went (`blobs_deleted`) or stayed because another
 * live dataset holds them (`blobs_kept`). The dataset row, its files and the runs that used it stay.
 */
export class DatasetTakedowns1700000015000 implements MigrationInterface {
  name = 'DatasetTakedowns1700000015000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dataset_takedowns (
        dataset_id        uuid PRIMARY KEY REFERENCES datasets(id),
        signer            text NOT NULL CHECK (length(signer) = 42 AND signer ~ '^0x[0-9a-f]+$'),
        reason            text NOT NULL,
        delete_bytes      boolean NOT NULL,
        nonce             numeric(78,0) NOT NULL,
        deadline          timestamptz NOT NULL,
        signature         text NOT NULL,
        digest            text NOT NULL UNIQUE CHECK (length(digest) = 66 AND digest ~ '^0x[0-9a-f]+$'),
        taken_down_at     timestamptz NOT NULL DEFAULT now(),
        bytes_deleted_at  timestamptz,
        blobs_deleted     integer NOT NULL DEFAULT 0 CHECK (blobs_deleted >= 0),
        blobs_kept        integer NOT NULL DEFAULT 0 CHECK (blobs_kept >= 0),
        CHECK (bytes_deleted_at IS NULL OR delete_bytes)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dataset_takedowns`);
  }
}
