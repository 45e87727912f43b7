import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address, Bytes32 } from '@upstream/api-contract';
import { SqlRepository } from '../common/persistence/unit-of-work';

export interface LicenseRow {
  id: string;
  dataset_id: string;
  dataset_root: string;
  license_template: string;
  licensee: string;
  terms_hash: string;
  status: 'pending_payment' | 'active' | 'expired' | 'revoked';
  fee_token: string | null;
  fee_amount: string;
  payment_ref: string | null;
  digest: string;
  expires_at: Date | null;
  activated_at: Date | null;
  activation_tx: string | null;
  created_at: Date;
}

export interface NewLicense {
  datasetId: string;
  licensee: Address;
  termsHash: Bytes32;
  status: 'pending_payment' | 'active';
  feeToken: Address | null;
  feeAmount: bigint;
  paymentRef: string | null;
  nonce: bigint;
  deadline: Date;
  signature: string;
  digest: Bytes32;
  /** From the signed terms: the license ends this many days after it becomes active. */
  durationDays: number | null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A license's status as of now: an active or unpaid license past its expiry is reported as expired. */
export const EFFECTIVE_LICENSE_STATUS = `CASE WHEN l.status IN ('active', 'pending_payment') AND l.expires_at IS NOT NULL AND l.expires_at <= now()
  THEN 'expired' ELSE l.status END`;

const LICENSE_SELECT = `
  SELECT l.id, l.dataset_id, d.content_root AS dataset_root, d.license_template, l.licensee, l.terms_hash,
         ${EFFECTIVE_LICENSE_STATUS} AS status, l.fee_token, l.fee_amount, l.payment_ref, l.digest,
         l.expires_at, l.activated_at, e.tx_hash AS activation_tx, l.created_at
  FROM licenses l
  JOIN datasets d ON d.id = l.dataset_id
  LEFT JOIN chain_events e ON e.id = l.activated_by_event_id`;

/** SQL of licenses, license payments and the dataset facts licensing needs. */
@Injectable()
export class LicensesRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /** The lab's current (unexpired, not revoked) license for a dataset, if any. */
  async currentLicense(datasetId: string, licensee: Address): Promise<LicenseRow | undefined> {
    const [row] = await this.db.query<LicenseRow[]>(
      `${LICENSE_SELECT} WHERE l.dataset_id = $1 AND l.licensee = $2 AND ${EFFECTIVE_LICENSE_STATUS} IN ('active', 'pending_payment')
       ORDER BY (${EFFECTIVE_LICENSE_STATUS} = 'active') DESC, l.created_at DESC LIMIT 1`,
      [datasetId, licensee],
    );
    return row;
  }

  async insert(l: NewLicense): Promise<string> {
    const [row] = await this.db.query<{ id: string }[]>(
      `INSERT INTO licenses (dataset_id, licensee, terms_hash, status, fee_token, fee_amount, payment_ref, nonce, deadline,
                             signature, digest, duration_days, activated_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::int, CASE WHEN $4 = 'active' THEN now() END,
               CASE WHEN $4 = 'active' THEN now() + make_interval(days => $12::int) END) RETURNING id`,
      [
        l.datasetId,
        l.licensee,
        l.termsHash,
        l.status,
        l.feeToken,
        l.feeAmount.toString(),
        l.paymentRef,
        l.nonce.toString(),
        l.deadline,
        l.signature,
        l.digest,
        l.durationDays,
      ],
    );
    return String(row.id);
  }

  async findById(id: string): Promise<LicenseRow | undefined> {
    if (!UUID_RE.test(id)) return undefined;
    const [row] = await this.db.query<LicenseRow[]>(`${LICENSE_SELECT} WHERE l.id = $1`, [id]);
    return row;
  }

  async listByLicensee(
    licensee: Address,
    limit: number,
    offset: number,
  ): Promise<{ rows: LicenseRow[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<LicenseRow[]>(
        `${LICENSE_SELECT} WHERE l.licensee = $1 ORDER BY l.created_at DESC, l.id LIMIT $2 OFFSET $3`,
        [licensee, limit, offset],
      ),
      this.db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM licenses WHERE licensee = $1`, [licensee]),
    ]);
    return { rows, total };
  }

  async listByDataset(
    datasetId: string,
    limit: number,
    offset: number,
  ): Promise<{ rows: LicenseRow[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<LicenseRow[]>(
        `${LICENSE_SELECT} WHERE l.dataset_id = $1 ORDER BY l.created_at DESC, l.id LIMIT $2 OFFSET $3`,
        [datasetId, limit, offset],
      ),
      this.db.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM licenses WHERE dataset_id = $1`, [
        datasetId,
      ]),
    ]);
    return { rows, total };
  }

  /**
   * Activates the unpaid license whose payment ref is `runId` once the RunPaid payments for it in its fee
   * token add up to the fee; a license with a duration expires that many days after the activating block's
   * time. The activating event is referenced (ON DELETE SET NULL + trigger): if a reorg removes it, the
   * license goes back to pending_payment, without an expiry.
   */
  async activateByPayment(event: { id: string; runId: Bytes32; token: Address; blockTime: Date }): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `WITH activated AS (
         UPDATE licenses l SET status = 'active', activated_at = $4, activated_by_event_id = $1,
                               expires_at = $4::timestamptz + make_interval(days => l.duration_days)
         WHERE l.payment_ref = $2 AND l.fee_token = $3 AND l.status = 'pending_payment'
           AND l.fee_amount <= (SELECT COALESCE(SUM((e.args->>'amount')::numeric), 0) FROM chain_events e
                                WHERE e.event_name = 'RunPaid' AND e.args->>'runId' = $2 AND e.args->>'token' = $3)
         RETURNING l.id)
       SELECT id FROM activated`,
      [event.id, event.runId, event.token, event.blockTime],
    );
    return rows.map((r) => String(r.id));
  }

  async isOwner(datasetId: string, account: Address): Promise<boolean> {
    const rows = await this.db.query<unknown[]>(`SELECT 1 FROM dataset_owners WHERE dataset_id = $1 AND account = $2`, [
      datasetId,
      account,
    ]);
    return rows.length > 0;
  }

  async setLicensingOpen(datasetId: string, open: boolean): Promise<Date> {
    const [row] = await this.db.query<{ licensing_changed_at: Date }[]>(
      `WITH changed AS (UPDATE datasets SET licensing_open = $2, licensing_changed_at = now() WHERE id = $1 RETURNING licensing_changed_at)
       SELECT licensing_changed_at FROM changed`,
      [datasetId, open],
    );
    return row.licensing_changed_at;
  }
}
