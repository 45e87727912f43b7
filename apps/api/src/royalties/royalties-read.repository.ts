import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address, Bytes32 } from '@upstream/api-contract';
import { cursorBatches } from '../common/persistence/cursor';
import { SqlRepository, UnitOfWork } from '../common/persistence/unit-of-work';
import { LINEAGE_SQL } from './ledger.repository';

export interface PaymentReadRow {
  id: string;
  run_id: string;
  token: string;
  payer: string;
  amount: string;
  fee: string;
  net: string;
  allocation_seq: string | null;
  source: 'run' | 'license' | 'bond' | null;
  allocation_error: string | null;
  training_run_id: string | null;
  license_id: string | null;
  tx_hash: string;
  log_index: number;
  block_number: string;
  block_time: Date;
  ledger_total: string;
}

/** One ledger entry of an account's history, with the payment it came from. */
export interface LedgerHistoryRow {
  payment_id: string;
  run_id: string;
  source: string;
  content_root: string;
  token: string;
  amount: string;
  tx_hash: string;
  block_number: string;
  block_time: Date;
}

const PAYMENT_COLUMNS = `p.id::text, p.run_id, p.token, p.payer, p.amount::text, p.fee::text, p.net::text, p.allocation_seq::text,
  p.source, p.allocation_error, p.training_run_id, p.license_id, p.tx_hash, p.log_index, p.block_number::text, p.block_time,
  COALESCE((SELECT SUM(le.amount) FROM ledger_entries le WHERE le.payment_id = p.id), 0)::text AS ledger_total`;

/** Read-side SQL of the public royalty endpoints. */
@Injectable()
export class RoyaltiesReadRepository extends SqlRepository {
  constructor(
    @InjectDataSource() db: DataSource,
    private readonly uow: UnitOfWork,
  ) {
    super(db);
  }

  /** The account's totals per token: earned, claimed, in the current root and in the newest queued root. */
  async accountTotals(
    account: Address,
    currentEpoch: string | null,
    queuedEpoch: string | null,
  ): Promise<{ token: string; earned: string; claimed: string; in_root: string; in_queued: string }[]> {
    return this.db.query(
      `WITH earned AS (SELECT token, SUM(amount) AS v FROM ledger_entries WHERE account = $1 GROUP BY token),
            claimed AS (SELECT token, MAX(cumulative) AS v FROM royalty_claims WHERE account = $1 GROUP BY token),
            in_root AS (SELECT token, v FROM (SELECT DISTINCT ON (token) token, cumulative AS v FROM epoch_balances
                                                WHERE epoch <= $2 AND account = $1 ORDER BY token, epoch DESC) l WHERE v > 0),
            in_queued AS (SELECT token, v FROM (SELECT DISTINCT ON (token) token, cumulative AS v FROM epoch_balances
                                                WHERE epoch <= $3 AND account = $1 ORDER BY token, epoch DESC) l WHERE v > 0),
            tokens AS (SELECT token FROM earned UNION SELECT token FROM claimed UNION SELECT token FROM in_root)
       SELECT t.token, COALESCE(e.v, 0)::text AS earned, COALESCE(c.v, 0)::text AS claimed, COALESCE(r.v, 0)::text AS in_root,
              COALESCE(q.v, 0)::text AS in_queued
       FROM tokens t LEFT JOIN earned e USING (token) LEFT JOIN claimed c USING (token) LEFT JOIN in_root r USING (token)
            LEFT JOIN in_queued q USING (token)
       ORDER BY t.token`,
      [account, currentEpoch, queuedEpoch],
    );
  }

