import type { EntityManager } from 'typeorm';

/** Where an epoch stands: from its outbox row and the root events indexed from the chain. */
export type EpochStatus = 'proposing' | 'proposed' | 'accepted' | 'vetoed' | 'superseded' | 'failed';

/** Statuses during which no further epoch is built: one root in flight at a time. */
export const IN_FLIGHT: ReadonlySet<EpochStatus> = new Set(['proposing', 'proposed']);

export interface EpochStateRow {
  epoch: string;
  root: string;
  data_hash: string;
  ledger_watermark: string;
  payment_count: number;
  leaf_count: number;
  created_at: Date;
  outbox_status: string | null;
  propose_tx: string | null;
  propose_error: string | null;
  accept_tx: string | null;
  proposed: boolean;
  accepted: boolean;
  vetoed: boolean;
  later_proposed: boolean;
  claimable_at: Date | null;
}

export function epochStatus(row: EpochStateRow): EpochStatus {
  if (row.accepted) return 'accepted';
  if (row.vetoed) return 'vetoed';
  if (row.proposed) return row.later_proposed ? 'superseded' : 'proposed';
  if (row.outbox_status === 'failed' || row.outbox_status === 'reverted') return 'failed';
  return 'proposing';
}

/** The SQL behind epochs: states, snapshots, root events and claims. */
export class EpochsRepository {
  static async states(em: EntityManager, filter: { epoch?: number; limit?: number; offset?: number } = {}): Promise<EpochStateRow[]> {
    return em.query(
      `SELECT e.epoch::text, e.root, e.data_hash, e.ledger_watermark::text, e.payment_count, e.leaf_count, e.created_at,
              o.status AS outbox_status, COALESCE(o.mined_tx_hash, o.tx_hashes[array_length(o.tx_hashes, 1)]) AS propose_tx,
              o.last_error AS propose_error,
              (SELECT COALESCE(a.mined_tx_hash, a.tx_hashes[array_length(a.tx_hashes, 1)]) FROM outbox_transactions a
                 WHERE a.idempotency_key = 'accept-root:' || e.epoch) AS accept_tx,
              EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'proposed') AS proposed,
              EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'accepted') AS accepted,
              EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'vetoed') AS vetoed,
              EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch > e.epoch AND r.kind = 'proposed') AS later_proposed,
              (SELECT max(r.claimable_at) FROM epoch_root_events r WHERE r.epoch = e.epoch) AS claimable_at
       FROM royalty_epochs e LEFT JOIN outbox_transactions o ON o.idempotency_key = e.outbox_key
       WHERE ($1::bigint IS NULL OR e.epoch = $1)
       ORDER BY e.epoch DESC LIMIT $2 OFFSET $3`,
      [filter.epoch ?? null, filter.limit ?? 1, filter.offset ?? 0],
    );
  }

  static async count(em: EntityManager): Promise<number> {
    const [{ n }] = await em.query(`SELECT count(*)::int AS n FROM royalty_epochs`);
    return n;
  }

  /** The newest epoch whose root the chain accepted: the one claims are proved against. */
  static async currentAccepted(em: EntityManager): Promise<{ epoch: string; root: string } | undefined> {
    const [row] = await em.query(
      `SELECT e.epoch::text, e.root FROM royalty_epochs e
       WHERE EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'accepted')
       ORDER BY e.epoch DESC LIMIT 1`,
    );
    return row;
  }

  static async maxAllocationSeq(em: EntityManager): Promise<bigint | null> {
    const [{ max }] = await em.query(`SELECT max(allocation_seq)::text AS max FROM royalty_payments`);
    return max === null ? null : BigInt(max);
  }

  static async hasPositiveLedger(em: EntityManager, watermark: bigint): Promise<boolean> {
    const [{ ok }] = await em.query(
      `SELECT EXISTS (SELECT 1 FROM ledger_entries le JOIN royalty_payments p ON p.id = le.payment_id WHERE p.allocation_seq <= $1) AS ok`,
      [watermark.toString()],
    );
    return ok;
  }

  /** Snapshots cumulative balances per (account, token) of every payment allocated up to the watermark. */
  static async snapshotBalances(em: EntityManager, epoch: number, watermark: bigint): Promise<{ token: string; account: string; cumulative: string }[]> {
    await em.query(
      `INSERT INTO epoch_balances (epoch, token, account, cumulative)
       SELECT $1, le.token, le.account, SUM(le.amount)
       FROM ledger_entries le JOIN royalty_payments p ON p.id = le.payment_id
       WHERE p.allocation_seq <= $2
       GROUP BY le.token, le.account`,
      [epoch, watermark.toString()],
    );
    return this.balances(em, epoch);
  }

  static async balances(em: EntityManager, epoch: number | string, page?: { limit: number; offset: number }): Promise<{ token: string; account: string; cumulative: string }[]> {
    return em.query(
      `SELECT token, account, cumulative::text FROM epoch_balances WHERE epoch = $1 ORDER BY token, account
       ${page ? 'LIMIT $2 OFFSET $3' : ''}`,
      page ? [epoch, page.limit, page.offset] : [epoch],
    );
  }

  static async tokenTotals(em: EntityManager, epoch: number | string): Promise<{ token: string; total: string; accounts: number }[]> {
    return em.query(
      `SELECT token, SUM(cumulative)::text AS total, count(*)::int AS accounts FROM epoch_balances WHERE epoch = $1 GROUP BY token ORDER BY token`,
      [epoch],
    );
  }

  static async includedPayments(em: EntityManager, watermark: bigint | string): Promise<{ tx_hash: string; log_index: number; block_number: string }[]> {
    return em.query(
      `SELECT tx_hash, log_index, block_number::text FROM royalty_payments WHERE allocation_seq <= $1 ORDER BY block_number, log_index`,
      [watermark.toString()],
    );
  }

  static async insertEpoch(
    em: EntityManager,
    e: { epoch: number; root: string; dataHash: string; watermark: bigint; paymentCount: number; leafCount: number; outboxKey: string },
  ): Promise<void> {
    await em.query(
      `INSERT INTO royalty_epochs (epoch, root, data_hash, ledger_watermark, payment_count, leaf_count, outbox_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [e.epoch, e.root, e.dataHash, e.watermark.toString(), e.paymentCount, e.leafCount, e.outboxKey],
    );
  }

  static async insertRootEvent(
    em: EntityManager,
    r: { chainEventId: string; epoch: string; kind: 'proposed' | 'accepted' | 'vetoed'; root: string; claimableAt?: string },
  ): Promise<void> {
    await em.query(
      `INSERT INTO epoch_root_events (chain_event_id, epoch, kind, root, claimable_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $5::bigint IS NULL THEN NULL ELSE to_timestamp($5::bigint) END)`,
      [r.chainEventId, r.epoch, r.kind, r.root, r.claimableAt ?? null],
    );
  }

  static async insertClaim(
    em: EntityManager,
    c: { chainEventId: string; account: string; token: string; epoch: string; amount: string; cumulative: string },
  ): Promise<void> {
    await em.query(
      `INSERT INTO royalty_claims (chain_event_id, account, token, epoch, amount, cumulative) VALUES ($1, $2, $3, $4, $5, $6)`,
      [c.chainEventId, c.account, c.token, c.epoch, c.amount, c.cumulative],
    );
  }
}
