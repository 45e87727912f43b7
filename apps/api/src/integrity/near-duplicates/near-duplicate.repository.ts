import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { OverlapRelation } from '@upstream/api-contract';
import { SqlRepository } from '../../common/persistence/unit-of-work';
import { OTHER_OWNERS } from '../overlap.repository';
import type { ContentKind } from './content-kind';

/** A dataset waiting for its near-duplicate check. */
export interface PendingDataset {
  id: string;
}

/** One distinct file (by SHA-256) of a dataset with its signature: how many of its files have these bytes, and their bytes. */
export interface SignedFile {
  signature_id: number;
  sha256: string;
  kind: 'text' | 'image';
  minhash: Buffer | null;
  /** bigint, as text. */
  phash: string | null;
  files: number;
  /** numeric, as text. */
  bytes: string;
}

/** A stored signature, as a near-duplicate lookup reads its candidates. */
export interface CandidateSignature {
  id: number;
  sha256: string;
  kind: 'text' | 'image';
  minhash: Buffer | null;
  phash: string | null;
}

export interface NewSignature {
  sha256: string;
  kind: ContentKind;
  minhash?: Buffer;
  phash?: bigint;
  bands: readonly number[];
}

/** An earlier dataset found holding bytes near-duplicate to the checked dataset's, and how the overlap rule would treat it. */
export interface Holder {
  sha256: string;
  dataset_id: string;
  relation: OverlapRelation;
}

export interface NewSimilarity {
  similarId: string;
  similarity: number;
  matchedFiles: number;
  matchedBytes: bigint;
  relation: OverlapRelation;
}

export interface SimilarityState {
  storage: 'uploaded' | 'external';
  similarity_checked_at: Date | null;
  similarity_files: number | null;
  similarity_bytes: string | null;
}

export interface StoredSimilarityRow {
  id: string;
  content_root: string;
  title: string;
  created_at: Date;
  owners: { account: string; shareBps: number }[];
  owner_count: number;
  similarity: number;
  matched_files: number;
  matched_bytes: string;
  relation: OverlapRelation;
}

