import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Interface } from 'ethers';
import type { DataSource } from 'typeorm';
import { artifacts } from '@upstream/chain';
import { cumulativeLeaves, epochDataHash } from '@upstream/royalties';
import { ChainService } from '../chain/chain.service';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { ChainSyncService } from '../worker/chain-sync.service';
import { WorkerService } from '../worker/worker.service';
import { EpochsRepository, epochStatus, IN_FLIGHT } from './epochs.repository';
import { LedgerRepository } from './ledger.repository';

const splitterAbi = new Interface(artifacts.RoyaltySplitter.abi);

/**
 * Settles epochs: snapshots cumulative balances, builds the root, and queues proposeRoot in
 * the same database transaction (so a crash either loses the whole epoch or none of it, and the
 * outbox key `propose-root:<epoch>` sends it at most once). One root is in flight at a time;
 * once the chain's delay has passed, acceptRoot is queued. Root and claim events are indexed.
 */
@Injectable()
export class SettlementService implements OnModuleInit {
  private readonly logger = new Logger('Settlement');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly sync: ChainSyncService,
    private readonly worker: WorkerService,
    private readonly chain: ChainService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    for (const [name, kind] of [
      ['RootProposed', 'proposed'],
      ['RootAccepted', 'accepted'],
      ['RootVetoed', 'vetoed'],
    ] as const) {
      this.sync.onEvent(name, async (em, event) => {
        const a = event.args as Record<string, string>;
        await EpochsRepository.insertRootEvent(em, { chainEventId: event.id, epoch: a.epoch, kind, root: a.root, claimableAt: a.claimableAt });
      });
    }
    this.sync.onEvent('Claimed', async (em, event) => {
      const a = event.args as Record<string, string>;
      await EpochsRepository.insertClaim(em, {
        chainEventId: event.id,
        account: a.account,
        token: a.token,
        epoch: a.epoch,
        amount: a.amount,
        cumulative: a.cumulativeAmount,
      });
    });
    this.worker.addJob('settle-epoch', () => this.settle().then(() => undefined));
    this.worker.addJob('accept-root', () => this.acceptDueRoot().then(() => undefined));
  }

  /**
   * Builds the next epoch when new ledger entries exist since the last one, no root is in
   * flight and EPOCH_INTERVAL_MS has passed (`force` skips the interval). Returns its number.
   */
  async settle(force = false): Promise<number | undefined> {
    const { deployment } = this.runtime.infrastructure;
    return this.db.transaction(async (em) => {
      await LedgerRepository.lock(em);
      const [last] = await EpochsRepository.states(em);
      const lastStatus = last ? epochStatus(last) : undefined;
      if (lastStatus && IN_FLIGHT.has(lastStatus)) return undefined;
      const watermark = await EpochsRepository.maxAllocationSeq(em);
      if (watermark === null) return undefined;
      // A vetoed root is not re-proposed as is: only new entries (or a failed send) start a new epoch.
      if (last && BigInt(last.ledger_watermark) >= watermark && lastStatus !== 'failed') return undefined;
      if (!force && last && Date.now() - new Date(last.created_at).getTime() < this.runtime.config.epochIntervalMs) return undefined;
      if (!(await EpochsRepository.hasPositiveLedger(em, watermark))) return undefined;

      const epoch = (last ? Number(last.epoch) : 0) + 1;
      const rows = await EpochsRepository.snapshotBalances(em, epoch, watermark);
      const tree = await cumulativeLeaves(
        deployment.chainId,
        deployment.royaltySplitter.toLowerCase(),
        rows.map((r) => ({ account: r.account, token: r.token, cumulative: BigInt(r.cumulative) })),
      );
      const payments = await EpochsRepository.includedPayments(em, watermark);
      const dataHash = epochDataHash(
        deployment.chainId,
        deployment.royaltySplitter,
        epoch,
        payments.map((p) => ({ txHash: p.tx_hash, logIndex: p.log_index, blockNumber: Number(p.block_number) })),
      );
      const outboxKey = `propose-root:${epoch}`;
      await EpochsRepository.insertEpoch(em, {
        epoch,
        root: tree.root,
        dataHash,
        watermark,
        paymentCount: payments.length,
        leafCount: tree.length,
        outboxKey,
      });
      await this.sync.enqueue(em, {
        key: outboxKey,
        kind: 'propose-root',
        to: deployment.royaltySplitter,
        data: splitterAbi.encodeFunctionData('proposeRoot', [tree.root, epoch, dataHash]),
      });
      this.logger.log(`epoch ${epoch}: ${tree.length} balances over ${payments.length} payments, root ${tree.root}`);
      return epoch;
    });
  }

  /** Queues acceptRoot for the pending epoch once the chain's clock has passed its claimableAt. */
  async acceptDueRoot(): Promise<number | undefined> {
    const [last] = await EpochsRepository.states(this.db.manager);
    if (!last || epochStatus(last) !== 'proposed') return undefined;
    const pending = (await this.chain.splitter.pendingRoot()) as { root: string; epoch: bigint; claimableAt: bigint };
    if (pending.epoch !== BigInt(last.epoch) || pending.root.toLowerCase() !== last.root.trim()) return undefined;
    const block = await this.chain.provider.getBlock('latest');
    if (!block || BigInt(block.timestamp) < pending.claimableAt) return undefined;
    await this.db.transaction((em) =>
      this.sync.enqueue(em, {
        key: `accept-root:${last.epoch}`,
        kind: 'accept-root',
        to: this.runtime.infrastructure.deployment.royaltySplitter,
        data: splitterAbi.encodeFunctionData('acceptRoot', []),
      }),
    );
    return Number(last.epoch);
  }
}
