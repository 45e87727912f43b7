import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address } from '@upstream/api-contract';
import { SqlRepository } from '../common/persistence/unit-of-work';
import { EFFECTIVE_LICENSE_STATUS } from '../licenses/licenses.repository';

export interface DatasetFactsRow {
  id: string;
  content_root: string;
  title: string;
  license_template: string;
  license_terms_hash: string;
  owners: { account: string; shareBps: number }[];
}

export interface LabLicenseRow {
  id: string;
  dataset_id: string;
  status: string;
  terms_hash: string;
  activated_at: Date | null;
  expires_at: Date | null;
  activation_tx: string | null;
}

export interface DatasetRunRow {
  id: string;
  run_id: string;
  lab: string;
  model_name: string;
  model_hash: string;
  weight_unit: string;
  total_weight: string;
  entry_count: number;
  created_at: Date;
  weight: string;
  dataset_id: string;
  dataset_root: string;
  share_bps?: number;
}

/** Read-only SQL for the public audit views: who owns the data of a run, and which runs used a dataset. */
@Injectable()
export class AuditRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  async datasetFacts(datasetUuids: string[]): Promise<DatasetFactsRow[]> {
    if (datasetUuids.length === 0) return [];
    return this.db.query(
      `SELECT d.id, d.content_root, d.title, d.license_template, d.license_terms_hash,
              COALESCE((SELECT json_agg(json_build_object('account', o.account, 'shareBps', o.share_bps) ORDER BY o.account)
                        FROM dataset_owners o WHERE o.dataset_id = d.id), '[]') AS owners
       FROM datasets d WHERE d.id = ANY($1::uuid[])`,
      [datasetUuids],
    );
  }

  /** The lab's licenses on these datasets (all statuses, newest first). */
  async labLicenses(lab: Address, datasetUuids: string[]): Promise<LabLicenseRow[]> {
    if (datasetUuids.length === 0) return [];
    return this.db.query(
      `SELECT l.id, l.dataset_id, ${EFFECTIVE_LICENSE_STATUS} AS status, l.terms_hash, l.activated_at, l.expires_at, e.tx_hash AS activation_tx
       FROM licenses l LEFT JOIN chain_events e ON e.id = l.activated_by_event_id
       WHERE l.licensee = $1 AND l.dataset_id = ANY($2::uuid[]) ORDER BY l.created_at DESC`,
      [lab, datasetUuids],
    );
  }

  async runsForDataset(
    datasetUuid: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: DatasetRunRow[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<DatasetRunRow[]>(
        `SELECT r.id, r.run_id, r.lab, r.model_name, r.model_hash, r.weight_unit, r.total_weight::text, r.entry_count, r.created_at,
                e.weight::text AS weight, e.dataset_id, d.content_root AS dataset_root
         FROM run_entries e JOIN training_runs r ON r.id = e.run_id JOIN datasets d ON d.id = e.dataset_id
         WHERE e.dataset_id = $1 ORDER BY r.created_at DESC, r.id LIMIT $2 OFFSET $3`,
        [datasetUuid, limit, offset],
      ),
      this.db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM run_entries WHERE dataset_id = $1`, [
        datasetUuid,
      ]),
    ]);
    return { rows, total };
  }

  async runsForContributor(
    account: Address,
    limit: number,
    offset: number,
  ): Promise<{ rows: DatasetRunRow[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<DatasetRunRow[]>(
        `SELECT r.id, r.run_id, r.lab, r.model_name, r.model_hash, r.weight_unit, r.total_weight::text, r.entry_count, r.created_at,
                e.weight::text AS weight, e.dataset_id, d.content_root AS dataset_root, o.share_bps
         FROM dataset_owners o
         JOIN run_entries e ON e.dataset_id = o.dataset_id
         JOIN training_runs r ON r.id = e.run_id
         JOIN datasets d ON d.id = e.dataset_id
         WHERE o.account = $1 ORDER BY r.created_at DESC, r.id, e.position LIMIT $2 OFFSET $3`,
        [account, limit, offset],
      ),
      this.db.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM dataset_owners o JOIN run_entries e ON e.dataset_id = o.dataset_id
         WHERE o.account = $1`,
        [account],
      ),
    ]);
    return { rows, total };
  }
}