/** Signatures of stored bytes, their banded LSH index, and the near-duplicate flags between datasets. */
@Injectable()
export class NearDuplicateRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /** Uploaded datasets not checked yet, in registration order (each is compared with those before it). */
  async pending(limit: number): Promise<PendingDataset[]> {
    return this.db.query<PendingDataset[]>(
      `SELECT id FROM datasets WHERE similarity_checked_at IS NULL AND storage = 'uploaded'
       ORDER BY created_at, id LIMIT $1`,
      [limit],
    );
  }

  /** The dataset's distinct non-empty stored blobs that have no signature yet. */
  async unsigned(datasetId: string): Promise<string[]> {
    const rows = await this.db.query<{ sha256: string }[]>(
      `SELECT DISTINCT f.sha256 FROM dataset_files f JOIN blobs b ON b.sha256 = f.sha256
       WHERE f.dataset_id = $1 AND f.size > 0
         AND NOT EXISTS (SELECT 1 FROM content_signatures s WHERE s.sha256 = f.sha256)
       ORDER BY f.sha256`,
      [datasetId],
    );
    return rows.map((r) => r.sha256);
  }

  /** Stores a signature and its LSH bands; a signature already stored (another worker, a retry) is kept. */
  async save(signature: NewSignature): Promise<void> {
    const [row] = await this.db.query<{ id: number }[]>(
      `INSERT INTO content_signatures (sha256, kind, minhash, phash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO NOTHING RETURNING id`,
      [signature.sha256, signature.kind, signature.minhash ?? null, signature.phash?.toString() ?? null],
    );
    if (row && signature.bands.length > 0)
      await this.db.query(
        `INSERT INTO lsh_bands (band_hash, signature_id) SELECT DISTINCT h, $2::int FROM unnest($1::int[]) AS t(h)`,
        [signature.bands, row.id],
      );
  }

  /** The dataset's distinct non-empty files that have a text or image signature. */
  async signedFiles(datasetId: string): Promise<SignedFile[]> {
    return this.db.query<SignedFile[]>(
      `SELECT s.id AS signature_id, s.sha256, s.kind, s.minhash, s.phash::text AS phash, f.files, f.bytes::text AS bytes
       FROM (SELECT sha256, count(*)::int AS files, sum(size) AS bytes FROM dataset_files
             WHERE dataset_id = $1 AND size > 0 GROUP BY sha256) f
       JOIN content_signatures s ON s.sha256 = f.sha256
       WHERE s.kind IN ('text', 'image')`,
      [datasetId],
    );
  }

  /**
   * The LSH lookup: for each query (its index and band hashes, flattened), the signatures sharing at
   * least one band, probed on `lsh_bands_hash_idx` (index-only). Answers (query index, signature id) pairs.
   */
  async candidates(queryIndexes: readonly number[], bandHashes: readonly number[]): Promise<[number, number][]> {
    const rows = await this.db.query<{ q: number; id: number }[]>(
      `SELECT DISTINCT t.q, b.signature_id AS id
       FROM unnest($1::int[], $2::int[]) AS t(q, h) JOIN lsh_bands b ON b.band_hash = t.h`,
      [queryIndexes, bandHashes],
    );
    return rows.map((r) => [r.q, r.id]);
  }

  async signatures(ids: readonly number[]): Promise<CandidateSignature[]> {
    return this.db.query<CandidateSignature[]>(
      `SELECT id, sha256, kind, minhash, phash::text AS phash FROM content_signatures WHERE id = ANY($1::int[])`,
      [ids],
    );
  }

  /**
   * The datasets registered before `datasetId` that hold any of these digests, each with how the overlap
   * rule treats it from `datasetId`'s side: `declared` (its lineage), `own` (the same owner accounts), or
   * `undeclared`. Probed on `dataset_files_sha256_dataset_idx`.
   */
  async earlierHolders(datasetId: string, digests: readonly string[]): Promise<Holder[]> {
    return this.db.query<Holder[]>(
      `WITH RECURSIVE
         lineage(id) AS (
           SELECT parent_id FROM dataset_parents WHERE dataset_id = $1
           UNION
           SELECT p.parent_id FROM dataset_parents p JOIN lineage l ON p.dataset_id = l.id
         ),
         me AS (SELECT created_at, id FROM datasets WHERE id = $1),
         mine AS (SELECT array_agg(account) AS accounts, count(*) AS n FROM dataset_owners WHERE dataset_id = $1),
         held AS (
           SELECT DISTINCT f.sha256, f.dataset_id
           FROM unnest($2::text[]) AS t(h) JOIN dataset_files f ON f.sha256 = t.h
           JOIN datasets d ON d.id = f.dataset_id, me
           WHERE (d.created_at, d.id) < (me.created_at, me.id)
         )
       SELECT h.sha256, h.dataset_id,
         CASE WHEN h.dataset_id IN (SELECT id FROM lineage) THEN 'declared'
              WHEN (SELECT count(*) = mine.n AND bool_and(o.account = ANY (mine.accounts))
                    FROM dataset_owners o WHERE o.dataset_id = h.dataset_id) THEN 'own'
              ELSE 'undeclared' END AS relation
       FROM held h, mine`,
      [datasetId, digests],
    );
  }

  /** What the check found for `datasetId`, and that it ran (in one transaction). */
  async record(datasetId: string, found: readonly NewSimilarity[], signedFiles: number, signedBytes: bigint) {
    if (found.length > 0)
      await this.db.query(
        `INSERT INTO dataset_similarities (dataset_id, similar_id, similarity, matched_files, matched_bytes, relation)
         SELECT $1, s, x, f, b::numeric, r FROM unnest($2::uuid[], $3::float8[], $4::int[], $5::text[], $6::text[]) AS t(s, x, f, b, r)
         ON CONFLICT (dataset_id, similar_id) DO NOTHING`,
        [
          datasetId,
          found.map((f) => f.similarId),
          found.map((f) => f.similarity),
          found.map((f) => f.matchedFiles),
          found.map((f) => f.matchedBytes.toString()),
          found.map((f) => f.relation),
        ],
      );
    await this.db.query(
      `UPDATE datasets SET similarity_checked_at = now(), similarity_files = $2, similarity_bytes = $3::numeric WHERE id = $1`,
      [datasetId, signedFiles, signedBytes.toString()],
    );
  }

  async state(datasetId: string): Promise<SimilarityState | undefined> {
    const [row] = await this.db.query<SimilarityState[]>(
      `SELECT storage, similarity_checked_at, similarity_files, similarity_bytes::text AS similarity_bytes
       FROM datasets WHERE id = $1`,
      [datasetId],
    );
    return row;
  }

  /** A page of flags of `datasetId`, most similar first: `earlier`, what its check found; `later`, later datasets' checks that found it. */
  async page(
    datasetId: string,
    direction: 'earlier' | 'later',
    limit: number,
    offset: number,
  ): Promise<{ total: number; rows: StoredSimilarityRow[] }> {
    const [self, other] = direction === 'earlier' ? ['dataset_id', 'similar_id'] : ['similar_id', 'dataset_id'];
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<StoredSimilarityRow[]>(
        `SELECT x.id, x.content_root, x.title, x.created_at, s.similarity, s.matched_files,
                s.matched_bytes::text AS matched_bytes, s.relation, ${OTHER_OWNERS}
         FROM dataset_similarities s JOIN datasets x ON x.id = s.${other}
         WHERE s.${self} = $1 ORDER BY s.similarity DESC, x.created_at, x.id LIMIT $2 OFFSET $3`,
        [datasetId, limit, offset],
      ),
      this.db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM dataset_similarities WHERE ${self} = $1`, [
        datasetId,
      ]),
    ]);
    return { total, rows };
  }
}
