import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Wallet } from 'ethers';
import type { DataSource, EntityManager } from 'typeorm';
import { ChainIndexer, TransactionOutbox, artifacts, type EventHandler, type OutboxIntent, type RollbackHandler } from '@upstream/chain';
import { ChainService } from '../chain/chain.service';
import { RUNTIME, type Runtime } from '../runtime/runtime';

/**
 * The one outbox (transactions this service sends) and the one indexer
 * (events it follows) of this process. Features enqueue intents inside their
 * own database transactions and register event handlers at start-up.
 */
@Injectable()
export class ChainSyncService {
  readonly outbox: TransactionOutbox;
  readonly indexer: ChainIndexer;
  readonly operatorAddress: string;
  /** The indexer's cursor name (one per chain). */
  readonly cursorName: string;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    chain: ChainService,
    @Inject(RUNTIME) runtime: Runtime,
  ) {
    const { deployment, operatorPrivateKey } = runtime.infrastructure;
    const wallet = new Wallet(operatorPrivateKey, chain.provider);
    this.operatorAddress = wallet.address;
    this.outbox = new TransactionOutbox(dataSource, wallet, { confirmations: runtime.config.confirmations });
    this.cursorName = `chain-${deployment.chainId}`;
    this.indexer = new ChainIndexer(dataSource, chain.provider, {
      name: this.cursorName,
      contracts: [
        { address: deployment.royaltySplitter, abi: artifacts.RoyaltySplitter.abi },
        { address: deployment.provenanceRegistry, abi: artifacts.ProvenanceRegistry.abi },
      ],
      confirmations: runtime.config.confirmations,
      startBlock: deployment.deployedAtBlock,
    });
    // Our transactions mined in blocks a rollback removes are sent again (or cancelled by their guard).
    this.indexer.onRollback((em, rollback) => TransactionOutbox.forgetMinedAfter(em, this.operatorAddress, rollback.toBlock).then(() => undefined));
  }

  /** Queues a transaction in the caller's database transaction (sent iff it commits). */
  enqueue(em: EntityManager, intent: OutboxIntent) {
    return TransactionOutbox.enqueue(em, this.operatorAddress, intent);
  }

  onEvent(eventName: string, handler: EventHandler): void {
    this.indexer.on(eventName, handler);
  }

  /** Runs inside every rollback's transaction, before the removed blocks' events are deleted. */
  onRollback(handler: RollbackHandler): void {
    this.indexer.onRollback(handler);
  }
}
