import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address, Bytes32 } from '@upstream/api-contract';
import type { DatasetNode } from '@upstream/royalties';
import { cursorBatchesIn } from '../common/persistence/cursor';
import { SqlRepository } from '../common/persistence/unit-of-work';

/** Serialises every writer of the ledger and of epoch snapshots (indexer handlers, retry and settlement jobs). */
export const LEDGER_LOCK = 'upstream:royalty-ledger';

export interface PaymentRow {
  id: string;
  run_id: string;
  token: string;
  amount: string;
  fee: string;
  net: string;
}

export interface AllocationTarget {
  /** `bond`: a rejected dispute's bond (its one entry the disputed dataset, allocated to its owners alone). */
  source: 'run' | 'license' | 'bond';
  trainingRunId: string | null;
  licenseId: string | null;
}

export interface LineageGraph {
  /** content root → owners and parents (by content root), for every dataset reached. */
  nodes: Map<string, DatasetNode>;
  /** content root → dataset uuid. */
  uuidOf: Map<string, string>;
}

const INSERT_CHUNK = 50_000;
/** Entries read a batch at a time by the streamed allocation: its shares are written a batch at a time too. */
const ENTRY_BATCH = 10_000;

/** A dataset with its owners and parents (by content root), as NODE_COLUMNS read them. */
export interface NodeRow {
  id: string;
  content_root: string;
  owners: { account: string; shareBps: number }[] | null;
  parents: { datasetId: string; upstreamBps: number }[] | null;
}

function lineageGraph(rows: readonly NodeRow[]): LineageGraph {
  const nodes = new Map<string, DatasetNode>();
  const uuidOf = new Map<string, string>();
  for (const r of rows) {
    nodes.set(r.content_root, { owners: r.owners ?? [], parents: r.parents ?? [] });
    uuidOf.set(r.content_root, r.id);
  }
  return { nodes, uuidOf };
}

/** A dataset's owners and parents (by content root) as JSON, for `d`: the columns the allocation reads. */
const NODE_COLUMNS = `(SELECT json_agg(json_build_object('account', o.account, 'shareBps', o.share_bps) ORDER BY o.account)
              FROM dataset_owners o WHERE o.dataset_id = d.id) AS owners,
           (SELECT json_agg(json_build_object('datasetId', pd.content_root, 'upstreamBps', p.upstream_bps) ORDER BY pd.content_root)
              FROM dataset_parents p JOIN datasets pd ON pd.id = p.parent_id WHERE p.dataset_id = d.id) AS parents`;

/** The datasets reached from `seeds` (a query of dataset ids) and every ancestor, with their owners and parents. */
const lineageSql = (seeds: string) => `WITH RECURSIVE reach(id) AS (
           ${seeds}
           UNION
           SELECT p.parent_id FROM dataset_parents p JOIN reach r ON p.dataset_id = r.id
         )
         SELECT d.id, d.content_root, ${NODE_COLUMNS}
         FROM reach r JOIN datasets d ON d.id = r.id`;

/**
 * Owners and parents (by content root) of the datasets that runs ($1) and licenses ($2) use, of the
 * datasets named by uuid ($3: disputed datasets whose bond is paid) and of every ancestor, in one
 * recursive query (UNION stops at datasets already reached).
 */
export const LINEAGE_SQL = lineageSql(`SELECT dataset_id FROM run_entries WHERE run_id = ANY($1::uuid[])
           UNION
           SELECT dataset_id FROM licenses WHERE id = ANY($2::uuid[])
           UNION
           SELECT unnest($3::uuid[])`);

/** A payment's entries: a run's ($1), or a license's one dataset with weight 1 ($2). */
const PAYMENT_ENTRIES = `SELECT dataset_id, weight FROM run_entries WHERE run_id = $1
           UNION ALL
           SELECT dataset_id, 1 FROM licenses WHERE id = $2`;

/** One entry of a payment as the streamed allocation reads it. */
export interface AllocationEntryRow extends NodeRow {
  weight: string;
}

