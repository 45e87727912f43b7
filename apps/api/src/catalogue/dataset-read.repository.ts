import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SqlRepository } from '../common/persistence/unit-of-work';
import { DomainError } from '../common/errors/domain-error';
import { DATASET_TAGS } from '@upstream/api-contract';

/** A dataset as licensing and runs see it: its terms and whether it is open to new licenses. */
export interface DatasetUsabilityRow {
  id: string;
  content_root: string;
  title: string;
  license_template: string;
  license_terms: Record<string, unknown>;
  license_terms_hash: string;
  /** Usable for licensing: a lab may sign its terms now. */
  licensing_open: boolean;
  /** Its owners took it down (then it is usable for neither licensing nor delivery). */
  takedown: TakedownState | null;
  /** A dispute against it was upheld (then it is usable for nothing new: licensing, delivery, runs). */
  delisting: DelistingState | null;
}

/** A dataset's takedown as licensing and delivery name it in their refusals. */
export interface TakedownState {
  /** Timestamps as PostgreSQL's JSON renders them. */
  taken_down_at: string;
  reason: string;
  bytes_deleted_at: string | null;
}

/** SQL: the takedown of dataset `d` as a json object, or null. */
const takedownOf = (d: string): string =>
  `(SELECT json_build_object('taken_down_at', t.taken_down_at, 'reason', t.reason, 'bytes_deleted_at', t.bytes_deleted_at)
    FROM dataset_takedowns t WHERE t.dataset_id = ${d}.id)`;

/** A dataset's delisting: the upheld dispute that caused it, as refusals name it. */
export interface DelistingState {
  dispute_id: string;
  /** Timestamp as PostgreSQL's JSON renders it. */
  upheld_at: string;
}

/**
 * SQL: the upheld dispute of dataset `d` (by its content root) as a json object, or null. The rows are the
 * indexer's (`disputes`, `dispute_resolutions`), written in the DisputeResolved event's transaction and
 * cascading with it on a chain rollback, so a delisting comes and goes with the event.
 */
export const delistingOf = (d: string): string =>
  `(SELECT json_build_object('dispute_id', x.dispute_id::text, 'upheld_at', r.resolved_at)
    FROM disputes x JOIN dispute_resolutions r ON r.contract = x.contract AND r.dispute_id = x.dispute_id AND r.upheld
    WHERE x.content_root = ${d}.content_root ORDER BY r.block_number, r.log_index LIMIT 1)`;

/** SQL condition: dataset `d` is delisted (a dispute against it was upheld). */
export const isDelisted = (d: string): string =>
  `EXISTS (SELECT 1 FROM disputes x JOIN dispute_resolutions r ON r.contract = x.contract AND r.dispute_id = x.dispute_id AND r.upheld
           WHERE x.content_root = ${d}.content_root)`;

/** SQL: the ids (decimal text) of the disputes open against dataset `d`, oldest first. */
export const openDisputesOf = (d: string): string =>
  `ARRAY(SELECT x.dispute_id::text FROM disputes x
         WHERE x.content_root = ${d}.content_root
           AND NOT EXISTS (SELECT 1 FROM dispute_resolutions r WHERE r.contract = x.contract AND r.dispute_id = x.dispute_id)
         ORDER BY x.block_number, x.log_index)`;

/**
 * SQL condition: an ancestor of dataset `d` (through its declared lineage) is delisted. Skipped outright
 * while no dispute was ever upheld, which is the common case.
 */
const ancestorDelisted = (d: string): string =>
  `(EXISTS (SELECT 1 FROM dispute_resolutions WHERE upheld)
    AND EXISTS (WITH RECURSIVE anc(id) AS (
                  SELECT parent_id FROM dataset_parents WHERE dataset_id = ${d}.id
                  UNION SELECT p.parent_id FROM dataset_parents p JOIN anc ON p.dataset_id = anc.id)
                SELECT 1 FROM anc JOIN datasets a ON a.id = anc.id WHERE ${isDelisted('a')}))`;

/**
 * SQL: the integrity tags of dataset `d`, as a text[]: `disputed` while a dispute against it is open,
 * `disputed-upheld` once one was upheld (it is then delisted), `review:upstream-disputed` when a dataset
 * it derives from was (tagged, not delisted). Derived from the indexed rows, so a rollback untags.
 */
export const datasetTagsOf = (d: string): string =>
  `array_remove(ARRAY[
     CASE WHEN cardinality(${openDisputesOf(d)}) > 0 THEN '${DATASET_TAGS.disputed}' END,
     CASE WHEN ${isDelisted(d)} THEN '${DATASET_TAGS.upheld}' END,
     CASE WHEN ${ancestorDelisted(d)} THEN '${DATASET_TAGS.review}' END], NULL)`;

