import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address } from '@upstream/api-contract';
import { SqlRepository } from '../common/persistence/unit-of-work';
import { BLOB_COLLECTION_LOCK } from '../contributions/datasets/datasets.repository';

export interface TakedownRow {
  dataset_id: string;
  content_root: string;
  signer: string;
  reason: string;
  delete_bytes: boolean;
  signature: string;
  digest: string;
  taken_down_at: Date;
  bytes_deleted_at: Date | null;
  blobs_deleted: number;
  blobs_kept: number;
  anchor_item_id: string;
}

export interface NewTakedown {
  datasetId: string;
  signer: Address;
  reason: string;
  deleteBytes: boolean;
  nonce: bigint;
  deadline: bigint;
  signature: string;
  digest: string;
  anchorItemId: string;
}

/** Takedowns: the signed record, and the deletion of a taken-down dataset's bytes. */
@Injectable()
export class TakedownRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  async isOwner(datasetId: string, account: Address): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM dataset_owners WHERE dataset_id = $1 AND account = $2`, [
      datasetId,
      account,
    ]);
    return rows.length > 0;
  }

  /**
   * In the takedown's transaction, first: holds the dataset row FOR NO KEY UPDATE until commit, so a
   * license being granted (FOR SHARE, DatasetReadRepository.holdAgainstTakedown) finishes first, and one
   * that starts now sees the takedown. NO KEY: rows that merely reference the dataset are not held up.
   */
  async lockDataset(datasetId: string): Promise<void> {
    await this.db.query(`SELECT 1 FROM datasets WHERE id = $1 FOR NO KEY UPDATE`, [datasetId]);
  }

  /** The takedown record; false when the dataset was already taken down. */
  async insert(t: NewTakedown): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO dataset_takedowns
         (dataset_id, signer, reason, delete_bytes, nonce, deadline, signature, digest, anchor_item_id)
       VALUES ($1, $2, $3, $4, $5, to_timestamp($6::numeric), $7, $8, $9)
       ON CONFLICT (dataset_id) DO NOTHING RETURNING 1 AS ok`,
      [
        t.datasetId,
        t.signer,
        t.reason,
        t.deleteBytes,
        t.nonce.toString(),
        t.deadline.toString(),
        t.signature,
        t.digest,
        t.anchorItemId,
      ],
    );
    return rows.length === 1;
  }

  /**
   * In the takedown's transaction, after its row is written: deletes the blob rows of this dataset's
   * files that no other live uploaded dataset holds (their holders' rows cascade, freeing quota) and
   * queues their bytes in `blob_deletions`, which the worker's blob collector drains; records when and
   * how many. Holds BLOB_COLLECTION_LOCK exclusively, so no registration in flight lists a blob it deletes.
   */
  async deleteBytes(datasetId: string): Promise<void> {
    await this.db.query(`SELECT pg_advisory_xact_lock($1)`, [BLOB_COLLECTION_LOCK]);
    await this.db.query(
      `WITH mine AS (SELECT DISTINCT sha256 FROM dataset_files WHERE dataset_id = $1),
       doomed AS (
         SELECT m.sha256 FROM mine m
         WHERE NOT EXISTS (
           SELECT 1 FROM dataset_files g JOIN datasets d ON d.id = g.dataset_id
           WHERE g.sha256 = m.sha256 AND g.dataset_id <> $1 AND d.storage = 'uploaded'
             AND NOT EXISTS (SELECT 1 FROM dataset_takedowns t WHERE t.dataset_id = d.id))
       ),
       deleted AS (DELETE FROM blobs b USING doomed WHERE b.sha256 = doomed.sha256 RETURNING b.sha256),
       queued AS (
         INSERT INTO blob_deletions (sha256) SELECT sha256 FROM deleted
         ON CONFLICT (sha256) DO UPDATE SET queued_at = now()
       )
       UPDATE dataset_takedowns SET bytes_deleted_at = now(),
         blobs_deleted = (SELECT count(*) FROM deleted),
         blobs_kept = (SELECT count(*) FROM mine) - (SELECT count(*) FROM doomed)
       WHERE dataset_id = $1`,
      [datasetId],
    );
  }

  async find(datasetId: string): Promise<TakedownRow | undefined> {
    const [row] = await this.db.query<TakedownRow[]>(
      `SELECT t.dataset_id, d.content_root, t.signer, t.reason, t.delete_bytes, t.signature, t.digest, t.taken_down_at,
              t.bytes_deleted_at, t.blobs_deleted, t.blobs_kept, t.anchor_item_id::text AS anchor_item_id
       FROM dataset_takedowns t JOIN datasets d ON d.id = t.dataset_id WHERE t.dataset_id = $1`,
      [datasetId],
    );
    return row;
  }
}
