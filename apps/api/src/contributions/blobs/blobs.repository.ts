import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Sha256 } from '@upstream/api-contract';
import { SqlRepository, type Queryable } from '../../common/persistence/unit-of-work';

/** The `blobs` table: which content addresses the blob store holds. */
@Injectable()
export class BlobsRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  async record(sha256: string, size: bigint): Promise<void> {
    await this.db.query(`INSERT INTO blobs (sha256, size) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING`, [
      sha256,
      size.toString(),
    ]);
  }

  /** A stored blob's size and when it was first stored (its Last-Modified: the bytes never change). */
  async find(sha256: Sha256): Promise<{ size: bigint; storedAt: Date } | undefined> {
    const [row] = await this.db.query<{ size: string; created_at: Date }[]>(
      `SELECT size, created_at FROM blobs WHERE sha256 = $1`,
      [sha256],
    );
    return row ? { size: BigInt(row.size), storedAt: row.created_at } : undefined;
  }

  /**
   * The digests of `sha256s` that are not stored (deduplicated, in first-seen order), as the JSON of
   * `MissingBlobsResponseDto` written by PostgreSQL: `{"missing":["…","…"]}` (hex digits need no
   * escaping). bpchar[] like the char(64) key, so its index serves.
   * `sha256s`: normalised digests joined by `,` (PostgreSQL splits them: no 100,000-item array is built here).
   * One text value back, not a row per digest: 100,000 rows cost the event loop ~0.2 s and ~15 MB of
   * row objects to parse, an array and its JSON.stringify; one 6.7 MB value none of that.
   */
  async missingJson(sha256s: string, em: Queryable = this.db): Promise<string> {
    const [row] = await em.query<{ json: string }[]>(
      `SELECT '{"missing":[' || coalesce(string_agg('"' || u.sha256::text || '"', ',' ORDER BY u.o), '') || ']}' AS json
         FROM (SELECT DISTINCT ON (h) h AS sha256, o FROM unnest(string_to_array($1::text, ',')::bpchar[]) WITH ORDINALITY AS t(h, o) ORDER BY h, o) u
        WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = u.sha256)`,
      [sha256s],
    );
    return row.json;
  }
}
