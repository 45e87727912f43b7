import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address, Sha256 } from '@upstream/api-contract';
import { licenseInForce } from '../../catalogue/dataset-read.repository';
import { SqlRepository } from '../../common/persistence/unit-of-work';

/**
 * Which account uploaded which bytes (`blob_holders`): the proof of possession a registration needs,
 * and what counts against an account's storage quota.
 */
@Injectable()
export class BlobHoldersRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /** Records that `account` uploaded these bytes (again: the blob's orphan clock restarts). */
  async record(account: Address, sha256: Sha256, size: bigint): Promise<void> {
    await this.db.query(
      `WITH touched AS (UPDATE blobs SET last_uploaded_at = now() WHERE sha256 = $2)
       INSERT INTO blob_holders (account, sha256, size) VALUES ($1, $2, $3)
       ON CONFLICT (account, sha256) DO UPDATE SET uploaded_at = now()`,
      [account, sha256, size.toString()],
    );
  }

  async holds(account: Address, sha256: Sha256): Promise<boolean> {
    const rows = await this.db.query<unknown[]>(`SELECT 1 FROM blob_holders WHERE account = $1 AND sha256 = $2`, [
      account,
      sha256,
    ]);
    return rows.length > 0;
  }

  /** Bytes stored for `account`: the sizes of the distinct blobs it uploaded (a running total kept by a trigger). */
  async usedBytes(account: Address): Promise<bigint> {
    const [row] = await this.db.query<{ used: string }[]>(
      `SELECT used_bytes::text AS used FROM account_storage WHERE account = $1`,
      [account],
    );
    return BigInt(row?.used ?? '0');
  }

  /**
   * In a registration's transaction, once dataset `datasetId`'s files are written: the digests among them
   * `account` may not put in a registration, because it neither uploaded them nor may fetch them (they
   * are in no other public dataset, no dataset it owns, no licensed dataset it holds a license in force
   * on). The first `limit` distinct ones in path order, each with a path that lists it, and how many in all.
   */
  async unavailableTo(
    account: Address,
    datasetId: string,
    limit: number,
  ): Promise<{ total: number; digests: { sha256: Sha256; path: string }[] }> {
    const rows = await this.db.query<{ sha256: Sha256; path: string; total: string }[]>(
      `SELECT t.sha256, t.path, count(*) OVER ()::text AS total
       FROM (SELECT DISTINCT ON (sha256) sha256, path FROM dataset_files WHERE dataset_id = $2 ORDER BY sha256, path) t
       WHERE NOT EXISTS (SELECT 1 FROM blob_holders bh WHERE bh.account = $1 AND bh.sha256 = t.sha256)
         AND NOT EXISTS (
           SELECT 1 FROM dataset_files f JOIN datasets d ON d.id = f.dataset_id AND d.storage = 'uploaded'
           WHERE f.sha256 = t.sha256 AND f.dataset_id <> $2 AND (
             d.access_policy = 'public'
             OR EXISTS (SELECT 1 FROM dataset_owners o WHERE o.dataset_id = d.id AND o.account = $1)
             OR (d.access_policy = 'licensed' AND EXISTS (
                   SELECT 1 FROM licenses l WHERE l.dataset_id = d.id AND l.licensee = $1 AND ${licenseInForce('l')}))))
       ORDER BY t.path LIMIT $3`,
      [account, datasetId, limit],
    );
    return { total: Number(rows[0]?.total ?? 0), digests: rows.map((r) => ({ sha256: r.sha256, path: r.path })) };
  }
}
