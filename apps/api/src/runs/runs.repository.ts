import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { normaliseBytes32, type Address, type Bytes32 } from '@upstream/api-contract';
import { isDelisted, licenseInForce, usableForRunsBy } from '../catalogue/dataset-read.repository';
import { SqlRepository, UnitOfWork } from '../common/persistence/unit-of-work';

export interface UploadRow {
  id: string;
  /** Lowercase by the column's CHECK. */
  lab: Address;
  model_name: string;
  model_hash: string;
  run_ref: string;
  entries_root: string;
  entry_count: number;
  weight_unit: string;
  started_at: Date;
  ended_at: Date;
  nonce: string;
  deadline: Date;
  signature: string;
  digest: string;
  received: number;
}

export interface NewUpload {
  lab: Address;
  modelName: string;
  modelHash: Bytes32;
  runRef: Bytes32;
  entriesRoot: Bytes32;
  entryCount: number;
  weightUnit: string;
  startedAt: number;
  endedAt: number;
  nonce: bigint;
  deadline: number;
  signature: string;
  digest: Bytes32;
}

export interface RunRow {
  id: string;
  run_id: string;
  /** Lowercase by the column's CHECK. */
  lab: Address;
  model_name: string;
  model_hash: string;
  run_ref: string;
  entries_root: string;
  entry_count: number;
  weight_unit: string;
  total_weight: string;
  started_at: Date;
  ended_at: Date;
  nonce: string;
  deadline: Date;
  signature: string;
  digest: string;
  anchor_item_id: string;
  created_at: Date;
}

/** One entry refused at commit: unknown dataset, or no active license for the lab. */
export interface RefusedEntry {
  position: number;
  dataset_root: string;
  unknown: boolean;
  /** Delisted by an upheld dispute (usable for no new run, licensed or not). */
  delisted: boolean;
  n: string;
}

/** A per-run fee the run owes for a paid-per-run dataset, with what its payments have paid of it. */
export interface RunFeeRow {
  dataset_root: string;
  token: string;
  amount: string;
  paid: string;
}

export interface PaymentTotalRow {
  run_id: string;
  token: string;
  amount: string;
  fee: string;
  net: string;
  payments: number;
}

/**
 * Memory for each sort and hash of a run's commit (its transaction only): the joins of a million staged entries
 * with datasets and licenses stay in memory instead of spilling to disk in batches (PostgreSQL's default is 4MB).
 */
const COMMIT_WORK_MEM = '128MB';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A committed run named by its uuid or by its runId (bytes32). */
export type RunRef = { id: string } | { runId: Bytes32 };

/** Parses a route's run reference once; undefined when it is neither a uuid nor a bytes32. */
export function parseRunRef(ref: string): RunRef | undefined {
  if (UUID_RE.test(ref)) return { id: ref }; // a uuid column compares in any case
  const runId = normaliseBytes32(ref);
  return runId && { runId };
}

/** A run's entry: its position in the manifest, the dataset (content root and id) and its weight. */
export interface RunEntryRow {
  position: number;
  dataset_root: string;
  dataset_id: string;
  weight: string;
}

/** SQL of run uploads (staging), committed runs and their entries. Bulk paths use unnest and set-based joins. */
/** A checked chunk of entries as columns: datasetIds and decimal weights, each joined by `,`. */
export interface EntryColumns {
  count: number;
  roots: string;
  weights: string;
}

@Injectable()
export class RunsRepository extends SqlRepository {
  constructor(
    @InjectDataSource() db: DataSource,
    private readonly uow: UnitOfWork,
  ) {
    super(db);
  }

  async runByDigest(digest: Bytes32): Promise<{ id: string } | undefined> {
    const [row] = await this.db.query<{ id: string }[]>(`SELECT id FROM training_runs WHERE digest = $1`, [digest]);
    return row;
  }

