import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  OWNERS_PER_ENTRY,
  type AccessPolicy,
  type Address,
  type Bytes32,
  type DatasetTag,
} from '@upstream/api-contract';
import { SqlRepository } from '../../common/persistence/unit-of-work';
import { datasetTagsOf, isDelisted, openDisputesOf } from '../../catalogue/dataset-read.repository';
import { fileColumnBatches, fileColumnsSql, type FileColumns } from './file-list/file-columns';
import type { ContributionVersion } from '@upstream/provenance';

/** A `datasets` row with its owners, as the catalogue reads it. */
export interface DatasetRow {
  id: string;
  content_root: string;
  title: string;
  description: string;
  registrant: string;
  storage: 'uploaded' | 'external';
  access_policy: AccessPolicy;
  external_uri: string | null;
  file_count: number;
  total_bytes: string;
  license_template: string;
  license_terms: Record<string, unknown>;
  license_terms_hash: string;
  licensing_open: boolean;
  previous_version_id: string | null;
  nonce: string;
  deadline: Date;
  signature: string;
  digest: string;
  anchor_item_id: string;
  contribution_version: ContributionVersion;
  created_at: Date;
  /** When its owners took it down (dataset_takedowns); null while it is live. */
  taken_down_at: Date | null;
  /** Its integrity tags (disputes against it and its lineage). */
  tags: DatasetTag[];
  /** Ids of the disputes open against it. */
  open_disputes: string[];
  /** `to_char` of created_at in UTC with microseconds: the exact keyset cursor. */
  cursor_time: string;
  /** All of them for one dataset; the first OWNERS_PER_ENTRY for a catalogue page. */
  owners: { account: string; shareBps: number }[];
  owner_count: number;
  /** The filtering owner's share, on catalogue pages filtered by owner. */
  owner_share: number | null;
}

export interface NewDataset {
  contentRoot: string;
  title: string;
  description: string;
  registrant: string;
  storage: 'uploaded' | 'external';
  accessPolicy: AccessPolicy;
  externalUri: string | null;
  fileCount: number;
  totalBytes: bigint;
  licenseTemplate: string;
  licenseTerms: object;
  licenseTermsHash: string;
  previousVersionId: string | null;
  nonce: bigint;
  deadline: bigint;
  signature: string;
  digest: string;
  anchorItemId: string;
  contributionVersion: ContributionVersion;
}

export interface CatalogueFilter {
  owner?: Address;
  license?: string;
  /** A to_tsquery('simple') expression, already sanitized. */
  tsQuery?: string;
  /** Also datasets delisted by an upheld dispute (hidden otherwise). */
  includeDelisted: boolean;
  after?: { time: string; id: string };
  limit: number;
}

export interface LineageRow {
  id: string;
  content_root: string;
  title: string;
  depth: number;
  via: string;
  upstream_bps: number;
}

/** Files a registration writes per INSERT (`insertFiles`). */
export const FILE_INSERT_BATCH = 10_000;

/** Advisory lock key between registrations (shared) and the orphan-blob collector (exclusive). */
export const BLOB_COLLECTION_LOCK = 0x75707374; // 'upst'

/** A dataset row with its owners in signed order: all of them, or the first `ownersLimit` (a constant). */
const selectDataset = (ownersLimit: number | null, shareOf: string | null = null) => `
  SELECT d.*, to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS cursor_time,
    COALESCE((SELECT json_agg(json_build_object('account', o.account, 'shareBps', o.share_bps) ORDER BY o.position, o.account)
              FROM (SELECT account, share_bps, position FROM dataset_owners WHERE dataset_id = d.id
                    ORDER BY position, account ${ownersLimit === null ? '' : `LIMIT ${Math.trunc(ownersLimit)}`}) o), '[]'::json) AS owners,
    (SELECT count(*)::int FROM dataset_owners o WHERE o.dataset_id = d.id) AS owner_count,
    (SELECT t.taken_down_at FROM dataset_takedowns t WHERE t.dataset_id = d.id) AS taken_down_at,
    ${datasetTagsOf('d')} AS tags, ${openDisputesOf('d')} AS open_disputes,
    ${shareOf === null ? 'NULL::int' : `(SELECT o.share_bps FROM dataset_owners o WHERE o.dataset_id = d.id AND o.account = ${shareOf})`} AS owner_share
  FROM datasets d`;