  async history(
    account: Address,
    page: { limit: number; offset: number },
  ): Promise<{ total: number; rows: LedgerHistoryRow[] }> {
    const [{ total }] = await this.db.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM ledger_entries WHERE account = $1`,
      [account],
    );
    const rows = await this.db.query<LedgerHistoryRow[]>(
      `SELECT le.payment_id::text, p.run_id, p.source, d.content_root, le.token, le.amount::text, p.tx_hash, p.block_number::text, p.block_time
       FROM ledger_entries le JOIN royalty_payments p ON p.id = le.payment_id JOIN datasets d ON d.id = le.dataset_id
       WHERE le.account = $1
       ORDER BY p.block_number DESC, p.log_index DESC, d.content_root
       LIMIT $2 OFFSET $3`,
      [account, page.limit, page.offset],
    );
    return { total, rows };
  }

  async claimedByToken(account: Address): Promise<Map<string, bigint>> {
    const rows: { token: string; claimed: string }[] = await this.db.query(
      `SELECT token, MAX(cumulative)::text AS claimed FROM royalty_claims WHERE account = $1 GROUP BY token`,
      [account],
    );
    return new Map(rows.map((r) => [r.token, BigInt(r.claimed)]));
  }

  /** The runId of the recorded run with this uuid. */
  async runIdOf(uuid: string): Promise<Bytes32 | undefined> {
    const [row] = await this.db.query<{ run_id: Bytes32 }[]>(`SELECT run_id FROM training_runs WHERE id = $1::uuid`, [
      uuid,
    ]);
    return row?.run_id;
  }

  async payments(
    filter: { status?: 'allocated' | 'unallocated'; runId?: Bytes32; epoch?: string },
    page: { limit: number; offset: number },
  ): Promise<{ total: number; rows: PaymentReadRow[] }> {
    const where = `WHERE ($1::text IS NULL OR ($1 = 'allocated') = (p.allocation_seq IS NOT NULL))
                     AND ($2::text IS NULL OR p.run_id = $2)
                     AND ($3::bigint IS NULL OR p.chain_event_id IN (SELECT ep.chain_event_id FROM epoch_payments ep WHERE ep.epoch = $3))`;
    const params = [filter.status ?? null, filter.runId ?? null, filter.epoch ?? null];
    const [{ total }] = await this.db.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM royalty_payments p ${where}`,
      params,
    );
    const rows = await this.db.query<PaymentReadRow[]>(
      `SELECT ${PAYMENT_COLUMNS} FROM royalty_payments p ${where} ORDER BY p.block_number, p.log_index LIMIT $4 OFFSET $5`,
      [...params, page.limit, page.offset],
    );
    return { total, rows };
  }

  /** Per-run fees each payment paid (content root, gross amount), by payment id, in content-root order. */
  async paymentRunFees(paymentIds: string[]): Promise<Map<string, { datasetId: string; amount: string }[]>> {
    const rows: { payment_id: string; content_root: string; amount: string }[] = await this.db.query(
      `SELECT pf.payment_id::text, d.content_root, pf.amount::text
       FROM royalty_payment_run_fees pf JOIN datasets d ON d.id = pf.dataset_id
       WHERE pf.payment_id = ANY($1::bigint[]) ORDER BY pf.payment_id, d.content_root`,
      [paymentIds],
    );
    const out = new Map<string, { datasetId: string; amount: string }[]>();
    for (const r of rows) {
      let list = out.get(r.payment_id);
      if (!list) out.set(r.payment_id, (list = []));
      list.push({ datasetId: r.content_root, amount: r.amount });
    }
    return out;
  }

  /** Entries (content root, weight) of training runs, by run uuid, in manifest order. */
  async runEntries(runIds: string[]): Promise<Map<string, { datasetId: string; weight: string }[]>> {
    const rows: { run_id: string; content_root: string; weight: string }[] = await this.db.query(
      `SELECT re.run_id, d.content_root, re.weight::text AS weight
       FROM run_entries re JOIN datasets d ON d.id = re.dataset_id
       WHERE re.run_id = ANY($1::uuid[]) ORDER BY re.run_id, re.position`,
      [runIds],
    );
    const out = new Map<string, { datasetId: string; weight: string }[]>();
    for (const r of rows) {
      let list = out.get(r.run_id);
      if (!list) out.set(r.run_id, (list = []));
      list.push({ datasetId: r.content_root, weight: r.weight });
    }
    return out;
  }

  /** How many entries each run has, by run uuid. */
  async runEntryCounts(runIds: string[]): Promise<Map<string, number>> {
    const rows = await this.db.query<{ run_id: string; n: number }[]>(
      `SELECT run_id, count(*)::int AS n FROM run_entries WHERE run_id = ANY($1::uuid[]) GROUP BY run_id`,
      [runIds],
    );
    return new Map(rows.map((r) => [r.run_id, r.n]));
  }

  /** One run's entries (content root, weight) in manifest order, a batch at a time. */
  runEntryBatches(runId: string): AsyncGenerator<{ content_root: string; weight: string }[]> {
    return cursorBatches(
      this.uow,
      `SELECT d.content_root, re.weight::text AS weight FROM run_entries re JOIN datasets d ON d.id = re.dataset_id
       WHERE re.run_id = $1 ORDER BY re.position`,
      [runId],
    );
  }

  /** `LedgerRepository.lineage`'s datasets by content root, a batch at a time. */
  lineageBatches(seeds: { runIds: string[]; licenseIds: string[]; datasetIds: string[] }): AsyncGenerator<
    {
      content_root: string;
      owners: { account: string; shareBps: number }[] | null;
      parents: { datasetId: string; upstreamBps: number }[] | null;
    }[]
  > {
    return cursorBatches(this.uow, `${LINEAGE_SQL} ORDER BY d.content_root`, [
      seeds.runIds,
      seeds.licenseIds,
      seeds.datasetIds,
    ]);
  }

  /** The licensed dataset's content root, by license uuid. */
  async licenseDatasets(licenseIds: string[]): Promise<Map<string, string>> {
    const rows: { id: string; content_root: string }[] = await this.db.query(
      `SELECT l.id, d.content_root FROM licenses l JOIN datasets d ON d.id = l.dataset_id WHERE l.id = ANY($1::uuid[])`,
      [licenseIds],
    );
    return new Map(rows.map((r) => [r.id, r.content_root]));
  }
}
