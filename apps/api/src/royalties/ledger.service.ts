import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UpstreamEvent } from '@upstream/chain';
import { allocatePayment, coverRunFees, ownersOnly, RoyaltyError, splitPaymentNet } from '@upstream/royalties';
import { UnitOfWork } from '../common/persistence/unit-of-work';
import { ChainSyncService } from '../worker/chain-sync.service';
import { WorkerService } from '../worker/worker.service';
import { DisputeEscrowService } from './dispute-escrow.service';
import { EscrowRepository } from './escrow.repository';
import { LedgerRepository, type PaymentRow } from './ledger.repository';

/**
 * Turns RunPaid events into ledger entries inside the transaction that applies the event.
 * A payment whose runId names no known training run (nor license payment_ref) is kept as
 * `unallocated`: the money is held and visible, and a worker job allocates it as soon as the
 * run is recorded. Allocation uses the fee and net reported in the event (what the contract did).
 * A run's payments pay its outstanding per-run fees first (each to its dataset, weight 1), then royalties.
 * A rejected dispute's bond (paid under its bondRunId) goes to the disputed dataset's owners alone. The
 * dispute rule then holds the shares of datasets under an open dispute in escrow (DisputeEscrowService).
 */
@Injectable()
export class LedgerService implements OnModuleInit {
  private readonly logger = new Logger('Ledger');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: LedgerRepository,
    private readonly escrow: EscrowRepository,
    private readonly disputeEscrow: DisputeEscrowService,
    private readonly sync: ChainSyncService,
    private readonly worker: WorkerService,
  ) {}

  onModuleInit(): void {
    this.sync.onEvent('RunPaid', 'ledger', (em, event) => this.applyRunPaid(em, event));
    this.worker.addJob('allocate-pending', () => this.allocatePending().then(() => undefined));
  }

  async applyRunPaid(em: EntityManager, event: UpstreamEvent<'RunPaid'>): Promise<void> {
    const { args } = event;
    await this.ledger.in(em).lock();
    const payment = await this.ledger.in(em).insertPayment({
      chainEventId: event.id,
      runId: args.runId,
      token: args.token,
      payer: args.payer,
      amount: args.amount,
      fee: args.fee,
      net: args.net,
      txHash: event.txHash,
      logIndex: event.logIndex,
      blockNumber: event.blockNumber,
      blockTime: event.blockTime,
    });
    await this.allocate(em, payment);
  }

  /** Allocates payments whose run (or license) has been recorded since they were paid. */
  async allocatePending(): Promise<number> {
    let allocated = 0;
    for (;;) {
      const done = await this.uow.run(async (em) => {
        await this.ledger.in(em).lock();
        const rows = await this.ledger.in(em).unallocatedPayments(100);
        let n = 0;
        for (const row of rows) if (await this.allocate(em, row)) n++;
        return { seen: rows.length, n };
      });
      allocated += done.n;
      if (done.seen < 100) return allocated;
    }
  }

  /** Writes the payment's ledger entries; false when its run is unknown or its data cannot be allocated. */
  private async allocate(em: EntityManager, payment: PaymentRow): Promise<boolean> {
    const target =
      (await this.ledger.in(em).allocationTarget(payment.run_id)) ??
      (await this.escrow.in(em).bondTarget(payment.run_id));
    if (!target) return false;
    const bond = target.source === 'bond';
    const graph = await this.ledger.in(em).lineage({
      runIds: target.trainingRunId ? [target.trainingRunId] : [],
      licenseIds: target.licenseId ? [target.licenseId] : [],
      datasetIds: bond ? target.entries.map((e) => e.id) : [],
    });
    // A run's payment first pays the per-run fees it still owes in this token (paid-per-run datasets).
    const runFees = target.trainingRunId
      ? coverRunFees(
          BigInt(payment.amount),
          await this.ledger.in(em).outstandingRunFees(target.trainingRunId, payment.token),
        )
      : [];
    let shares;
    try {
      shares = allocatePayment({
        amount: BigInt(payment.amount),
        net: BigInt(payment.net), // the contract took the protocol fee already; the event says how much
        entries: target.entries.map((e) => ({ datasetId: e.contentRoot, weight: e.weight })),
        runFees,
        datasets: bond
          ? ownersOnly(
              graph.nodes,
              target.entries.map((e) => ({ datasetId: e.contentRoot, weight: '1' })),
            )
          : graph.nodes,
      }).shares;
    } catch (error) {
      if (!(error instanceof RoyaltyError)) throw error;
      this.logger.warn(`payment ${payment.id} (run ${payment.run_id}) cannot be allocated: ${error.message}`);
      await this.ledger.in(em).markUnallocatable(payment.id, error.message);
      return false;
    }
    const paid = await this.disputeEscrow.paidShares(em, payment, shares, graph.uuidOf);
    await this.ledger.in(em).insertLedgerEntries(
      payment.id,
      payment.token,
      paid.map((s) => ({ datasetUuid: graph.uuidOf.get(s.datasetId)!, account: s.account, amount: s.amount })),
    );
    if (target.trainingRunId && runFees.length > 0)
      await this.ledger
        .in(em)
        .insertPaymentRunFees(
          payment.id,
          target.trainingRunId,
          splitPaymentNet(BigInt(payment.amount), BigInt(payment.net), runFees).runFees,
        );
    await this.ledger.in(em).markAllocated(payment.id, target);
    return true;
  }
}
