import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OWNERS_PER_ENTRY, type Address, type OverlapRelation } from '@upstream/api-contract';
import { SqlRepository } from '../common/persistence/unit-of-work';

/** An earlier dataset sharing files with a new one, as the overlap check finds it or a stored overlap reads. */
export interface OverlapRow {
  id: string;
  content_root: string;
  title: string;
  created_at: Date;
  owners: { account: string; shareBps: number }[];
  owner_count: number;
  shared_files: number;
  /** numeric, as text. */
  shared_bytes: string;
  relation: OverlapRelation;
}

/** An overlap as the check finds it: with the new bytes whose earliest holder is this dataset. */
export interface FoundOverlapRow extends OverlapRow {
  /** numeric, as text: bytes of the new dataset this dataset registered first (it "owns" them). */
  first_bytes: string;
}

export interface OverlapFinding {
  /** Every earlier dataset sharing files, largest shared bytes first. */
  rows: FoundOverlapRow[];
  /**
   * The new dataset's bytes whose earliest registered holder is an `undeclared` dataset (each file
   * counted once): what the rule compares with OVERLAP_REFUSE_FRACTION.
   */
  undeclaredBytes: bigint;
}

/** A stored overlap with the total bytes of the newer dataset of the pair (what `fraction` divides by). */
export interface StoredOverlapRow extends OverlapRow {
  newer_total_bytes: string;
}

export interface OverlapCheckState {
  overlap_checked_at: Date | null;
  undeclared_overlap_bytes: string | null;
  total_bytes: string;
  count: number;
}

/**
 * Advisory-lock class of the overlap buckets (two-int keys, a key space apart from the one-bigint keys
 * such as BLOB_COLLECTION_LOCK). A digest's bucket is its first byte: 256 buckets.
 */
export const OVERLAP_LOCK_CLASS = 0x6f766c70; // 'ovlp'

/** The other dataset's first owners (signed order) and its owner count, for a row whose dataset is `x`. */
export const OTHER_OWNERS = `
  COALESCE((SELECT json_agg(json_build_object('account', o.account, 'shareBps', o.share_bps) ORDER BY o.position, o.account)
            FROM (SELECT account, share_bps, position FROM dataset_owners WHERE dataset_id = x.id
                  ORDER BY position, account LIMIT ${OWNERS_PER_ENTRY}) o), '[]'::json) AS owners,
  (SELECT count(*)::int FROM dataset_owners o WHERE o.dataset_id = x.id) AS owner_count`;

