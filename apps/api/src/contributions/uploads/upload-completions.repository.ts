import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address, Sha256 } from '@upstream/api-contract';
import { SqlRepository } from '../../common/persistence/unit-of-work';

/** A finished tus upload, as HEAD (and a repeated last PATCH) report it until it expires. */
export interface UploadCompletion {
  account: Address;
  sha256: Sha256;
  size: number;
  expiresAt: Date;
}

/**
 * `upload_completions`: finished resumable uploads, kept for `ttlMs` after the last byte so that a
 * client which lost the final answer learns the upload is complete (and its digest) instead of
 * sending it again. Rows go when they expire, or with their owner's hold on the blob.
 */
@Injectable()
export class UploadCompletionsRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /** Records that upload `id` finished as `sha256` for `account` (after the blob holder row exists). */
  async record(id: string, account: Address, sha256: Sha256, size: number, ttlMs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO upload_completions (upload_id, account, sha256, size, expires_at)
       VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond')
       ON CONFLICT (upload_id) DO UPDATE
         SET account = EXCLUDED.account, sha256 = EXCLUDED.sha256, size = EXCLUDED.size,
             completed_at = now(), expires_at = EXCLUDED.expires_at`,
      [id, account, sha256, String(size), ttlMs],
    );
  }

  /** The completion of upload `id`, unless there is none or it has expired. */
  async find(id: string): Promise<UploadCompletion | undefined> {
    const [row] = await this.db.query<{ account: Address; sha256: Sha256; size: string; expires_at: Date }[]>(
      `SELECT account, sha256, size::text AS size, expires_at FROM upload_completions
       WHERE upload_id = $1 AND expires_at > now()`,
      [id],
    );
    return row && { account: row.account, sha256: row.sha256, size: Number(row.size), expiresAt: row.expires_at };
  }

  /** Forgets upload `id`'s completion (its owner terminated it); answers whether there was one. */
  async delete(id: string): Promise<boolean> {
    // As a CTE: a bare DELETE answers [rows, count] through TypeORM, a SELECT its rows.
    const [row] = await this.db.query<{ n: number }[]>(
      `WITH gone AS (DELETE FROM upload_completions WHERE upload_id = $1 AND expires_at > now() RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [id],
    );
    return row.n > 0;
  }

  /** Drops up to `limit` expired completions; answers how many. */
  async purgeExpired(limit: number): Promise<number> {
    const [row] = await this.db.query<{ n: number }[]>(
      `WITH gone AS (
         DELETE FROM upload_completions WHERE upload_id IN (
           SELECT upload_id FROM upload_completions WHERE expires_at <= now() ORDER BY expires_at LIMIT $1
         ) RETURNING 1
       )
       SELECT count(*)::int AS n FROM gone`,
      [limit],
    );
    return row.n;
  }
}