/** The SQL behind the ledger: payments, bulk ledger inserts, lineage loading. */
@Injectable()
export class LedgerRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  async lock(): Promise<void> {
    await this.db.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [LEDGER_LOCK]);
  }

  async insertPayment(p: {
    chainEventId: string;
    runId: Bytes32;
    token: Address;
    payer: Address;
    amount: bigint;
    fee: bigint;
    net: bigint;
    txHash: Bytes32;
    logIndex: number;
    blockNumber: number;
    blockTime: Date;
  }): Promise<PaymentRow> {
    const [row] = await this.db.query<PaymentRow[]>(
      `INSERT INTO royalty_payments (chain_event_id, run_id, token, payer, amount, fee, net, tx_hash, log_index, block_number, block_time)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       RETURNING id, run_id, token, amount::text, fee::text, net::text`,
      [
        p.chainEventId,
        p.runId,
        p.token,
        p.payer,
        p.amount.toString(),
        p.fee.toString(),
        p.net.toString(),
        p.txHash,
        p.logIndex,
        p.blockNumber,
        p.blockTime,
      ],
    );
    return row;
  }

  async unallocatedPayments(limit: number): Promise<PaymentRow[]> {
    return this.db.query(
      `SELECT id, run_id, token, amount::text, fee::text, net::text FROM royalty_payments
       WHERE allocation_seq IS NULL AND allocation_error IS NULL
         AND (EXISTS (SELECT 1 FROM training_runs r WHERE r.run_id = royalty_payments.run_id)
              OR EXISTS (SELECT 1 FROM licenses l WHERE l.payment_ref = royalty_payments.run_id))
       ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  /** The run (or license) a payment's runId names; undefined when neither is known yet. */
  async allocationTarget(runId: string): Promise<AllocationTarget | undefined> {
    const [run] = await this.db.query<{ id: string }[]>(`SELECT id FROM training_runs WHERE run_id = $1`, [runId]);
    if (run) return { source: 'run', trainingRunId: run.id, licenseId: null };
    const [license] = await this.db.query<{ id: string }[]>(`SELECT id FROM licenses WHERE payment_ref = $1`, [runId]);
    return license ? { source: 'license', trainingRunId: null, licenseId: license.id } : undefined;
  }

  /**
   * The target's entries with their datasets' owners and parents (without them: `withNodes` false), in
   * content root order (byte order, as the allocation compares them), a batch at a time from a cursor
   * inside this repository's transaction.
   */
  entryBatches(target: AllocationTarget, withNodes = true): AsyncGenerator<AllocationEntryRow[]> {
    return cursorBatchesIn(
      this.db,
      `SELECT d.id, d.content_root, e.weight::text AS weight, ${withNodes ? NODE_COLUMNS : 'NULL AS owners, NULL AS parents'}
       FROM (${PAYMENT_ENTRIES}) e JOIN datasets d ON d.id = e.dataset_id
       ORDER BY d.content_root COLLATE "C"`,
      [target.trainingRunId, target.licenseId],
      ENTRY_BATCH,
      'allocation_entries',
    );
  }

  /**
   * Owners and parents of the datasets reached through parents from the target's entries and of the
   * given datasets (the per-run fees a payment covers, by content root) with their ancestors: what the
   * allocation needs besides the entries. Small next to the run.
   */
  async ancestors(target: AllocationTarget, contentRoots: readonly string[]): Promise<LineageGraph> {
    const rows = await this.db.query<NodeRow[]>(
      lineageSql(`SELECT p.parent_id FROM (${PAYMENT_ENTRIES}) e JOIN dataset_parents p ON p.dataset_id = e.dataset_id
           UNION
           SELECT id FROM datasets WHERE content_root = ANY($3::text[])`),
      [target.trainingRunId, target.licenseId, contentRoots],
    );
    return lineageGraph(rows);
  }

  /**
   * Owners and parents of the datasets used by these runs and licenses and of every ancestor,
   * in one recursive query (UNION stops at datasets already reached).
   */
  async lineage(seeds: { runIds: string[]; licenseIds: string[]; datasetIds?: string[] }): Promise<LineageGraph> {
    const rows = await this.db.query<NodeRow[]>(LINEAGE_SQL, [seeds.runIds, seeds.licenseIds, seeds.datasetIds ?? []]);
    return lineageGraph(rows);
  }

  /** Bulk insert of one payment's shares: `INSERT … SELECT FROM unnest(…)` in chunks. */
  async insertLedgerEntries(
    paymentId: string,
    token: string,
    shares: readonly { datasetUuid: string; account: string; amount: bigint }[],
  ): Promise<void> {
    for (let start = 0; start < shares.length; start += INSERT_CHUNK) {
      const chunk = shares.slice(start, start + INSERT_CHUNK);
      await this.db.query(
        `INSERT INTO ledger_entries (payment_id, dataset_id, account, token, amount)
         SELECT $1, t.dataset_id, t.account, $2, t.amount::numeric
         FROM unnest($3::uuid[], $4::text[], $5::text[]) AS t(dataset_id, account, amount)`,
        [
          paymentId,
          token,
          chunk.map((s) => s.datasetUuid),
          chunk.map((s) => s.account),
          chunk.map((s) => s.amount.toString()),
        ],
      );
    }
  }

  /**
   * The run's per-run fees in `token` that earlier payments have not paid yet (content root, amount owed),
   * by content root. Read under the ledger lock, so payments of one run are applied one after another.
   */
  async outstandingRunFees(runUuid: string, token: string): Promise<{ datasetId: string; amount: bigint }[]> {
    const rows: { content_root: string; owed: string }[] = await this.db.query(
      `SELECT d.content_root, (f.amount - COALESCE(SUM(pf.amount), 0))::text AS owed
       FROM run_fees f JOIN datasets d ON d.id = f.dataset_id
       LEFT JOIN royalty_payment_run_fees pf ON pf.run_id = f.run_id AND pf.dataset_id = f.dataset_id
       WHERE f.run_id = $1 AND f.token = $2
       GROUP BY d.content_root, f.amount HAVING f.amount > COALESCE(SUM(pf.amount), 0)
       ORDER BY d.content_root`,
      [runUuid, token],
    );
    return rows.map((r) => ({ datasetId: r.content_root, amount: BigInt(r.owed) }));
  }

  /** Records what a payment paid of its run's per-run fees (gross and net), by content root. */
  async insertPaymentRunFees(
    paymentId: string,
    runUuid: string,
    fees: readonly { datasetId: string; amount: bigint; net: bigint }[],
  ): Promise<void> {
    if (fees.length === 0) return;
    await this.db.query(
      `INSERT INTO royalty_payment_run_fees (payment_id, run_id, dataset_id, amount, net)
       SELECT $1, $2, d.id, t.amount::numeric, t.net::numeric
       FROM unnest($3::text[], $4::text[], $5::text[]) AS t(root, amount, net) JOIN datasets d ON d.content_root = t.root`,
      [
        paymentId,
        runUuid,
        fees.map((f) => f.datasetId),
        fees.map((f) => f.amount.toString()),
        fees.map((f) => f.net.toString()),
      ],
    );
  }

  async markAllocated(paymentId: string, target: AllocationTarget): Promise<void> {
    await this.db.query(
      `UPDATE royalty_payments SET allocation_seq = nextval('royalty_allocation_seq'), source = $2, training_run_id = $3,
              license_id = $4, allocated_at = now(), allocation_error = NULL
       WHERE id = $1`,
      [paymentId, target.source, target.trainingRunId, target.licenseId],
    );
  }

  async markUnallocatable(paymentId: string, reason: string): Promise<void> {
    await this.db.query(`UPDATE royalty_payments SET allocation_error = $2 WHERE id = $1`, [paymentId, reason]);
  }

  /** Payments where fee + Σ ledger + Σ escrow still held ≠ amount (must always be empty). */
  async invariantViolations(): Promise<{ id: string; amount: string; fee: string; ledger: string; held: string }[]> {
    return this.db.query(
      `SELECT p.id, p.amount::text, p.fee::text, l.total::text AS ledger, h.total::text AS held
       FROM royalty_payments p,
            LATERAL (SELECT COALESCE(SUM(amount), 0) AS total FROM ledger_entries WHERE payment_id = p.id) l,
            LATERAL (SELECT COALESCE(SUM(amount), 0) AS total FROM escrow_entries
                     WHERE payment_id = p.id AND released_by IS NULL) h
       WHERE p.allocation_seq IS NOT NULL AND p.fee + l.total + h.total <> p.amount`,
    );
  }
}