/** Exact overlap between datasets by SHA-256: the registration's check, its record, and the reads of both. */
@Injectable()
export class OverlapRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /**
   * Inside a registration's transaction: waits for, then holds until commit, the buckets of these
   * digests, so two registrations sharing a digest check one after the other and the second sees the
   * first. Taken in bucket order, so two registrations never wait on each other both ways.
   */
  async lockBuckets(buckets: readonly number[]): Promise<void> {
    await this.db.query(
      `SELECT pg_advisory_xact_lock($1::int, b)
       FROM (SELECT DISTINCT b FROM unnest($2::int[]) AS t(b) ORDER BY b) AS s`,
      [OVERLAP_LOCK_CLASS, buckets],
    );
  }

  /**
   * One set-based statement: the registered datasets holding any of these digests (distinct, non-empty),
   * how many of the new files and bytes each shares, and how the rule treats each: `declared` when it is a
   * declared parent or an ancestor of one, `own` when its owner accounts are exactly `owners`, else
   * `undeclared`. A digest's bytes belong to its earliest registered holder; `undeclaredBytes` sums the new
   * bytes whose earliest holder is undeclared (so bytes first registered in one's own or a declared dataset
   * never count, and a later copy of them elsewhere does not make them another owner's). The digests are
   * probed on `dataset_files_sha256_dataset_idx` (sha256, dataset_id): index entries, not file rows. The new
   * dataset's files are already written in this transaction (and the new dataset is left out of the hits).
   */
  async find(datasetId: string, owners: readonly Address[], parentIds: readonly string[]): Promise<OverlapFinding> {
    const rows = await this.db.query<(FoundOverlapRow & { undeclared_bytes: string })[]>(
      `WITH RECURSIVE
         new_files AS (
           SELECT sha256 AS h, sum(size) AS bytes, count(*)::int AS files
           FROM dataset_files WHERE dataset_id = $1 AND size > 0 GROUP BY sha256
         ),
         hits AS (
           SELECT f.dataset_id, f.sha256 FROM new_files n JOIN dataset_files f ON f.sha256 = n.h AND f.dataset_id <> $1
           GROUP BY f.dataset_id, f.sha256
         ),
         lineage(id) AS (
           SELECT unnest($2::uuid[])
           UNION
           SELECT p.parent_id FROM dataset_parents p JOIN lineage l ON p.dataset_id = l.id
         ),
         classified AS (
           SELECT h.dataset_id AS id, sum(n.files)::int AS shared_files, sum(n.bytes) AS shared_bytes,
             CASE WHEN h.dataset_id IN (SELECT id FROM lineage) THEN 'declared'
                  -- One index range per overlapping dataset (a NOT EXISTS here became a scan of every owner row).
                  WHEN (SELECT count(*) = cardinality($3::text[]) AND bool_and(o.account = ANY ($3::text[]))
                        FROM dataset_owners o WHERE o.dataset_id = h.dataset_id) THEN 'own'
                  ELSE 'undeclared' END AS relation
           FROM hits h JOIN new_files n ON n.h = h.sha256 GROUP BY h.dataset_id
         ),
         first_holders AS (
           SELECT DISTINCT ON (h.sha256) h.sha256, h.dataset_id
           FROM hits h JOIN datasets d ON d.id = h.dataset_id ORDER BY h.sha256, d.created_at, d.id
         ),
         first_bytes AS (
           SELECT f.dataset_id AS id, sum(n.bytes) AS bytes FROM first_holders f JOIN new_files n ON n.h = f.sha256
           GROUP BY f.dataset_id
         )
       SELECT x.id, x.content_root, x.title, x.created_at, c.shared_files, c.shared_bytes::text AS shared_bytes, c.relation,
         COALESCE(fb.bytes, 0)::text AS first_bytes, ${OTHER_OWNERS},
         (SELECT COALESCE(sum(b.bytes), 0)::text FROM first_bytes b JOIN classified u ON u.id = b.id
          WHERE u.relation = 'undeclared') AS undeclared_bytes
       FROM classified c JOIN datasets x ON x.id = c.id LEFT JOIN first_bytes fb ON fb.id = c.id
       ORDER BY c.shared_bytes DESC, x.created_at, x.id`,
      [datasetId, parentIds, owners],
    );
    return {
      rows: rows.map(({ undeclared_bytes: _, ...row }) => row),
      undeclaredBytes: BigInt(rows[0]?.undeclared_bytes ?? '0'),
    };
  }

  /** What the check found for `datasetId`, in the registration's transaction, and that it ran. */
  async record(datasetId: string, finding: OverlapFinding): Promise<void> {
    if (finding.rows.length > 0) {
      await this.db.query(
        `INSERT INTO dataset_overlaps (dataset_id, earlier_id, shared_files, shared_bytes, relation)
         SELECT $1, e, f, b::numeric, r FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[]) AS t(e, f, b, r)`,
        [
          datasetId,
          finding.rows.map((r) => r.id),
          finding.rows.map((r) => r.shared_files),
          finding.rows.map((r) => r.shared_bytes),
          finding.rows.map((r) => r.relation),
        ],
      );
    }
    await this.db.query(
      `UPDATE datasets SET overlap_checked_at = now(), undeclared_overlap_bytes = $2::numeric WHERE id = $1`,
      [datasetId, finding.undeclaredBytes.toString()],
    );
  }

  async checkState(datasetId: string): Promise<OverlapCheckState | undefined> {
    const [row] = await this.db.query<OverlapCheckState[]>(
      `SELECT d.overlap_checked_at, d.undeclared_overlap_bytes::text AS undeclared_overlap_bytes, d.total_bytes::text AS total_bytes,
              (SELECT count(*)::int FROM dataset_overlaps o WHERE o.dataset_id = d.id) AS count
       FROM datasets d WHERE d.id = $1`,
      [datasetId],
    );
    return row;
  }

  /**
   * A page of stored overlaps of `datasetId`, largest shared bytes first: `earlier`, the datasets its
   * registration overlapped; `later`, datasets registered since whose registration overlapped it.
   */
  async page(
    datasetId: string,
    direction: 'earlier' | 'later',
    limit: number,
    offset: number,
  ): Promise<{ total: number; rows: StoredOverlapRow[] }> {
    const [self, other] = direction === 'earlier' ? ['dataset_id', 'earlier_id'] : ['earlier_id', 'dataset_id'];
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<StoredOverlapRow[]>(
        `SELECT x.id, x.content_root, x.title, x.created_at, o.shared_files, o.shared_bytes::text AS shared_bytes, o.relation,
                n.total_bytes::text AS newer_total_bytes, ${OTHER_OWNERS}
         FROM dataset_overlaps o JOIN datasets x ON x.id = o.${other} JOIN datasets n ON n.id = o.dataset_id
         WHERE o.${self} = $1 ORDER BY o.shared_bytes DESC, x.created_at, x.id LIMIT $2 OFFSET $3`,
        [datasetId, limit, offset],
      ),
      this.db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM dataset_overlaps WHERE ${self} = $1`, [
        datasetId,
      ]),
    ]);
    return { total, rows };
  }
}
