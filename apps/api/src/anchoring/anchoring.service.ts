import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Interface } from 'ethers';
import type { DataSource, EntityManager } from 'typeorm';
import { artifacts } from '@upstream/chain';
import { buildBatchAnchorTree } from '@upstream/provenance';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { ChainSyncService } from '../worker/chain-sync.service';
import { WorkerService } from '../worker/worker.service';

/** What is anchored: kind 0 = contribution registrations, 1 = training-run manifests (ProvenanceRegistry kinds). */
export enum AnchorKind {
  Contributions = 0,
  TrainingRuns = 1,
}

export interface AnchorStatus {
  /** pending: waiting for a batch; batched: root built, transaction queued or sent; anchored: Anchored event indexed. */
  state: 'pending' | 'batched' | 'anchored';
  leaf: string;
  batch?: { id: string; root: string; itemCount: number; proof: string[] };
  transaction?: { status: string; hash: string | null };
  anchor?: { txHash: string; blockNumber: number; anchoredAt: string };
}

const registry = new Interface(artifacts.ProvenanceRegistry.abi);

/**
 * Batches signed records into Merkle roots posted to the ProvenanceRegistry:
 * every ANCHOR_BATCH_SIZE records or ANCHOR_INTERVAL_MS, whichever comes first.
 * A batch, its items and its transaction intent are written in one database
 * transaction, so a crash neither loses a record nor anchors it twice.
 */
@Injectable()
export class AnchoringService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sync: ChainSyncService,
    private readonly worker: WorkerService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    this.worker.addJob('anchor-batches', () => this.batchPending().then(() => undefined));
  }

  /** Adds a record's leaf (its EIP-712 digest) to be anchored; call inside the record's transaction. */
  async addItem(em: EntityManager, kind: AnchorKind, leaf: string): Promise<string> {
    const [row] = await em.query(`INSERT INTO anchor_items (kind, leaf) VALUES ($1, $2) RETURNING id`, [kind, leaf.toLowerCase()]);
    return String(row.id);
  }

  /** Builds the batches that are due; `force` batches whatever is waiting. Returns the roots built. */
  async batchPending(force = false): Promise<string[]> {
    const roots: string[] = [];
    for (const kind of [AnchorKind.Contributions, AnchorKind.TrainingRuns]) {
      for (;;) {
        const root = await this.batchOne(kind, force);
        if (!root) break;
        roots.push(root);
      }
    }
    return roots;
  }

  private async batchOne(kind: AnchorKind, force: boolean): Promise<string | undefined> {
    const { anchorBatchSize, anchorIntervalMs } = this.runtime.config;
    return this.db.transaction(async (em) => {
      const items: { id: string; leaf: string; created_at: Date }[] = await em.query(
        `SELECT id, leaf, created_at FROM anchor_items WHERE kind = $1 AND batch_id IS NULL
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [kind, anchorBatchSize],
      );
      if (items.length === 0) return undefined;
      const due = force || items.length >= anchorBatchSize || Date.now() - new Date(items[0].created_at).getTime() >= anchorIntervalMs;
      if (!due) return undefined;
      const tree = await buildBatchAnchorTree(items.map((i) => i.leaf));
      const outboxKey = `anchor:${kind}:${tree.root}`;
      const [batch] = await em.query(
        `INSERT INTO anchor_batches (kind, root, item_count, outbox_key) VALUES ($1, $2, $3, $4) RETURNING id`,
        [kind, tree.root, items.length, outboxKey],
      );
      await em.query(`UPDATE anchor_items SET batch_id = $1 WHERE id = ANY($2::bigint[])`, [batch.id, items.map((i) => i.id)]);
      await this.sync.enqueue(em, {
        key: outboxKey,
        kind: 'anchor',
        to: this.runtime.infrastructure.deployment.provenanceRegistry,
        data: registry.encodeFunctionData('anchor', [kind, tree.root, items.length, '']),
      });
      return tree.root;
    });
  }

  /** Where a record stands, with the inclusion proof of its leaf in the anchored root. */
  async status(itemId: string): Promise<AnchorStatus> {
    const [item] = await this.db.query(
      `SELECT i.leaf, i.batch_id, b.root, b.item_count, b.outbox_key
       FROM anchor_items i LEFT JOIN anchor_batches b ON b.id = i.batch_id WHERE i.id = $1`,
      [itemId],
    );
    if (!item) throw new Error(`anchor item ${itemId} does not exist`);
    const leaf = item.leaf;
    if (!item.batch_id) return { state: 'pending', leaf };
    const leaves: { leaf: string }[] = await this.db.query(`SELECT leaf FROM anchor_items WHERE batch_id = $1 ORDER BY id`, [
      item.batch_id,
    ]);
    const tree = await buildBatchAnchorTree(leaves.map((l) => l.leaf));
    const status: AnchorStatus = {
      state: 'batched',
      leaf,
      batch: { id: String(item.batch_id), root: item.root, itemCount: item.item_count, proof: tree.proof(leaf) },
    };
    const [tx] = await this.db.query(`SELECT status, mined_tx_hash, tx_hashes FROM outbox_transactions WHERE idempotency_key = $1`, [
      item.outbox_key,
    ]);
    if (tx) status.transaction = { status: tx.status, hash: tx.mined_tx_hash ?? tx.tx_hashes.at(-1) ?? null };
    const [event] = await this.db.query(
      `SELECT tx_hash, block_number, block_time FROM chain_events
       WHERE event_name = 'Anchored' AND address = $2 AND args->>'root' = $1 ORDER BY id LIMIT 1`,
      [item.root, this.runtime.infrastructure.deployment.provenanceRegistry.toLowerCase()],
    );
    if (event) {
      status.state = 'anchored';
      status.anchor = { txHash: event.tx_hash, blockNumber: Number(event.block_number), anchoredAt: new Date(event.block_time).toISOString() };
    }
    return status;
  }
}
