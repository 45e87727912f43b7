import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Interface } from 'ethers';
import { parseBytes32 } from '@upstream/api-contract';
import { artifacts } from '@upstream/chain';
import { buildBatchAnchorTree } from '@upstream/provenance';
import { type Tx, UnitOfWork } from '../common/persistence/unit-of-work';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { ChainSyncService } from '../worker/chain-sync.service';
import { WorkerService } from '../worker/worker.service';
import { AnchoringRepository } from './anchoring.repository';

/** What is anchored: the ProvenanceRegistry's kinds of batch. */
export enum AnchorKind {
  /** Signed Contributions (dataset registrations). */
  Contributions = 0,
  /** Signed training-run manifests. */
  TrainingRuns = 1,
  /** Owners' signed Takedowns. */
  Takedowns = 2,
}

const ANCHOR_KINDS = [AnchorKind.Contributions, AnchorKind.TrainingRuns, AnchorKind.Takedowns];

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
    private readonly uow: UnitOfWork,
    private readonly repo: AnchoringRepository,
    private readonly sync: ChainSyncService,
    private readonly worker: WorkerService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    this.worker.addJob('anchor-batches', () => this.batchPending().then(() => undefined));
  }

  /** Adds a record's leaf (its EIP-712 digest, parsed here) to be anchored; call inside the record's transaction. */
  async addItem(tx: Tx, kind: AnchorKind, leaf: string): Promise<string> {
    return this.repo.in(tx).insertItem(kind, parseBytes32(leaf, 'leaf'));
  }

  /** Builds the batches that are due; `force` batches whatever is waiting. Returns the roots built. */
  async batchPending(force = false): Promise<string[]> {
    const roots: string[] = [];
    for (const kind of ANCHOR_KINDS) {
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
    return this.uow.run(async (tx) => {
      const repo = this.repo.in(tx);
      const items = await repo.lockUnbatched(kind, anchorBatchSize);
      if (items.length === 0) return undefined;
      const due =
        force ||
        items.length >= anchorBatchSize ||
        Date.now() - new Date(items[0].created_at).getTime() >= anchorIntervalMs;
      if (!due) return undefined;
      const tree = await buildBatchAnchorTree(items.map((i) => i.leaf));
      const outboxKey = `anchor:${kind}:${tree.root}`;
      await repo.insertBatch({ kind, root: tree.root, outboxKey, itemIds: items.map((i) => i.id) });
      await this.sync.enqueue(tx, {
        key: outboxKey,
        kind: 'anchor',
        to: this.runtime.infrastructure.deployment.provenanceRegistry,
        data: registry.encodeFunctionData('anchor', [kind, tree.root, items.length, '']),
      });
      return tree.root;
    });
  }

  /** `status`, naming the registry the root is anchored in (as a dataset or a takedown shows it). */
  async publicStatus(itemId: string): Promise<AnchorStatus & { registry: string }> {
    return { ...(await this.status(itemId)), registry: this.runtime.infrastructure.deployment.provenanceRegistry };
  }

  /** Where a record stands, with the inclusion proof of its leaf in the anchored root. */
  async status(itemId: string): Promise<AnchorStatus> {
    const item = await this.repo.itemWithBatch(itemId);
    if (!item) throw new Error(`anchor item ${itemId} does not exist`);
    const leaf = item.leaf;
    if (!item.batch_id) return { state: 'pending', leaf };
    const tree = await buildBatchAnchorTree(await this.repo.batchLeaves(item.batch_id));
    const status: AnchorStatus = {
      state: 'batched',
      leaf,
      batch: { id: String(item.batch_id), root: item.root!, itemCount: item.item_count!, proof: tree.proof(leaf) },
    };
    const tx = await this.repo.transaction(item.outbox_key!);
    if (tx) status.transaction = { status: tx.status, hash: tx.mined_tx_hash ?? tx.tx_hashes.at(-1) ?? null };
    const event = await this.repo.anchoredEvent(item.root!, this.runtime.infrastructure.deployment.provenanceRegistry);
    if (event) {
      status.state = 'anchored';
      status.anchor = {
        txHash: event.tx_hash,
        blockNumber: Number(event.block_number),
        anchoredAt: new Date(event.block_time).toISOString(),
      };
    }
    return status;
  }
}
