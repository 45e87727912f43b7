import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SqlRepository } from '../common/persistence/unit-of-work';
import { DomainError } from '../common/errors/domain-error';

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
  `EXISTS (SELECT 1 FROM licenses l WHERE l.dataset_id = ${d}.id AND l.licensee = ${lab} AND ${licenseInForce('l')})`;

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
              ${takedownOf('d')} AS takedown
       FROM datasets d WHERE ${byUuid ? 'd.id = $1::uuid' : 'd.content_root = $1'}`,
      [ref.toLowerCase()],
    );
    return row;
  }

  /**
   * In a transaction that grants something on the dataset (a license): waits for a takedown of it in
   * flight (which holds the row FOR NO KEY UPDATE), then holds the row FOR SHARE until commit, and answers
   * its takedown as committed now. So a license is either granted before a takedown or refused after it.
   */
  async holdAgainstTakedown(datasetId: string): Promise<TakedownState | null> {
    await this.db.query(`SELECT 1 FROM datasets WHERE id = $1::uuid FOR SHARE`, [datasetId]);
    // A statement of its own: its snapshot is taken after the wait, so it sees a takedown that just committed.
    return this.takedown(datasetId);
  }

  /** The takedown of a dataset by id, if its owners took it down (a signed URL names its dataset). */
  async takedown(datasetId: string): Promise<TakedownState | null> {
    const [row] = await this.db.query<{ takedown: TakedownState | null }[]>(
      `SELECT ${takedownOf('d')} AS takedown FROM datasets d WHERE d.id = $1::uuid`,
      [datasetId],
    );
    return row?.takedown ?? null;
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
              ${takedownOf('d')} AS takedown
       FROM (SELECT DISTINCT dataset_id FROM dataset_files WHERE sha256 = $1) f
       JOIN datasets d ON d.id = f.dataset_id AND d.storage = 'uploaded'
       ORDER BY CASE d.access_policy WHEN 'public' THEN 0 WHEN 'licensed' THEN 1 ELSE 2 END, d.created_at, d.id`,
      [sha256, account],
    );
  }
}
