import { Inject, Injectable } from '@nestjs/common';
import { Wallet } from 'ethers';
import type { EntityManager } from 'typeorm';
import { parseAddress, type Address } from '@upstream/api-contract';
import {
  ChainIndexer,
  TransactionOutbox,
  artifacts,
  decodeUpstreamEvent,
  type OutboxIntent,
  type RollbackHandler,
  type UpstreamEvent,
  type UpstreamEventName,
} from '@upstream/chain';
import { ChainService } from '../chain/chain.service';
import { UnitOfWork } from '../common/persistence/unit-of-work';
import { RUNTIME, type Runtime } from '../runtime/runtime';

/**
 * Who handles chain events, in the order their handlers run for one event, inside the
 * transaction that indexes it: a RunPaid first activates the license it pays for, then the
 * ledger allocates it; root and claim events are settlement's.
 */
export const EVENT_HANDLER_ORDER = ['licenses', 'disputes', 'ledger', 'settlement'] as const;
export type EventHandlerOwner = (typeof EVENT_HANDLER_ORDER)[number];

export type UpstreamEventHandler<N extends UpstreamEventName> = (
  em: EntityManager,
  event: UpstreamEvent<N>,
) => Promise<void>;

/**
 * The one outbox (transactions this service sends) and the one indexer
 * (events it follows) of this process. Features enqueue intents inside their
 * own database transactions and register event handlers at start-up.
 */
@Injectable()
export class ChainSyncService {
  readonly outbox: TransactionOutbox;
  readonly indexer: ChainIndexer;
  readonly operatorAddress: Address;
  /** The indexer's cursor name (one per chain). */
  readonly cursorName: string;
  private readonly handlers = new Map<
    UpstreamEventName,
    { owner: EventHandlerOwner; handle: UpstreamEventHandler<UpstreamEventName> }[]
  >();

  constructor(uow: UnitOfWork, chain: ChainService, @Inject(RUNTIME) runtime: Runtime) {
    const { deployment, operatorPrivateKey } = runtime.infrastructure;
    const { database } = uow;
    const wallet = new Wallet(operatorPrivateKey, chain.provider);
    this.operatorAddress = parseAddress(wallet.address, 'operator');
    this.outbox = new TransactionOutbox(database, wallet, { confirmations: runtime.config.confirmations });
    this.cursorName = `chain-${deployment.chainId}`;
    this.indexer = new ChainIndexer(database, chain.provider, {
      name: this.cursorName,
      contracts: [
        { address: deployment.royaltySplitter, abi: artifacts.RoyaltySplitter.abi },
        { address: deployment.provenanceRegistry, abi: artifacts.ProvenanceRegistry.abi },
        // The Governor's and the Timelock's events are kept for GET /governance/proposals, the
        // license template registry's for GET /governance/license-templates.
        ...(deployment.governance
          ? [
              { address: deployment.governance.governor, abi: artifacts.UpstreamGovernor.abi },
              { address: deployment.governance.timelock, abi: artifacts.UpstreamTimelock.abi },
            ]
          : []),
        ...(deployment.governance?.licenseTemplates
          ? [{ address: deployment.governance.licenseTemplates, abi: artifacts.LicenseTemplateRegistry.abi }]
          : []),
        ...(deployment.disputeBonds ? [{ address: deployment.disputeBonds, abi: artifacts.DisputeBonds.abi }] : []),
      ],
      confirmations: runtime.config.confirmations,
      startBlock: deployment.deployedAtBlock,
    });
    // Our transactions mined in blocks a rollback removes are sent again (or cancelled by their guard).
    this.indexer.onRollback((em, rollback) =>
      TransactionOutbox.forgetMinedAfter(em, this.operatorAddress, rollback.toBlock).then(() => undefined),
    );
  }

  /** Queues a transaction in the caller's database transaction (sent iff it commits). */
  enqueue(em: EntityManager, intent: OutboxIntent) {
    return TransactionOutbox.enqueue(em, this.operatorAddress, intent);
  }

  /**
   * Registers `owner`'s handler for a contract event, decoded and typed. Handlers of one event run
   * in EVENT_HANDLER_ORDER whatever order modules start in; an owner has one handler per event.
   */
  onEvent<N extends UpstreamEventName>(name: N, owner: EventHandlerOwner, handler: UpstreamEventHandler<N>): void {
    let list = this.handlers.get(name);
    if (!list) {
      this.handlers.set(name, (list = []));
      this.indexer.on(name, async (em, event) => {
        const typed = decodeUpstreamEvent(name, event);
        for (const entry of this.handlers.get(name)!) await entry.handle(em, typed);
      });
    }
    if (list.some((entry) => entry.owner === owner)) throw new Error(`${owner} already handles ${name}`);
    list.push({ owner, handle: handler as UpstreamEventHandler<UpstreamEventName> });
    list.sort((a, b) => EVENT_HANDLER_ORDER.indexOf(a.owner) - EVENT_HANDLER_ORDER.indexOf(b.owner));
  }

  /** The owners handling `name`, in the order they run. */
  handlersOf(name: UpstreamEventName): EventHandlerOwner[] {
    return (this.handlers.get(name) ?? []).map((entry) => entry.owner);
  }

  /** Runs inside every rollback's transaction, before the removed blocks' events are deleted. */
  onRollback(handler: RollbackHandler): void {
    this.indexer.onRollback(handler);
  }
}