const SELECT_DATASET = selectDataset(null);

/** Every SQL statement of datasets: registration writes (bulk where it matters) and catalogue reads. */
/** An uploaded entry of a registration whose blob is not stored (`missing`) or has another size. */
export interface EntryWithoutBlob {
  reason: 'missing' | 'size';
  storedSize?: string;
  entry: { path: string; size: string; sha256: string };
}

@Injectable()
export class DatasetsRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  async idByContentRoot(contentRoot: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ id: string }[]>(`SELECT id FROM datasets WHERE content_root = $1`, [
      contentRoot.toLowerCase(),
    ]);
    return row?.id;
  }

  /** Ids of the datasets with these content roots (lowercase keys). */
  async idsByContentRoots(roots: Bytes32[]): Promise<Map<string, string>> {
    const rows: { id: string; content_root: string }[] = await this.db.query(
      `SELECT id, content_root FROM datasets WHERE content_root = ANY($1::text[])`,
      [roots],
    );
    return new Map(rows.map((r) => [r.content_root, r.id]));
  }

  async ownerAccounts(datasetId: string): Promise<string[] | undefined> {
    const [exists] = await this.db.query<unknown[]>(`SELECT 1 FROM datasets WHERE id = $1`, [datasetId]);
    if (!exists) return undefined;
    const rows: { account: string }[] = await this.db.query(
      `SELECT account FROM dataset_owners WHERE dataset_id = $1`,
      [datasetId],
    );
    return rows.map((r) => r.account);
  }

  async insertDataset(d: NewDataset): Promise<string> {
    const [row] = await this.db.query<{ id: string }[]>(
      `INSERT INTO datasets (content_root, title, description, registrant, storage, external_uri, file_count, total_bytes,
         license_template, license_terms, license_terms_hash, previous_version_id, nonce, deadline, signature, digest, anchor_item_id,
         access_policy, contribution_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, to_timestamp($14::numeric), $15, $16, $17, $18, $19) RETURNING id`,
      [
        d.contentRoot,
        d.title,
        d.description,
        d.registrant,
        d.storage,
        d.externalUri,
        d.fileCount,
        d.totalBytes.toString(),
        d.licenseTemplate,
        JSON.stringify(d.licenseTerms),
        d.licenseTermsHash,
        d.previousVersionId,
        d.nonce.toString(),
        d.deadline.toString(),
        d.signature,
        d.digest,
        d.anchorItemId,
        d.accessPolicy,
        d.contributionVersion,
      ],
    );
    return row.id;
  }

  /**
   * Inside a registration's transaction: holds off the orphan-blob collector (which takes the same
   * lock exclusively) until the transaction ends, so no blob this registration checked is deleted
   * before its files reference it.
   */
  async holdBlobsAgainstCollection(): Promise<void> {
    await this.db.query(`SELECT pg_advisory_xact_lock_shared($1)`, [BLOB_COLLECTION_LOCK]);
  }

  /**
   * Bulk insert of a dataset's files, FILE_INSERT_BATCH at a time: PostgreSQL splits the columns (no
   * array is built here), and no statement's parameters are more than ~1 MB.
   */
  async insertFiles(datasetId: string, files: FileColumns): Promise<void> {
    for (const batch of fileColumnBatches(files, FILE_INSERT_BATCH))
      await this.db.query(
        `INSERT INTO dataset_files (dataset_id, path, size, sha256)
         SELECT $1, f.path, f.size, f.sha256 FROM ${fileColumnsSql('$2', '$3', '$4')}`,
        [datasetId, batch.paths, batch.sizes, batch.sha256s],
      );
  }

  async insertOwners(datasetId: string, owners: { account: string; shareBps: number }[]): Promise<void> {
    await this.db.query(
      `INSERT INTO dataset_owners (dataset_id, account, share_bps, position)
       SELECT $1, a, b, n - 1 FROM unnest($2::text[], $3::int[]) WITH ORDINALITY AS t(a, b, n)`,
      [datasetId, owners.map((o) => o.account), owners.map((o) => o.shareBps)],
    );
  }

  async insertParents(datasetId: string, parents: { id: string; upstreamBps: number }[]): Promise<void> {
    if (parents.length === 0) return;
    await this.db.query(
      `INSERT INTO dataset_parents (dataset_id, parent_id, upstream_bps, position)
       SELECT $1, p, b, n - 1 FROM unnest($2::uuid[], $3::int[]) WITH ORDINALITY AS t(p, b, n)`,
      [datasetId, parents.map((p) => p.id), parents.map((p) => p.upstreamBps)],
    );
  }

  /** True when `datasetId` is among its own ancestors (a lineage cycle). */
  async hasCycle(datasetId: string): Promise<boolean> {
    const [row] = await this.db.query<{ cycle: boolean }[]>(
      `WITH RECURSIVE anc(id, depth) AS (
         SELECT parent_id, 1 FROM dataset_parents WHERE dataset_id = $1
         UNION
         SELECT p.parent_id, a.depth + 1 FROM dataset_parents p JOIN anc a ON p.dataset_id = a.id WHERE a.depth < 1000
       ) SELECT EXISTS (SELECT 1 FROM anc WHERE id = $1) AS cycle`,
      [datasetId],
    );
    return row.cycle === true;
  }

  /**
   * In a registration's transaction, once its files are written: those whose blob is missing or has
   * another size, the first `limit` in path order, and how many there are in all.
   */
  async entriesWithoutBlob(datasetId: string, limit = 100): Promise<{ total: number; entries: EntryWithoutBlob[] }> {
    const rows: { path: string; size: string; sha256: string; stored: string | null; total: string }[] =
      await this.db.query(
        `SELECT f.path, f.size::text AS size, f.sha256, b.size::text AS stored, count(*) OVER ()::text AS total
         FROM dataset_files f LEFT JOIN blobs b ON b.sha256 = f.sha256
         WHERE f.dataset_id = $1 AND (b.sha256 IS NULL OR b.size <> f.size) ORDER BY f.path LIMIT $2`,
        [datasetId, limit],
      );
    return {
      total: Number(rows[0]?.total ?? 0),
      entries: rows.map((r) => ({
        reason: r.stored === null ? 'missing' : 'size',
        storedSize: r.stored ?? undefined,
        entry: { path: r.path, size: r.size, sha256: r.sha256 },
      })),
    };
  }

  async setAccessPolicy(datasetId: string, policy: AccessPolicy): Promise<void> {
    await this.db.query(`UPDATE datasets SET access_policy = $2 WHERE id = $1`, [datasetId, policy]);
  }

  async findById(id: string): Promise<DatasetRow | undefined> {
    const [row] = await this.db.query<DatasetRow[]>(`${SELECT_DATASET} WHERE d.id = $1`, [id]);
    return row;
  }

  async findByContentRoot(contentRoot: string): Promise<DatasetRow | undefined> {
    const [row] = await this.db.query<DatasetRow[]>(`${SELECT_DATASET} WHERE d.content_root = $1`, [
      contentRoot.toLowerCase(),
    ]);
    return row;
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async catalogue(filter: CatalogueFilter): Promise<DatasetRow[]> {
    return this.db.query(
      `${selectDataset(OWNERS_PER_ENTRY, '$1')}
       WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM dataset_owners o WHERE o.dataset_id = d.id AND o.account = $1))
         AND ($2::text IS NULL OR d.license_template = $2)
         AND ($3::text IS NULL OR to_tsvector('simple', d.title || ' ' || d.description) @@ to_tsquery('simple', $3))
         AND ($4::text IS NULL OR (d.created_at, d.id) < (($4::timestamp AT TIME ZONE 'UTC'), $5::uuid))
         AND ($7::boolean OR NOT ${isDelisted('d')})
       ORDER BY d.created_at DESC, d.id DESC LIMIT $6`,
      [
        filter.owner ?? null,
        filter.license ?? null,
        filter.tsQuery ?? null,
        filter.after?.time ?? null,
        filter.after?.id ?? null,
        filter.limit,
        filter.includeDelisted,
      ],
    );
  }

  /** A page of a dataset's owners in signed order, and how many it has. */
  async ownersPage(
    id: string,
    limit: number,
    offset: number,
  ): Promise<{ total: number; rows: { account: string; shareBps: number }[] }> {
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<{ account: string; shareBps: number }[]>(
        `SELECT account, share_bps AS "shareBps" FROM dataset_owners WHERE dataset_id = $1
         ORDER BY position, account LIMIT $2 OFFSET $3`,
        [id, limit, offset],
      ),
      this.db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM dataset_owners WHERE dataset_id = $1`, [
        id,
      ]),
    ]);
    return { total, rows };
  }

  async parentsOf(id: string): Promise<{ id: string; content_root: string; title: string; upstream_bps: number }[]> {
    return this.db.query(
      `SELECT d.id, d.content_root, d.title, p.upstream_bps FROM dataset_parents p JOIN datasets d ON d.id = p.parent_id
       WHERE p.dataset_id = $1 ORDER BY p.position, d.content_root`,
      [id],
    );
  }

  async nextVersionIds(id: string): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM datasets WHERE previous_version_id = $1 ORDER BY created_at, id`,
      [id],
    );
    return rows.map((r) => r.id);
  }

  /** A page of files in UTF-8 byte order of their paths (the content tree's order). */
  async filesPage(
    id: string,
    afterPath: string | undefined,
    limit: number,
  ): Promise<{ path: string; size: string; sha256: string }[]> {
    return this.db.query(
      `SELECT path, size::text AS size, sha256 FROM dataset_files
       WHERE dataset_id = $1 AND ($2::text IS NULL OR path COLLATE "C" > $2::text COLLATE "C")
       ORDER BY path COLLATE "C" LIMIT $3`,
      [id, afterPath ?? null, limit],
    );
  }

  async allFiles(id: string): Promise<{ path: string; size: string; sha256: string }[]> {
    return this.db.query(`SELECT path, size::text AS size, sha256 FROM dataset_files WHERE dataset_id = $1`, [id]);
  }

  async file(id: string, path: string): Promise<{ path: string; size: string; sha256: string } | undefined> {
    const [row] = await this.db.query<{ path: string; size: string; sha256: string }[]>(
      `SELECT path, size::text AS size, sha256 FROM dataset_files WHERE dataset_id = $1 AND path = $2`,
      [id, path],
    );
    return row;
  }

  /** Ancestors (parents, their parents, …) or descendants, nearest first; each once, at its shortest distance. */
  async lineage(id: string, direction: 'ancestors' | 'descendants'): Promise<LineageRow[]> {
    const [from, to] = direction === 'ancestors' ? ['dataset_id', 'parent_id'] : ['parent_id', 'dataset_id'];
    return this.db.query(
      `WITH RECURSIVE walk(id, via, upstream_bps, depth, trail) AS (
         SELECT p.${to}, p.${from}, p.upstream_bps, 1, ARRAY[p.${from}, p.${to}] FROM dataset_parents p WHERE p.${from} = $1
         UNION ALL
         SELECT p.${to}, p.${from}, p.upstream_bps, w.depth + 1, w.trail || p.${to}
         FROM dataset_parents p JOIN walk w ON p.${from} = w.id
         WHERE NOT p.${to} = ANY(w.trail) AND w.depth < 1000
       ), nearest AS (SELECT DISTINCT ON (id) id, via, upstream_bps, depth FROM walk ORDER BY id, depth)
       SELECT n.id, d.content_root, d.title, n.depth, n.via, n.upstream_bps
       FROM nearest n JOIN datasets d ON d.id = n.id ORDER BY n.depth, d.created_at, d.id`,
      [id],
    );
  }
}
