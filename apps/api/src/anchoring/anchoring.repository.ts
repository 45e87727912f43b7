import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address, Bytes32 } from '@upstream/api-contract';
import { SqlRepository } from '../common/persistence/unit-of-work';

export interface AnchorItemRow {
  id: string;
  leaf: string;
  created_at: Date;
}

export interface AnchorItemWithBatchRow {
  leaf: string;
  batch_id: string | null;
  root: string | null;
  item_count: number | null;
  outbox_key: string | null;
}

export interface AnchorTransactionRow {
  status: string;
  mined_tx_hash: string | null;
  tx_hashes: string[];
}

export interface AnchoredEventRow {
  tx_hash: string;
  block_number: string;
  block_time: Date;
}

/** SQL of anchoring: items waiting for a batch, batches, and what the outbox and the chain say about them. */
@Injectable()
export class AnchoringRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  async insertItem(kind: number, leaf: Bytes32): Promise<string> {
    const [row]: { id: string }[] = await this.db.query(
      `INSERT INTO anchor_items (kind, leaf) VALUES ($1, $2) RETURNING id`,
      [kind, leaf],
    );
    return String(row.id);
  }

  /** The oldest items of `kind` without a batch, locked (others' locked items are skipped). */
  async lockUnbatched(kind: number, limit: number): Promise<AnchorItemRow[]> {
    return this.db.query(
      `SELECT id, leaf, created_at FROM anchor_items WHERE kind = $1 AND batch_id IS NULL
       ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [kind, limit],
    );
  }

  /** Records a batch and assigns its items to it; returns the batch id. */
  async insertBatch(batch: { kind: number; root: string; outboxKey: string; itemIds: string[] }): Promise<string> {
    const [row]: { id: string }[] = await this.db.query(
      `INSERT INTO anchor_batches (kind, root, item_count, outbox_key) VALUES ($1, $2, $3, $4) RETURNING id`,
      [batch.kind, batch.root, batch.itemIds.length, batch.outboxKey],
    );
    await this.db.query(`UPDATE anchor_items SET batch_id = $1 WHERE id = ANY($2::bigint[])`, [row.id, batch.itemIds]);
    return String(row.id);
  }

  async itemWithBatch(itemId: string): Promise<AnchorItemWithBatchRow | undefined> {
    const [row]: AnchorItemWithBatchRow[] = await this.db.query(
      `SELECT i.leaf, i.batch_id, b.root, b.item_count, b.outbox_key
       FROM anchor_items i LEFT JOIN anchor_batches b ON b.id = i.batch_id WHERE i.id = $1`,
      [itemId],
    );
    return row;
  }

  /** A batch's leaves in the order its tree was built. */
  async batchLeaves(batchId: string): Promise<string[]> {
    const rows: { leaf: string }[] = await this.db.query(
      `SELECT leaf FROM anchor_items WHERE batch_id = $1 ORDER BY id`,
      [batchId],
    );
    return rows.map((r) => r.leaf);
  }

  async transaction(outboxKey: string): Promise<AnchorTransactionRow | undefined> {
    const [row]: AnchorTransactionRow[] = await this.db.query(
      `SELECT status, mined_tx_hash, tx_hashes FROM outbox_transactions WHERE idempotency_key = $1`,
      [outboxKey],
    );
    return row;
  }

  /** The first Anchored event of `root` emitted by `registry`. */
  async anchoredEvent(root: string, registry: Address): Promise<AnchoredEventRow | undefined> {
    const [row]: AnchoredEventRow[] = await this.db.query(
      `SELECT tx_hash, block_number, block_time FROM chain_events
       WHERE event_name = 'Anchored' AND address = $2 AND args->>'root' = $1 ORDER BY id LIMIT 1`,
      [root, registry],
    );
    return row;
  }
}
