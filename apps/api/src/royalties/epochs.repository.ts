import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Bytes32 } from '@upstream/api-contract';
import { cursorBatches } from '../common/persistence/cursor';
import { SqlRepository, UnitOfWork } from '../common/persistence/unit-of-work';

/**
 * Memory for the settlement transaction's sorts and hashes (PostgreSQL's, not the service's): the sums of a
 * million (token, account) pairs fit in one hash table instead of spilling.
 */
const SETTLEMENT_WORK_MEM = '256MB';

/** Where an epoch stands: from its outbox row and the root events indexed from the chain. */
export type EpochStatus = 'proposing' | 'proposed' | 'accepted' | 'vetoed' | 'withdrawn' | 'failed' | 'invalidated';

export const EPOCH_STATUSES: readonly EpochStatus[] = [
  'proposing',
  'proposed',
  'accepted',
  'vetoed',
  'withdrawn',
  'failed',
  'invalidated',
];

/**
 * Statuses during which no further epoch is built: the proposal is not on chain yet. A proposed
 * root waits in the splitter's queue for its delay while the next epochs are built and queued
 * behind it, so roots reach the chain in epoch order.
 */
export const IN_FLIGHT: ReadonlySet<EpochStatus> = new Set(['proposing']);

export interface EpochStateRow {
  epoch: string;
  root: string;
  data_hash: string;
  ledger_watermark: string;
  payment_count: number;
  leaf_count: number;
  created_at: Date;
  basis_block: string | null;
  basis_block_hash: string | null;
  invalidated_at: Date | null;
  invalidated_reason: string | null;
  outbox_status: string | null;
  propose_tx: string | null;
  propose_error: string | null;
  accept_tx: string | null;
  proposed: boolean;
  accepted: boolean;
  vetoed: boolean;
  withdrawn: boolean;
  claimable_at: Date | null;
}

/** An epoch's root and the block it was built on. */
export interface EpochBasisRow {
  epoch: string;
  root: string;
  basis_block: string | null;
  basis_block_hash: string | null;
  invalidated_reason: string | null;
}

/**
 * An invalidated epoch was built on blocks the chain no longer has: whatever its root did on chain,
 * it is not a valid settlement (if its root was accepted anyway, the settlement check reports it).
 */
export function epochStatus(row: EpochStateRow): EpochStatus {
  if (row.invalidated_at) return 'invalidated';
  if (row.accepted) return 'accepted';
  if (row.vetoed) return 'vetoed';
  if (row.withdrawn) return 'withdrawn';
  if (row.proposed) return 'proposed';
  if (row.outbox_status === 'failed' || row.outbox_status === 'reverted' || row.outbox_status === 'cancelled')
    return 'failed';
  return 'proposing';
}

/** The SQL behind epochs: states, snapshots, root events and claims. */
@Injectable()
export class EpochsRepository extends SqlRepository {
  constructor(
    @InjectDataSource() db: DataSource,
    private readonly uow: UnitOfWork,
  ) {
    super(db);
  }

  async states(filter: { epoch?: number; limit?: number; offset?: number } = {}): Promise<EpochStateRow[]> {
    return this.db.query(
      `SELECT e.epoch::text, e.root, e.data_hash, e.ledger_watermark::text, e.payment_count, e.leaf_count, e.created_at,
              e.basis_block::text, e.basis_block_hash, e.invalidated_at, e.invalidated_reason,
              o.status AS outbox_status, COALESCE(o.mined_tx_hash, o.tx_hashes[array_length(o.tx_hashes, 1)]) AS propose_tx,
              o.last_error AS propose_error,
              (SELECT COALESCE(a.mined_tx_hash, a.tx_hashes[array_length(a.tx_hashes, 1)]) FROM outbox_transactions a
                 WHERE a.idempotency_key = 'accept-root:' || e.epoch OR a.idempotency_key LIKE 'accept-root:' || e.epoch || '#%'
                 ORDER BY a.id DESC LIMIT 1) AS accept_tx,
              EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'proposed') AS proposed,
              EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'accepted') AS accepted,
              EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'vetoed') AS vetoed,
              EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'withdrawn') AS withdrawn,
              (SELECT max(r.claimable_at) FROM epoch_root_events r WHERE r.epoch = e.epoch) AS claimable_at
       FROM royalty_epochs e LEFT JOIN outbox_transactions o ON o.idempotency_key = e.outbox_key
       WHERE ($1::bigint IS NULL OR e.epoch = $1)
       ORDER BY e.epoch DESC LIMIT $2 OFFSET $3`,
      [filter.epoch ?? null, filter.limit ?? 1, filter.offset ?? 0],
    );
  }

