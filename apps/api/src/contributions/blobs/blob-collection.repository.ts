import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Sha256 } from '@upstream/api-contract';
import { SqlRepository } from '../../common/persistence/unit-of-work';
import { BLOB_COLLECTION_LOCK } from '../datasets/datasets.repository';

/**
 * Orphan-blob collection's SQL: the exclusive side of BLOB_COLLECTION_LOCK (registrations take it
 * shared), the `blob_deletions` queue of bytes still to remove, and a per-blob lock that orders a
 * file's removal against an upload of the same bytes. The per-blob lock uses the two-int key form
 * (BLOB_COLLECTION_LOCK, hashtext(sha256)), a key space apart from the one-bigint registration lock.
 */
@Injectable()
export class BlobCollectionRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /** In a transaction: waits for registrations in flight and holds off new ones until it ends. */
  async lockOutRegistrations(): Promise<void> {
    await this.db.query(`SELECT pg_advisory_xact_lock($1)`, [BLOB_COLLECTION_LOCK]);
  }

  /**
   * In a transaction holding `lockOutRegistrations`: deletes up to `limit` blobs last uploaded more
   * than `olderThanMs` ago that no dataset file references (their `blob_holders` rows cascade, which
   * frees the uploaders' quota), and queues their bytes in `blob_deletions`. Answers their digests.
   * FOR UPDATE re-reads a blob whose `last_uploaded_at` an upload has just moved, and skips it.
   */
  async collect(olderThanMs: number, limit: number): Promise<Sha256[]> {
    const rows: { sha256: Sha256 }[] = await this.db.query(
      `WITH orphans AS (
         SELECT b.sha256 FROM blobs b
         WHERE b.last_uploaded_at < now() - $1 * interval '1 millisecond'
           AND NOT EXISTS (SELECT 1 FROM dataset_files f WHERE f.sha256 = b.sha256)
         ORDER BY b.last_uploaded_at LIMIT $2
         FOR UPDATE OF b
       ), deleted AS (
         DELETE FROM blobs b USING orphans o WHERE b.sha256 = o.sha256 RETURNING b.sha256
       ), queued AS (
         INSERT INTO blob_deletions (sha256) SELECT sha256 FROM deleted
         ON CONFLICT (sha256) DO UPDATE SET queued_at = now()
       )
       SELECT sha256 FROM deleted`,
      [olderThanMs, limit],
    );
    return rows.map((r) => r.sha256);
  }

  /** The oldest queued deletions. */
  async queued(limit: number): Promise<Sha256[]> {
    const rows: { sha256: Sha256 }[] = await this.db.query(
      `SELECT sha256 FROM blob_deletions ORDER BY queued_at, sha256 LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.sha256);
  }

  /** In a transaction: orders removing this blob's bytes against recording an upload of them. */
  async lockBlob(sha256: Sha256): Promise<void> {
    await this.db.query(`SELECT pg_advisory_xact_lock($1::int, hashtext($2))`, [BLOB_COLLECTION_LOCK, sha256]);
  }

  /** Takes the blob off the deletion queue; false when it was not queued (any more). */
  async unqueue(sha256: Sha256): Promise<boolean> {
    // A bare DELETE … RETURNING comes back from TypeORM as [rows, rowCount]; a CTE keeps the rows plain.
    const rows: unknown[] = await this.db.query(
      `WITH gone AS (DELETE FROM blob_deletions WHERE sha256 = $1 RETURNING sha256) SELECT sha256 FROM gone`,
      [sha256],
    );
    return rows.length > 0;
  }

  /** Whether `blobs` has a row for the digest (an upload recorded it again). */
  async isRecorded(sha256: Sha256): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM blobs WHERE sha256 = $1`, [sha256]);
    return rows.length > 0;
  }
}
