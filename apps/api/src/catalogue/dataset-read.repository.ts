import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SqlRepository } from '../common/persistence/unit-of-work';

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
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** SQL condition: license `l` is in force now (active and unexpired). */
export const licenseInForce = (l: string): string =>
  `${l}.status = 'active' AND (${l}.expires_at IS NULL OR ${l}.expires_at > now())`;

/**
 * SQL condition: dataset `d` is usable for runs by the lab in `lab` (a parameter such as `$2`, lowercase):
 * the lab holds a license for it in force. Set-based, so bulk run commits use it inside their own statements.
 */
export const usableForRunsBy = (d: string, lab: string): string =>
  `EXISTS (SELECT 1 FROM licenses l WHERE l.dataset_id = ${d}.id AND l.licensee = ${lab} AND ${licenseInForce('l')})`;

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
    const byUuid = UUID_RE.test(ref);
    const [row]: DatasetUsabilityRow[] = await this.db.query(
      `SELECT id, content_root, title, license_template, license_terms, license_terms_hash, licensing_open
       FROM datasets WHERE ${byUuid ? 'id = $1::uuid' : 'content_root = $1'}`,
      [ref.toLowerCase()],
    );
    return row;
  }
}
