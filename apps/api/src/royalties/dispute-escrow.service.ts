import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UpstreamEvent } from '@upstream/chain';
import { applyDisputes, DisputeBook, type Share } from '@upstream/royalties';
import { DisputesRepository } from '../disputes/disputes.repository';
import { ChainSyncService } from '../worker/chain-sync.service';
import { EscrowRepository, type HeldRow } from './escrow.repository';
import { LedgerRepository, type PaymentRow } from './ledger.repository';

/**
 * The dispute rule (libs/royalties `applyDisputes`) in the ledger. A payment's shares of a dataset under an
 * open dispute are held in escrow; its DisputeResolved event (after the disputes handler has recorded it)
 * releases them, in the event's transaction: upheld to the rightful owners, rejected to the owners. A
 * payment allocated after an upheld resolution pays the rightful owners directly.
 */
/** Applies the dispute rule to a batch of one payment's shares; `uuidOf` names each share's dataset row. */
export type PaymentEscrow = (shares: Share[], uuidOf: (contentRoot: string) => string) => Promise<Share[]>;

@Injectable()
export class DisputeEscrowService implements OnModuleInit {
  constructor(
    private readonly escrow: EscrowRepository,
    private readonly disputes: DisputesRepository,
    private readonly ledger: LedgerRepository,
    private readonly sync: ChainSyncService,
  ) {}

  onModuleInit(): void {
    this.sync.onEvent('DisputeResolved', 'ledger', (em, event) => this.release(em, event));
  }

  /**
   * The dispute rule for one payment, read once (one query: the disputes): a function that takes a batch of
   * its shares (every share of each dataset in the batch, as `PaymentAllocator` yields them), holds those of
   * datasets under an open dispute, and returns those to write to the ledger.
   */
  async forPayment(em: EntityManager, payment: PaymentRow): Promise<PaymentEscrow> {
    const disputes = await this.disputes.in(em).current();
    if (disputes.length === 0) return (shares) => Promise.resolve(shares);
    const at = await this.escrow.in(em).paymentPosition(payment.id);
    const contractOf = new Map(disputes.map((d) => [d.disputeId, d.contract]));
    return async (shares, uuidOf) => {
      const roots = new Set(shares.map((s) => s.datasetId));
      const relevant = disputes.filter((d) => roots.has(d.datasetId));
      if (relevant.length === 0) return shares;
      const { paid, escrow } = applyDisputes(shares, at, new DisputeBook(relevant));
      await this.escrow.in(em).insertHeld(
        escrow.map((e) => ({
          paymentId: payment.id,
          datasetUuid: uuidOf(e.datasetId),
          account: e.account,
          contract: contractOf.get(e.disputeId)!,
          disputeId: e.disputeId,
          token: payment.token,
          amount: e.amount,
        })),
        null,
      );
      return paid;
    };
  }

  /**
   * Releases what a resolved dispute held: each payment's held shares go where the rule now sends them
   * (the resolution is recorded by then: 'disputes' runs before 'ledger'), all in the event's transaction.
   */
  async release(em: EntityManager, event: UpstreamEvent<'DisputeResolved'>): Promise<void> {
    await this.ledger.in(em).lock();
    const contract = event.address;
    const held = await this.escrow.in(em).held(contract, event.args.disputeId);
    if (held.length === 0) return;
    const disputes = await this.disputes.in(em).current([...new Set(held.map((h) => h.content_root))]);
    const book = new DisputeBook(disputes);
    const contractOf = new Map(disputes.map((d) => [d.disputeId, d.contract]));
    await this.escrow.in(em).release(contract, event.args.disputeId, event.id);
    const released = [];
    const reheld = [];
    for (const rows of byPayment(held)) {
      const { payment_id: paymentId, token } = rows[0];
      const uuidOf = new Map(rows.map((r) => [r.content_root, r.dataset_id]));
      const shares = rows.map((r) => ({ account: r.account, amount: BigInt(r.amount), datasetId: r.content_root }));
      const at = { blockNumber: Number(rows[0].block_number), logIndex: rows[0].log_index };
      const { paid, escrow } = applyDisputes(shares, at, book);
      for (const s of paid)
        released.push({
          paymentId,
          datasetUuid: uuidOf.get(s.datasetId)!,
          account: s.account,
          token,
          amount: s.amount,
        });
      for (const e of escrow)
        reheld.push({
          paymentId,
          datasetUuid: uuidOf.get(e.datasetId)!,
          account: e.account,
          contract: contractOf.get(e.disputeId)!,
          disputeId: e.disputeId,
          token,
          amount: e.amount,
        });
    }
    await this.escrow.in(em).insertReleased(released, event.id);
    await this.escrow.in(em).insertHeld(reheld, event.id);
  }
}

/** Held rows (in chain order of their payments) grouped by payment. */
function byPayment(rows: readonly HeldRow[]): HeldRow[][] {
  const groups: HeldRow[][] = [];
  for (const r of rows) {
    const last = groups.at(-1);
    if (last && last[0].payment_id === r.payment_id) last.push(r);
    else groups.push([r]);
  }
  return groups;
}