  /** Starts an upload, replacing an unfinished one of the same manifest (a client restarting). */
  async createUpload(u: NewUpload): Promise<UploadRow> {
    await this.deleteUploadByDigest(u.digest);
    const [row]: UploadRow[] = await this.db.query(
      `INSERT INTO run_uploads (lab, model_name, model_hash, run_ref, entries_root, entry_count, weight_unit, started_at, ended_at,
                                  nonce, deadline, signature, digest)
         VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8), to_timestamp($9), $10, to_timestamp($11), $12, $13) RETURNING *`,
      [
        u.lab,
        u.modelName,
        u.modelHash,
        u.runRef,
        u.entriesRoot,
        u.entryCount,
        u.weightUnit,
        u.startedAt,
        u.endedAt,
        u.nonce.toString(),
        u.deadline,
        u.signature,
        u.digest,
      ],
    );
    return row;
  }

  async findUpload(id: string, lock = false): Promise<UploadRow | undefined> {
    if (!UUID_RE.test(id)) return undefined;
    const [row] = await this.db.query<UploadRow[]>(
      `SELECT * FROM run_uploads WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return row;
  }

  /** Appends a chunk of entries at `offset` (checked by the caller under the upload's row lock). */
  /**
   * Stages a checked chunk at `offset`. The columns go to PostgreSQL as two text parameters that it
   * splits itself: no array of 50,000 values is built or escaped on the event loop.
   */
  async insertUploadEntries(uploadId: string, offset: number, chunk: EntryColumns): Promise<number> {
    await this.db.query(
      `INSERT INTO run_upload_entries (upload_id, position, dataset_root, weight)
       SELECT $1, $2::int + o::int - 1, r, w::numeric
       FROM unnest(string_to_array($3::text, ','), string_to_array($4::text, ',')) WITH ORDINALITY AS t(r, w, o)`,
      [uploadId, offset, chunk.roots, chunk.weights],
    );
    const [row] = await this.db.query<{ received: number }[]>(
      `WITH bumped AS (UPDATE run_uploads SET received = received + $2, updated_at = now() WHERE id = $1 RETURNING received)
       SELECT received FROM bumped`,
      [uploadId, chunk.count],
    );
    return row.received;
  }

  /**
   * Every staged entry as columns joined by PostgreSQL (one row, two strings: a million entries arrive as ~75 MB
   * of text instead of a million rows parsed on the event loop). In the table's order unless `inPositionOrder`:
   * sorting a million rows for string_agg(… ORDER BY position) took 4.7 s, and an entries root does not depend
   * on the order (only a refusal's positions do). Both aggregates read the same rows in the same order.
   */
  async uploadColumns(uploadId: string, inPositionOrder = false): Promise<EntryColumns> {
    const order = inPositionOrder ? 'ORDER BY position' : '';
    const [row] = await this.db.query<EntryColumns[]>(
      `SELECT count(*)::int AS count, COALESCE(string_agg(dataset_root, ',' ${order}), '') AS roots,
              COALESCE(string_agg(weight::text, ',' ${order}), '') AS weights
       FROM run_upload_entries WHERE upload_id = $1`,
      [uploadId],
    );
    return row;
  }

  /**
   * Staged entries that may not be recorded for `lab`: unknown datasets first, then datasets without an
   * active, unexpired license for the lab. One set-based query (hash joins), whatever the run's size.
   */
  async refusedEntries(uploadId: string, lab: Address, limit: number): Promise<RefusedEntry[]> {
    return this.db.query(
      `WITH bad AS (
         SELECT e.position, e.dataset_root, d.id IS NULL AS unknown, d.id IS NOT NULL AND ${isDelisted('d')} AS delisted
         FROM run_upload_entries e
         LEFT JOIN datasets d ON d.content_root = e.dataset_root
         WHERE e.upload_id = $1
           AND (d.id IS NULL OR NOT ${usableForRunsBy('d', '$2')})
       )
       SELECT position, dataset_root, unknown, delisted, count(*) OVER (PARTITION BY unknown, delisted) AS n
       FROM bad ORDER BY unknown DESC, delisted DESC, position LIMIT $3`,
      [uploadId, lab, limit],
    );
  }

  /** Fresh planner statistics for the staging table, so the commit's joins over millions of rows hash instead of looping. */
  async analyzeStaging(): Promise<void> {
    await this.db.query(`ANALYZE run_upload_entries`);
  }

  /** The training_runs row of a complete upload, under the same id (inside the commit transaction). */
  async insertRun(upload: UploadRow, anchorItemId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO training_runs (id, run_id, lab, model_name, model_hash, run_ref, entries_root, entry_count, weight_unit, total_weight,
                                  started_at, ended_at, nonce, deadline, signature, digest, anchor_item_id)
       SELECT id, digest, lab, model_name, model_hash, run_ref, entries_root, entry_count, weight_unit, 0,
              started_at, ended_at, nonce, deadline, signature, digest, $2
       FROM run_uploads WHERE id = $1`,
      [upload.id, anchorItemId],
    );
  }

