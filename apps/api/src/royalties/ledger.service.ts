import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UpstreamEvent } from '@upstream/chain';
import {
  allocatePayment,
  coverRunFees,
  ownersOnly,
  PaymentAllocator,
  RoyaltyError,
  splitPaymentNet,
  streamPasses,
  type RunEntryNode,
} from '@upstream/royalties';
import { UnitOfWork } from '../common/persistence/unit-of-work';
import { ChainSyncService } from '../worker/chain-sync.service';
import { WorkerService } from '../worker/worker.service';
import { DisputeEscrowService } from './dispute-escrow.service';
import { EscrowRepository, type BondTarget } from './escrow.repository';
import { LedgerRepository, type PaymentRow } from './ledger.repository';

/** A payment whose per-run fees take it all reads no entries. */
const noEntries = async function* (): AsyncGenerator<RunEntryNode[]> {};

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

  /**
   * Writes the payment's ledger entries; false when its run is unknown or its data cannot be allocated.
   * The run's entries are read in three passes from a cursor and the shares written a batch at a time
   * (`PaymentAllocator`), so a run of a million entries is never in memory; every refusal comes before
   * the first write. Each batch holds every share of its datasets, so the dispute rule applies batch by batch.
   */
  private async allocate(em: EntityManager, payment: PaymentRow): Promise<boolean> {
    const ledger = this.ledger.in(em);
    const target = await ledger.allocationTarget(payment.run_id);
    if (!target) {
      const bond = await this.escrow.in(em).bondTarget(payment.run_id);
      return bond ? this.allocateBond(em, payment, bond) : false;
    }
    // A run's payment first pays the per-run fees it still owes in this token (paid-per-run datasets).
    const runFees = target.trainingRunId
      ? coverRunFees(BigInt(payment.amount), await ledger.outstandingRunFees(target.trainingRunId, payment.token))
      : [];
    const graph = await ledger.ancestors(
      target,
      runFees.map((f) => f.datasetId),
    );
    let batchUuids = new Map<string, string>();
    const read = async function* (pass: 'count' | 'weigh' | 'emit'): AsyncGenerator<RunEntryNode[]> {
      for await (const rows of ledger.entryBatches(target, pass !== 'weigh')) {
        batchUuids = new Map(rows.map((r) => [r.content_root, r.id]));
        yield rows.map((r) => ({
          datasetId: r.content_root,
          weight: BigInt(r.weight),
          dataset: { owners: r.owners ?? [], parents: r.parents ?? [] },
        }));
      }
    };
    const escrowed = await this.disputeEscrow.forPayment(em, payment);
    try {
      const allocator = new PaymentAllocator({
        amount: BigInt(payment.amount),
        net: BigInt(payment.net), // the contract took the protocol fee already; the event says how much
        runFees,
        datasets: graph.nodes,
      });
      // Each batch of shares is of the entries just read, their lineage and the per-run fees' datasets.
      const uuidOf = (root: string) => batchUuids.get(root) ?? graph.uuidOf.get(root)!;
      for await (const shares of streamPasses(allocator, allocator.readsEntries ? read : noEntries)) {
        const paid = await escrowed(shares, uuidOf);
        await ledger.insertLedgerEntries(
          payment.id,
          payment.token,
          paid.map((s) => ({ datasetUuid: uuidOf(s.datasetId), account: s.account, amount: s.amount })),
        );
      }
    } catch (error) {
      if (!(error instanceof RoyaltyError)) throw error;
      this.logger.warn(`payment ${payment.id} (run ${payment.run_id}) cannot be allocated: ${error.message}`);
      await ledger.markUnallocatable(payment.id, error.message);
      return false;
    }
    if (target.trainingRunId && runFees.length > 0)
      await ledger.insertPaymentRunFees(
        payment.id,
        target.trainingRunId,
        splitPaymentNet(BigInt(payment.amount), BigInt(payment.net), runFees).runFees,
      );
    await ledger.markAllocated(payment.id, target);
    return true;
  }

  /** A rejected dispute's bond: its one entry the disputed dataset, paid to that dataset's owners alone. */
  private async allocateBond(em: EntityManager, payment: PaymentRow, bond: BondTarget): Promise<boolean> {
    const ledger = this.ledger.in(em);
    const graph = await ledger.lineage({ runIds: [], licenseIds: [], datasetIds: [bond.dataset.id] });
    let shares;
    try {
      shares = allocatePayment({
        amount: BigInt(payment.amount),
        net: BigInt(payment.net),
        entries: [{ datasetId: bond.dataset.contentRoot, weight: 1n }],
        datasets: ownersOnly(graph.nodes, [{ datasetId: bond.dataset.contentRoot, weight: '1' }]),
      }).shares;
    } catch (error) {
      if (!(error instanceof RoyaltyError)) throw error;
      this.logger.warn(`bond payment ${payment.id} (run ${payment.run_id}) cannot be allocated: ${error.message}`);
      await ledger.markUnallocatable(payment.id, error.message);
      return false;
    }
    // Another dispute may be open on the same dataset: its owners' shares of the bond are held like any payment's.
    const escrowed = await this.disputeEscrow.forPayment(em, payment);
    const paid = await escrowed(shares, (root) => graph.uuidOf.get(root)!);
    await ledger.insertLedgerEntries(
      payment.id,
      payment.token,
      paid.map((s) => ({ datasetUuid: graph.uuidOf.get(s.datasetId)!, account: s.account, amount: s.amount })),
    );
    await ledger.markAllocated(payment.id, bond);
    return true;
  }
}
