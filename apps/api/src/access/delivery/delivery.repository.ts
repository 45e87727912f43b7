import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address } from '@upstream/api-contract';
import { SqlRepository } from '../../common/persistence/unit-of-work';

/** One byte-serving response: who fetched which bytes of which file, under which dataset and license. */
export interface DeliveryReceipt {
  account: Address | null;
  datasetId: string | null;
  licenseId: string | null;
  sha256: string;
  firstByte: number;
  bytes: number;
  via: 'session' | 'api-key' | 'signed-url' | 'public';
  requestId: string | null;
  deliveredAt: Date;
}

export interface DeliveryRow {
  id: string;
  account: string | null;
  dataset_id: string | null;
  license_id: string | null;
  sha256: string;
  first_byte: string;
  bytes: string;
  via: string;
  request_id: string | null;
  delivered_at: Date;
}

/** Delivery receipts, service secrets, and who holds which uploaded bytes. */
@Injectable()
export class DeliveryRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /** Writes a batch of receipts in one statement. */
  async insertReceipts(receipts: DeliveryReceipt[]): Promise<void> {
    if (receipts.length === 0) return;
    await this.db.query(
      `INSERT INTO deliveries (account, dataset_id, license_id, sha256, first_byte, bytes, via, request_id, delivered_at)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::numeric[], $6::numeric[], $7::text[], $8::text[], $9::timestamptz[])`,
      [
        receipts.map((r) => r.account),
        receipts.map((r) => r.datasetId),
        receipts.map((r) => r.licenseId),
        receipts.map((r) => r.sha256),
        receipts.map((r) => r.firstByte),
        receipts.map((r) => r.bytes),
        receipts.map((r) => r.via),
        receipts.map((r) => r.requestId),
        receipts.map((r) => r.deliveredAt),
      ],
    );
  }

  /** Receipts of one dataset, newest first; with `account`, only that account's. */
  async deliveriesOf(
    datasetId: string,
    account: Address | null,
    page: { limit: number; offset: number },
  ): Promise<{ rows: DeliveryRow[]; total: number }> {
    const [rows, [count]] = await Promise.all([
      this.db.query<DeliveryRow[]>(
        `SELECT id, account, dataset_id, license_id, sha256, first_byte, bytes, via, request_id, delivered_at
         FROM deliveries WHERE dataset_id = $1 AND ($2::text IS NULL OR account = $2)
         ORDER BY delivered_at DESC, id DESC LIMIT $3 OFFSET $4`,
        [datasetId, account, page.limit, page.offset],
      ),
      this.db.query<{ total: string }[]>(
        `SELECT count(*) AS total FROM deliveries WHERE dataset_id = $1 AND ($2::text IS NULL OR account = $2)`,
        [datasetId, account],
      ),
    ]);
    return { rows, total: Number(count.total) };
  }

  /**
   * Per lab: datasets it was delivered under a license and never declared in any of its committed
   * training runs — what a contributor asks about ("did you train on my data without paying?").
   */
  async undeclaredDeliveries(
    datasetId: string,
  ): Promise<{ account: string; deliveries: string; bytes: string; last: Date }[]> {
    return this.db.query(
      `SELECT dl.account, count(*)::text AS deliveries, sum(dl.bytes)::text AS bytes, max(dl.delivered_at) AS last
       FROM deliveries dl
       WHERE dl.dataset_id = $1 AND dl.license_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM run_entries e JOIN training_runs r ON r.id = e.run_id
                         WHERE e.dataset_id = dl.dataset_id AND r.lab = dl.account)
       GROUP BY dl.account ORDER BY max(dl.delivered_at) DESC`,
      [datasetId],
    );
  }

  /** A named secret every replica shares: made on first use, the same afterwards. */
  async sharedSecret(name: string, candidate: Buffer): Promise<Buffer> {
    await this.db.query(`INSERT INTO service_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
      name,
      candidate,
    ]);
    const [row] = await this.db.query<{ secret: Buffer }[]>(`SELECT secret FROM service_secrets WHERE name = $1`, [
      name,
    ]);
    return row.secret;
  }
}