  /**
   * Copies the staged entries whose dataset exists and is actively licensed to `lab` into run_entries, in one
   * set-based statement (hash joins in memory, COMMIT_WORK_MEM; rows in position order, so the primary key
   * grows at its right edge: 2.8 s for 200,000 entries where dataset-id order took 4.3 s).
   * Returns how many were copied: fewer than the run's entries means the caller must roll back.
   */
  async insertLicensedEntries(uploadId: string, lab: Address): Promise<number> {
    await this.db.query(`SET LOCAL work_mem = '${COMMIT_WORK_MEM}'`);
    const [row] = await this.db.query<{ n: number }[]>(
      `WITH copied AS (
         INSERT INTO run_entries (run_id, position, dataset_id, weight)
         SELECT e.upload_id, e.position, d.id, e.weight
         FROM run_upload_entries e JOIN datasets d ON d.content_root = e.dataset_root
         WHERE e.upload_id = $1
           AND ${usableForRunsBy('d', '$2')}
         ORDER BY e.position
         RETURNING 1)
       SELECT count(*)::int AS n FROM copied`,
      [uploadId, lab],
    );
    return row.n;
  }

  /**
   * The per-run fees of a run being committed (inside the commit transaction): for each paid-per-run dataset
   * of the run, the lab's license in force either has not covered a run yet, and this run takes the one the
   * acquisition fee paid for (`first_run_id`, claimed under the license's row lock), or the run owes the
   * license's fee again (a `run_fees` row). Returns how many fees the run owes.
   */
  async recordRunFees(runUuid: string, lab: Address): Promise<number> {
    const paidLicenses = `
      SELECT DISTINCT ON (l.dataset_id) l.id, l.dataset_id, l.fee_token, l.fee_amount
      FROM run_entries e JOIN licenses l ON l.dataset_id = e.dataset_id
      WHERE e.run_id = $1 AND l.licensee = $2 AND ${licenseInForce('l')} AND l.fee_token IS NOT NULL AND l.fee_amount > 0
      ORDER BY l.dataset_id, l.activated_at DESC, l.id`;
    await this.db.query(
      `UPDATE licenses SET first_run_id = $1 WHERE id IN (SELECT id FROM (${paidLicenses}) p) AND first_run_id IS NULL`,
      [runUuid, lab],
    );
    const [row] = await this.db.query<{ n: number }[]>(
      `WITH owed AS (
         INSERT INTO run_fees (run_id, dataset_id, license_id, token, amount)
         SELECT $1, p.dataset_id, p.id, p.fee_token, p.fee_amount FROM (${paidLicenses}) p
         JOIN licenses l ON l.id = p.id WHERE l.first_run_id <> $1
         RETURNING 1)
       SELECT count(*)::int AS n FROM owed`,
      [runUuid, lab],
    );
    return row.n;
  }

  /** The per-run fees a committed run owes, with what its payments paid of each, by content root. */
  async runFees(runUuid: string): Promise<RunFeeRow[]> {
    return this.db.query(
      `SELECT d.content_root AS dataset_root, f.token, f.amount::text,
              COALESCE((SELECT SUM(pf.amount) FROM royalty_payment_run_fees pf
                        WHERE pf.run_id = f.run_id AND pf.dataset_id = f.dataset_id), 0)::text AS paid
       FROM run_fees f JOIN datasets d ON d.id = f.dataset_id
       WHERE f.run_id = $1 ORDER BY d.content_root`,
      [runUuid],
    );
  }

  async setTotalWeight(runUuid: string, totalWeight: bigint): Promise<void> {
    await this.db.query(`UPDATE training_runs SET total_weight = $2 WHERE id = $1`, [runUuid, totalWeight.toString()]);
  }