  async count(): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM royalty_epochs`);
    return n;
  }

  /** The newest epoch whose root the chain accepted: the one claims are proved against. */
  async currentAccepted(): Promise<{ epoch: string; root: string } | undefined> {
    const [row] = await this.db.query<{ epoch: string; root: string }[]>(
      `SELECT e.epoch::text, e.root FROM royalty_epochs e
       WHERE EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'accepted')
       ORDER BY e.epoch DESC LIMIT 1`,
    );
    return row;
  }

  /**
   * The newest epoch whose root is queued on chain and not yet accepted, vetoed, withdrawn or lost to
   * a rollback, with the time it can be accepted.
   */
  async newestQueued(): Promise<{ epoch: string; claimable_at: Date } | undefined> {
    const [row] = await this.db.query<{ epoch: string; claimable_at: Date }[]>(
      `SELECT e.epoch::text, r.claimable_at FROM royalty_epochs e
       JOIN epoch_root_events r ON r.epoch = e.epoch AND r.kind = 'proposed'
       WHERE e.invalidated_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM epoch_root_events x WHERE x.epoch = e.epoch AND x.kind <> 'proposed')
       ORDER BY e.epoch DESC LIMIT 1`,
    );
    return row;
  }

  /** The newest allocation, or escrow release (which takes its number from the same sequence): an epoch's watermark. */
  async maxAllocationSeq(): Promise<bigint | null> {
    const [{ max }] = await this.db.query<{ max: string | null }[]>(
      `SELECT GREATEST((SELECT max(allocation_seq) FROM royalty_payments),
                       (SELECT max(release_seq) FROM escrow_releases))::text AS max`,
    );
    return max === null ? null : BigInt(max);
  }

  async hasPositiveLedger(watermark: bigint): Promise<boolean> {
    const [{ ok }] = await this.db.query<{ ok: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM ledger_entries le JOIN royalty_payments p ON p.id = le.payment_id WHERE p.allocation_seq <= $1) AS ok`,
      [watermark.toString()],
    );
    return ok;
  }

  /**
   * In the settlement transaction, first: the epoch's cumulative balances per (token, account) of every payment
   * allocated up to the watermark, summed once (hashed in memory, `work_mem` for this transaction) into a
   * temporary table, which `royaltyLeavesByAccount` streams and `insertBalanceChanges` stores. Every ledger amount
   * is positive, so every sum is a leaf. Also the empty table the votes leaves are staged in (`stageVotesLeaves`).
   */
  async sumBalances(watermark: bigint): Promise<void> {
    await this.db.query(`SET LOCAL work_mem = '${SETTLEMENT_WORK_MEM}'`);
    await this.db.query(
      `CREATE TEMP TABLE epoch_sums ON COMMIT DROP AS
       SELECT le.token, le.account, SUM(le.amount) AS cumulative
       FROM ledger_entries le JOIN royalty_payments p ON p.id = le.payment_id
       WHERE p.allocation_seq <= $1
       GROUP BY le.token, le.account`,
      [watermark.toString()],
    );
    await this.db.query(
      `CREATE TEMP TABLE epoch_votes_staged (account text NOT NULL, cumulative numeric NOT NULL) ON COMMIT DROP`,
    );
  }

  /**
   * After `sumBalances`, in its transaction: the epoch's leaves other than the votes token's (its sums),
   * by account then token (`EpochLeafStream`'s order), a batch at a time from a cursor, so no list of every
   * leaf is held.
   */
  async *royaltyLeavesByAccount(
    votesToken: string | null,
    batchSize = 10_000,
  ): AsyncGenerator<{ token: string; account: string; cumulative: string }[]> {
    await this.db.query(
      `DECLARE epoch_royalty_leaves NO SCROLL CURSOR FOR
       SELECT token, account, cumulative::text FROM epoch_sums WHERE token IS DISTINCT FROM $1 ORDER BY account, token`,
      [votesToken],
    );
    let failed = false;
    const fetch = () => {
      const rows = this.db.query<{ token: string; account: string; cumulative: string }[]>(
        `FETCH ${batchSize} FROM epoch_royalty_leaves`,
      );
      // Awaited below; handled here so a failure while the caller works is not unhandled. The transaction is then
      // aborted: CLOSE would only hide the error.
      rows.catch(() => (failed = true));
      return rows;
    };
    // One batch ahead: PostgreSQL reads the next batch while the caller hashes this one.
    let next = fetch();
    try {
      for (;;) {
        const rows = await next;
        if (rows.length === 0) return;
        next = fetch();
        yield rows;
      }
    } finally {
      await next.catch(() => undefined);
      if (!failed) await this.db.query(`CLOSE epoch_royalty_leaves`);
    }
  }

  /** After `sumBalances`, in its transaction: a batch of the epoch's votes leaves, held for `insertBalanceChanges`. */
  async stageVotesLeaves(rows: readonly { account: string; cumulative: bigint }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO epoch_votes_staged (account, cumulative) SELECT * FROM unnest($1::text[], $2::numeric[])`,
      [rows.map((r) => r.account), rows.map((r) => r.cumulative.toString())],
    );
  }

  /**
   * Last, in the transaction of `sumBalances`: stores the epoch's leaves (the sums but the votes token's, and the
   * staged votes leaves of `votesToken`) as changes against the leaves in force at epoch - 1: a pair whose
   * cumulative differs, and a 0 for a pair that left. One statement, in key order, so each index of
   * `epoch_balances` grows at its right edge instead of taking a million random inserts. Then the epoch's
   * per-token totals, from the leaves just stored (`tokenTotals` reads them).
   */
  async insertBalanceChanges(epoch: number, votesToken: string | null): Promise<void> {
    await this.db.query(
      `INSERT INTO epoch_balances (epoch, token, account, cumulative)
       SELECT $1, COALESCE(c.token, p.token) AS token, COALESCE(c.account, p.account) AS account, COALESCE(c.cumulative, 0)
       FROM (SELECT token, account, cumulative FROM epoch_sums WHERE token IS DISTINCT FROM $2
             UNION ALL SELECT $2::text, account, cumulative FROM epoch_votes_staged) c
       FULL JOIN epoch_leaves($1 - 1) p ON p.token = c.token AND p.account = c.account
       WHERE c.cumulative IS DISTINCT FROM p.cumulative
       ORDER BY 2, 3`,
      [epoch, votesToken],
    );
    await this.db.query(
      `INSERT INTO epoch_token_totals (epoch, token, total, accounts)
       SELECT $1, token, SUM(cumulative), count(*) FROM epoch_leaves($1) GROUP BY token`,
      [epoch],
    );
  }

  /** The epoch's leaves (every cumulative balance in force at it), by token then account. */
  async balances(
    epoch: number | string,
    page?: { limit: number; offset: number },
  ): Promise<{ token: string; account: string; cumulative: string }[]> {
    return this.db.query(
      `SELECT token, account, cumulative::text FROM epoch_leaves($1) ORDER BY token, account
       ${page ? 'LIMIT $2 OFFSET $3' : ''}`,
      page ? [epoch, page.limit, page.offset] : [epoch],
    );
  }

  /** Every leaf of the epoch, by token then account, a batch at a time (`cursorBatches`). */
  leafBatches(epoch: number): AsyncGenerator<{ token: string; account: string; cumulative: string }[]> {
    return cursorBatches(
      this.uow,
      `SELECT token, account, cumulative::text FROM epoch_leaves($1) ORDER BY token, account`,
      [epoch],
    );
  }

  /** The epoch's per-token sum and number of leaves, as stored with it (`insertBalanceChanges`). */
  async tokenTotals(epoch: number | string): Promise<{ token: string; total: string; accounts: number }[]> {
    return this.db.query(
      `SELECT token, total::text, accounts FROM epoch_token_totals WHERE epoch = $1 ORDER BY token`,
      [epoch],
    );
  }

  async includedPayments(
    watermark: bigint | string,
  ): Promise<{ tx_hash: string; log_index: number; block_number: string }[]> {
    return this.db.query(
      `SELECT tx_hash, log_index, block_number::text FROM royalty_payments WHERE allocation_seq <= $1 ORDER BY block_number, log_index`,
      [watermark.toString()],
    );
  }

  /** The epoch and exactly the payment events it includes (those allocated up to its watermark). */
  async insertEpoch(e: {
    epoch: number;
    root: string;
    dataHash: string;
    watermark: bigint;
    paymentCount: number;
    leafCount: number;
    outboxKey: string;
    basis: { block: number; hash: Bytes32 };
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO royalty_epochs (epoch, root, data_hash, ledger_watermark, payment_count, leaf_count, outbox_key, basis_block, basis_block_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        e.epoch,
        e.root,
        e.dataHash,
        e.watermark.toString(),
        e.paymentCount,
        e.leafCount,
        e.outboxKey,
        e.basis.block,
        e.basis.hash,
      ],
    );
    await this.db.query(
      `INSERT INTO epoch_payments (epoch, tx_hash, log_index, block_number, chain_event_id)
       SELECT $1, p.tx_hash, p.log_index, p.block_number, p.chain_event_id FROM royalty_payments p WHERE p.allocation_seq <= $2`,
      [e.epoch, e.watermark.toString()],
    );
  }

  /**
   * The indexer's cursor (its hash lowercase by the column's CHECK), read under a share lock so no range is
   * applied or rolled back meanwhile.
   */
  async lockedCursor(name: string): Promise<{ block: number; hash: Bytes32 } | undefined> {
    const [row] = await this.db.query<{ block_number: string; block_hash: Bytes32 | null }[]>(
      `SELECT block_number::text, block_hash FROM chain_cursors WHERE name = $1 FOR SHARE`,
      [name],
    );
    return row?.block_hash ? { block: Number(row.block_number), hash: row.block_hash } : undefined;
  }

  /** Inside a rollback: epochs whose basis block is removed become invalid. Returns them. */
  async invalidateAfter(rollback: {
    toBlock: number;
    fromBlock: number;
  }): Promise<{ epoch: string; outbox_key: string }[]> {
    // TypeORM answers an UPDATE … RETURNING with [rows, rowCount].
    const [rows]: [{ epoch: string; outbox_key: string }[], number] = await this.db.query(
      `UPDATE royalty_epochs
       SET invalidated_at = now(),
           invalidated_reason = format('the chain was rolled back from block %s to block %s, removing this epoch''s basis block %s; ' ||
                                       'its payments may no longer exist, so its root must never become claimable', $2::bigint, $1::bigint, basis_block)
       WHERE invalidated_at IS NULL AND basis_block > $1
       RETURNING epoch::text, outbox_key`,
      [rollback.toBlock, rollback.fromBlock],
    );
    return rows;
  }

  async byEpoch(epoch: bigint | number | string): Promise<EpochBasisRow | undefined> {
    const [row] = await this.db.query<EpochBasisRow[]>(
      `SELECT epoch::text, trim(root) AS root, basis_block::text, basis_block_hash, invalidated_reason FROM royalty_epochs WHERE epoch = $1`,
      [epoch.toString()],
    );
    return row;
  }

  /** How many of the epoch's payment events the chain no longer has (rolled back since). */
  async lostPayments(epoch: bigint | number | string): Promise<{ lost: number; total: number }> {
    const [row] = await this.db.query<{ lost: number; total: number }[]>(
      `SELECT count(*) FILTER (WHERE chain_event_id IS NULL)::int AS lost, count(*)::int AS total FROM epoch_payments WHERE epoch = $1`,
      [epoch.toString()],
    );
    return row;
  }

  /** Whether an acceptRoot is queued or sent and not yet mined: one call accepts every acceptable root. */
  async acceptInFlight(): Promise<boolean> {
    const [{ open }] = await this.db.query<{ open: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM outbox_transactions
                      WHERE idempotency_key LIKE 'accept-root:%' AND status IN ('pending', 'signed')) AS open`,
    );
    return open;
  }

  /** Idempotency key for the next acceptRoot of the epoch: a new one once an earlier attempt reverted, failed or was cancelled. */
  async nextAcceptKey(epoch: string): Promise<string | undefined> {
    const rows: { idempotency_key: string; status: string }[] = await this.db.query(
      `SELECT idempotency_key, status FROM outbox_transactions
       WHERE idempotency_key = 'accept-root:' || $1 OR idempotency_key LIKE 'accept-root:' || $1 || '#%' ORDER BY id`,
      [epoch],
    );
    if (rows.some((r) => !['reverted', 'failed', 'cancelled'].includes(r.status))) return undefined;
    return rows.length === 0 ? `accept-root:${epoch}` : `accept-root:${epoch}#${rows.length}`;
  }

  async insertRootEvent(r: {
    chainEventId: string;
    epoch: bigint;
    kind: 'proposed' | 'accepted' | 'vetoed' | 'withdrawn';
    root: string;
    claimableAt?: bigint;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO epoch_root_events (chain_event_id, epoch, kind, root, claimable_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $5::bigint IS NULL THEN NULL ELSE to_timestamp($5::bigint) END)`,
      [r.chainEventId, r.epoch.toString(), r.kind, r.root, r.claimableAt?.toString() ?? null],
    );
  }

  async insertClaim(c: {
    chainEventId: string;
    account: string;
    token: string;
    epoch: bigint;
    amount: bigint;
    cumulative: bigint;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO royalty_claims (chain_event_id, account, token, epoch, amount, cumulative) VALUES ($1, $2, $3, $4, $5, $6)`,
      [c.chainEventId, c.account, c.token, c.epoch.toString(), c.amount.toString(), c.cumulative.toString()],
    );
  }
}
