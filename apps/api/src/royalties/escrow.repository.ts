import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address } from '@upstream/api-contract';
import { SqlRepository } from '../common/persistence/unit-of-work';
import type { AllocationTarget } from './ledger.repository';

/** A share held for a dispute: one payment's share of one owner of the disputed dataset. */
/** A rejected dispute's bond payment: allocated to the disputed dataset's owners alone. */
export interface BondTarget extends AllocationTarget {
  source: 'bond';
  dataset: { id: string; contentRoot: string };
}

export interface HeldShare {
  paymentId: string;
  datasetUuid: string;
  account: string;
  contract: Address;
  disputeId: string;
  token: string;
  amount: bigint;
}

/** A held share still in escrow, with where its payment sits in the chain. */
export interface HeldRow {
  payment_id: string;
  dataset_id: string;
  content_root: string;
  account: string;
  token: string;
  amount: string;
  block_number: string;
  log_index: number;
}

/** What an account has held in escrow, per dispute and token. */
export interface AccountEscrowRow {
  dispute_id: string;
  content_root: string;
  token: string;
  amount: string;
}

/**
 * The SQL of dispute escrow: shares held while a dispute is open (`escrow_entries`), their release into
 * the ledger when it is resolved (ledger entries with `released_by`), and a rejected dispute's bond as a payment.
 */
@Injectable()
export class EscrowRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /** Where the payment's RunPaid event sits in the chain. */
  async paymentPosition(paymentId: string): Promise<{ blockNumber: number; logIndex: number }> {
    const [row] = await this.db.query<{ block_number: string; log_index: number }[]>(
      `SELECT block_number::text, log_index FROM royalty_payments WHERE id = $1`,
      [paymentId],
    );
    return { blockNumber: Number(row.block_number), logIndex: row.log_index };
  }

  /** Holds shares in escrow; `heldBy`: the resolution that moved them there (null: the payment's allocation). */
  async insertHeld(shares: readonly HeldShare[], heldBy: string | null): Promise<void> {
    if (shares.length === 0) return;
    await this.db.query(
      `INSERT INTO escrow_entries (payment_id, dataset_id, account, contract, dispute_id, token, amount, held_by)
       SELECT t.payment_id, t.dataset_id, t.account, t.contract, t.dispute_id::numeric, t.token, t.amount::numeric, $8
       FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         AS t(payment_id, dataset_id, account, contract, dispute_id, token, amount)`,
      [
        shares.map((s) => s.paymentId),
        shares.map((s) => s.datasetUuid),
        shares.map((s) => s.account),
        shares.map((s) => s.contract),
        shares.map((s) => s.disputeId),
        shares.map((s) => s.token),
        shares.map((s) => s.amount.toString()),
        heldBy,
      ],
    );
  }

  /** What the dispute still holds, by payment in chain order. */
  async held(contract: Address, disputeId: bigint): Promise<HeldRow[]> {
    return this.db.query<HeldRow[]>(
      `SELECT e.payment_id::text, e.dataset_id::text, ds.content_root, e.account, e.token, e.amount::text,
              p.block_number::text, p.log_index
       FROM escrow_entries e JOIN royalty_payments p ON p.id = e.payment_id JOIN datasets ds ON ds.id = e.dataset_id
       WHERE e.contract = $1 AND e.dispute_id = $2 AND e.released_by IS NULL
       ORDER BY p.block_number, p.log_index, ds.content_root, e.account`,
      [contract, disputeId.toString()],
    );
  }

  /**
   * Records the release (its number from the allocation sequence makes the next epoch include it) and
   * marks what the dispute held as released by it.
   */
  async release(contract: Address, disputeId: bigint, eventId: string): Promise<void> {
    await this.db.query(`INSERT INTO escrow_releases (chain_event_id, contract, dispute_id) VALUES ($1, $2, $3)`, [
      eventId,
      contract,
      disputeId.toString(),
    ]);
    await this.db.query(
      `UPDATE escrow_entries SET released_by = $3 WHERE contract = $1 AND dispute_id = $2 AND released_by IS NULL`,
      [contract, disputeId.toString(), eventId],
    );
  }

  /** Ledger entries paid out of escrow by the resolution `eventId` (they cascade with it). */
  async insertReleased(
    entries: readonly { paymentId: string; datasetUuid: string; account: string; token: string; amount: bigint }[],
    eventId: string,
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `INSERT INTO ledger_entries (payment_id, dataset_id, account, token, amount, released_by)
       SELECT t.payment_id, t.dataset_id, t.account, t.token, t.amount::numeric, $6
       FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::text[]) AS t(payment_id, dataset_id, account, token, amount)`,
      [
        entries.map((e) => e.paymentId),
        entries.map((e) => e.datasetUuid),
        entries.map((e) => e.account),
        entries.map((e) => e.token),
        entries.map((e) => e.amount.toString()),
        eventId,
      ],
    );
  }

  /** A rejected dispute's bond paid into the splitter under its bondRunId: a one-entry payment to the disputed dataset. */
  async bondTarget(runId: string): Promise<BondTarget | undefined> {
    const [row] = await this.db.query<{ id: string; content_root: string }[]>(
      `SELECT ds.id, ds.content_root
       FROM dispute_resolutions r JOIN disputes d ON d.contract = r.contract AND d.dispute_id = r.dispute_id
       JOIN datasets ds ON ds.content_root = d.content_root
       WHERE r.bond_run_id = $1 AND NOT r.upheld`,
      [runId],
    );
    if (!row) return undefined;
    return {
      source: 'bond',
      trainingRunId: null,
      licenseId: null,
      dataset: { id: row.id, contentRoot: row.content_root },
    };
  }

  /** The disputed dataset (uuid, content root) of each bond runId. */
  async bondDatasets(runIds: readonly string[]): Promise<Map<string, { id: string; contentRoot: string }>> {
    const rows = await this.db.query<{ bond_run_id: string; id: string; content_root: string }[]>(
      `SELECT r.bond_run_id, ds.id, ds.content_root
       FROM dispute_resolutions r JOIN disputes d ON d.contract = r.contract AND d.dispute_id = r.dispute_id
       JOIN datasets ds ON ds.content_root = d.content_root
       WHERE r.bond_run_id = ANY($1::text[]) AND NOT r.upheld`,
      [runIds],
    );
    return new Map(rows.map((r) => [r.bond_run_id, { id: r.id, contentRoot: r.content_root }]));
  }

  /** What the account has in escrow now, per dispute and token. */
  async heldFor(account: Address): Promise<AccountEscrowRow[]> {
    return this.db.query<AccountEscrowRow[]>(
      `SELECT e.dispute_id::text, ds.content_root, e.token, SUM(e.amount)::text AS amount
       FROM escrow_entries e JOIN datasets ds ON ds.id = e.dataset_id
       WHERE e.account = $1 AND e.released_by IS NULL
       GROUP BY e.dispute_id, ds.content_root, e.token
       ORDER BY e.dispute_id, e.token`,
      [account],
    );
  }
}
