import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UpstreamEvent } from '@upstream/chain';
import { DISPUTE_LABELS } from '@upstream/royalties';
import { ChainSyncService } from '../worker/chain-sync.service';
import { DisputesRepository } from './disputes.repository';

/**
 * Follows DisputeBonds: DisputeOpened and DisputeResolved become rows in the transaction that applies
 * the event (they cascade with it on a chain rollback), ahead of the ledger in EVENT_HANDLER_ORDER.
 */
@Injectable()
export class DisputesService implements OnModuleInit {
  private readonly logger = new Logger('Disputes');

  constructor(
    private readonly disputes: DisputesRepository,
    private readonly sync: ChainSyncService,
  ) {}

  onModuleInit(): void {
    this.sync.onEvent('DisputeOpened', 'disputes', (em, event) => this.applyOpened(em, event));
    this.sync.onEvent('DisputeResolved', 'disputes', (em, event) => this.applyResolved(em, event));
  }

  async applyOpened(em: EntityManager, event: UpstreamEvent<'DisputeOpened'>): Promise<void> {
    const { args } = event;
    const label = DISPUTE_LABELS[Number(args.label)];
    if (label === undefined) {
      this.logger.warn(`DisputeOpened ${args.disputeId} in ${event.txHash}: unknown label ${args.label}, not recorded`);
      return;
    }
    await this.disputes.in(em).insertOpened({
      contract: event.address,
      disputeId: args.disputeId,
      chainEventId: event.id,
      contentRoot: args.datasetId,
      disputer: args.disputer,
      label,
      token: args.token,
      bond: args.bond,
      evidenceHash: args.evidenceHash,
      evidenceUri: args.evidenceUri,
      claimedOwners: args.claimedOwners,
      blockNumber: event.blockNumber,
      logIndex: event.logIndex,
      openedAt: event.blockTime,
    });
  }

  async applyResolved(em: EntityManager, event: UpstreamEvent<'DisputeResolved'>): Promise<void> {
    const { args } = event;
    const recorded = await this.disputes.in(em).insertResolved({
      contract: event.address,
      disputeId: args.disputeId,
      chainEventId: event.id,
      upheld: args.upheld,
      resolver: args.resolver,
      rightfulOwners: args.rightfulOwners.map((account, i) => ({ account, shareBps: Number(args.shareBps[i]) })),
      bondRunId: args.bondRunId,
      blockNumber: event.blockNumber,
      logIndex: event.logIndex,
      resolvedAt: event.blockTime,
    });
    if (!recorded) this.logger.warn(`DisputeResolved ${args.disputeId} in ${event.txHash}: its opening is unknown`);
  }
}