  async deleteUpload(id: string): Promise<void> {
    await this.db.query(`DELETE FROM run_upload_entries WHERE upload_id = $1`, [id]);
    await this.db.query(`DELETE FROM run_uploads WHERE id = $1`, [id]);
  }

  private async deleteUploadByDigest(digest: Bytes32): Promise<void> {
    const rows: { id: string }[] = await this.db.query(`SELECT id FROM run_uploads WHERE digest = $1 FOR UPDATE`, [
      digest,
    ]);
    for (const row of rows) await this.deleteUpload(row.id);
  }

  /** Uploads left unfinished for longer than `hours` (a client gave up). */
  async deleteStaleUploads(hours: number): Promise<number> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM run_uploads WHERE updated_at < now() - make_interval(hours => $1)`,
      [hours],
    );
    for (const row of rows) await this.deleteUpload(row.id);
    return rows.length;
  }

  /** A committed run by uuid or by runId. */
  async findRun(ref: RunRef): Promise<RunRow | undefined> {
    const [row] = await this.db.query<RunRow[]>(
      'id' in ref ? `SELECT * FROM training_runs WHERE id = $1` : `SELECT * FROM training_runs WHERE run_id = $1`,
      ['id' in ref ? ref.id : ref.runId],
    );
    return row;
  }

  async runsByModel(modelHash: Bytes32): Promise<RunRow[]> {
    return this.db.query(`SELECT * FROM training_runs WHERE model_hash = $1 ORDER BY created_at, id`, [modelHash]);
  }

  /** Every entry of a run in position order, as parallel arrays, for rebuilding its tree. */
  async runEntries(runUuid: string): Promise<{ roots: string[]; weights: string[] }> {
    return this.withClient(async (client) => {
      const result = await client.query<[string, string]>({
        text: `SELECT d.content_root, e.weight::text FROM run_entries e JOIN datasets d ON d.id = e.dataset_id
               WHERE e.run_id = $1 ORDER BY e.position`,
        values: [runUuid],
        rowMode: 'array',
      });
      return { roots: result.rows.map((r) => r[0]), weights: result.rows.map((r) => r[1]) };
    });
  }

  async entriesPage(runUuid: string, limit: number, offset: number): Promise<RunEntryRow[]> {
    return this.db.query(
      `SELECT e.position, d.content_root AS dataset_root, e.dataset_id, e.weight::text AS weight
       FROM run_entries e JOIN datasets d ON d.id = e.dataset_id
       WHERE e.run_id = $1 AND e.position >= $2 ORDER BY e.position LIMIT $3`,
      [runUuid, offset, limit],
    );
  }

  /** The run's entry of a dataset named by uuid or content root (lowercase). */
  async entryByDataset(runUuid: string, datasetRef: string): Promise<RunEntryRow | undefined> {
    const column = UUID_RE.test(datasetRef) ? 'd.id' : 'd.content_root';
    const [row] = await this.db.query<RunEntryRow[]>(
      `SELECT e.position, d.content_root AS dataset_root, e.dataset_id, e.weight::text AS weight
       FROM run_entries e JOIN datasets d ON d.id = e.dataset_id WHERE e.run_id = $1 AND ${column}::text = $2`,
      [runUuid, datasetRef],
    );
    return row;
  }

  /** RunPaid payments seen for these runIds (as stored: lowercase), summed per (runId, token). */
  async paymentTotals(runIds: string[]): Promise<PaymentTotalRow[]> {
    if (runIds.length === 0) return [];
    return this.db.query(
      `SELECT args->>'runId' AS run_id, args->>'token' AS token, SUM((args->>'amount')::numeric)::text AS amount,
              SUM((args->>'fee')::numeric)::text AS fee, SUM((args->>'net')::numeric)::text AS net, count(*)::int AS payments
       FROM chain_events WHERE event_name = 'RunPaid' AND args->>'runId' = ANY($1::text[])
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [runIds],
    );
  }

  private async withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const runner = this.uow.session();
    try {
      const client = (await runner.connect()) as PoolClient;
      return await fn(client);
    } finally {
      await runner.release();
    }
  }
}