/** What makes a dataset unusable for anything new: its owners' takedown, an upheld dispute. */
export interface Unavailability {
  takedown: TakedownState | null;
  delisting: DelistingState | null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BYTES32_RE = /^0x[0-9a-fA-F]{64}$/;

/** Whether `ref` can name a dataset at all: a uuid or a content root. */
export const isDatasetRef = (ref: string): boolean => UUID_RE.test(ref) || BYTES32_RE.test(ref);

/** The refusal of a `:id` that is neither (NUL and other bytes PostgreSQL refuses gave 500). */
export const datasetRefInvalid = (ref: string, field = 'id') =>
  new DomainError('VALIDATION_FAILED', `${field}: ${JSON.stringify(ref.slice(0, 80))} is not a dataset id`, [
    { field, reason: 'must be a dataset UUID or a content root (0x followed by 64 hex digits)' },
  ]);

/** SQL condition: license `l` is in force now (active and unexpired). */
export const licenseInForce = (l: string): string =>
  `${l}.status = 'active' AND (${l}.expires_at IS NULL OR ${l}.expires_at > now())`;

/**
 * SQL condition: dataset `d` is usable for runs by the lab in `lab` (a parameter such as `$2`, lowercase):
 * the lab holds a license for it in force. Set-based, so bulk run commits use it inside their own statements.
 */
export const usableForRunsBy = (d: string, lab: string): string =>
  `(EXISTS (SELECT 1 FROM licenses l WHERE l.dataset_id = ${d}.id AND l.licensee = ${lab} AND ${licenseInForce('l')})
    AND NOT ${isDelisted(d)})`;

/** One dataset that holds a blob, as delivery sees it for one caller. */
export interface DeliveryCandidateRow {
  id: string;
  title: string;
  access_policy: 'public' | 'licensed' | 'private';
  license_template: string;
  licensing_open: boolean;
  /** The caller is one of its owners. */
  owner: boolean;
  /** The caller's license in force on it, if any. */
  license_id: string | null;
  /** When the caller's latest license on it ended, if it had one that expired. */
  license_expired_at: Date | null;
  /** Taken down by its owners: not delivered, whoever asks. */
  takedown: TakedownState | null;
  /** Delisted by an upheld dispute: not delivered, whoever asks. */
  delisting: DelistingState | null;
}

/**
 * The one read model of the datasets table for "is this dataset usable": for licensing (its terms, open or
 * closed) and for runs (`usableForRunsBy`). Licensing, runs and audit read datasets through it.
 */
@Injectable()
export class DatasetReadRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /** A dataset by uuid or by content root (its on-chain datasetId). */
  async find(ref: string): Promise<DatasetUsabilityRow | undefined> {
    if (!isDatasetRef(ref)) return undefined;
    const byUuid = UUID_RE.test(ref);
    const [row]: DatasetUsabilityRow[] = await this.db.query(
      `SELECT d.id, d.content_root, d.title, d.license_template, d.license_terms, d.license_terms_hash, d.licensing_open,
              ${takedownOf('d')} AS takedown, ${delistingOf('d')} AS delisting
       FROM datasets d WHERE ${byUuid ? 'd.id = $1::uuid' : 'd.content_root = $1'}`,
      [ref.toLowerCase()],
    );
    return row;
  }

  /**
   * In a transaction that grants something on the dataset (a license): waits for a takedown of it in
   * flight (which holds the row FOR NO KEY UPDATE), then holds the row FOR SHARE until commit, and answers
   * its takedown and delisting as committed now. So a license is either granted before a takedown or
   * refused after it.
   */
  async holdAgainstTakedown(datasetId: string): Promise<Unavailability> {
    await this.db.query(`SELECT 1 FROM datasets WHERE id = $1::uuid FOR SHARE`, [datasetId]);
    // A statement of its own: its snapshot is taken after the wait, so it sees a takedown that just committed.
    return this.unavailability(datasetId);
  }

  /** Why a dataset (by id) is no longer usable, if it is not: a takedown, a delisting (a signed URL names its dataset). */
  async unavailability(datasetId: string): Promise<Unavailability> {
    const [row] = await this.db.query<Unavailability[]>(
      `SELECT ${takedownOf('d')} AS takedown, ${delistingOf('d')} AS delisting FROM datasets d WHERE d.id = $1::uuid`,
      [datasetId],
    );
    return row ?? { takedown: null, delisting: null };
  }

  /**
   * Usable for delivery: every uploaded dataset that holds the blob `sha256`, with what `account` (or
   * nobody) holds on it, most permissive policy first. A blob in no dataset answers no rows.
   */
  async deliveryCandidates(sha256: string, account: string | null): Promise<DeliveryCandidateRow[]> {
    return this.db.query<DeliveryCandidateRow[]>(
      `SELECT d.id, d.title, d.access_policy, d.license_template, d.licensing_open,
              $2::text IS NOT NULL AND EXISTS (SELECT 1 FROM dataset_owners o WHERE o.dataset_id = d.id AND o.account = $2) AS owner,
              (SELECT l.id FROM licenses l WHERE $2::text IS NOT NULL AND l.dataset_id = d.id AND l.licensee = $2 AND ${licenseInForce('l')}
                ORDER BY l.expires_at DESC NULLS FIRST LIMIT 1) AS license_id,
              (SELECT max(l.expires_at) FROM licenses l WHERE $2::text IS NOT NULL AND l.dataset_id = d.id AND l.licensee = $2
                AND l.status IN ('active', 'expired') AND l.expires_at <= now()) AS license_expired_at,
              ${takedownOf('d')} AS takedown, ${delistingOf('d')} AS delisting
       FROM (SELECT DISTINCT dataset_id FROM dataset_files WHERE sha256 = $1) f
       JOIN datasets d ON d.id = f.dataset_id AND d.storage = 'uploaded'
       ORDER BY CASE d.access_policy WHEN 'public' THEN 0 WHEN 'licensed' THEN 1 ELSE 2 END, d.created_at, d.id`,
      [sha256, account],
    );
  }
}
