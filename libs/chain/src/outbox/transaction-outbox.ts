// Crash-safe transaction sending. An intent is written to outbox_transactions
// in the same database transaction as the business change that needs it; the
// sender signs it with an explicit nonce and stores the signed bytes BEFORE
// broadcasting, so after a crash it re-broadcasts the very same transaction
// (same nonce, same hash) instead of sending the money twice.
import { Interface, Transaction, type ErrorFragment, type Provider, type Wallet } from 'ethers';
import type { EntityManager } from 'typeorm';
import { parseAddress, type Address } from '@upstream/api-contract';
import type { ChainDatabase } from '../chain-database';
import * as artifacts from '../generated/artifacts';

export interface OutboxIntent {
  /** Unique business key, e.g. `anchor:contributions:42`; enqueueing it again is a no-op. */
  key: string;
  kind: string;
  to: string;
  data: string;
  value?: bigint;
}

export interface OutboxOptions {
  /** Re-sign with higher fees when a sent transaction has not been mined for this long. */
  replaceAfterMs?: number;
  /** Fee bump for a replacement (nodes require at least 10 %). */
  feeBumpPercent?: bigint;
  /** Signed rows handled per tick. */
  batchSize?: number;
  /**
   * Blocks after which a mined transaction is final. Until then its receipt
   * is checked again, and a transaction a reorganisation dropped is sent again
   * (same signed bytes, same nonce).
   */
  confirmations?: number;
}

/**
 * Asked before an intent of its kind is signed, and again before it is re-broadcast or replaced:
 * returns why it must not be sent (it is then cancelled), or null to go ahead.
 */
export type OutboxGuard = (intent: { key: string; kind: string; data: string }) => Promise<string | null>;

export interface OutboxRow {
  id: string;
  idempotency_key: string;
  kind: string;
  status: 'pending' | 'signed' | 'mined' | 'reverted' | 'failed' | 'cancelled';
  nonce: string | null;
  tx_hashes: string[];
  mined_tx_hash: string | null;
  mined_block: string | null;
  last_error: string | null;
  cancel_reason: string | null;
}

export class TransactionOutbox {
  private readonly replaceAfterMs: number;
  private readonly feeBumpPercent: bigint;
  private readonly batchSize: number;
  private readonly confirmations: number;
  private readonly guards = new Map<string, OutboxGuard>();
  /** The wallet's address, as the outbox rows store it. */
  readonly sender: Address;

  constructor(
    private readonly db: ChainDatabase,
    private readonly wallet: Wallet,
    options: OutboxOptions = {},
  ) {
    if (!wallet.provider) throw new Error('the outbox wallet must be connected to a provider');
    this.replaceAfterMs = options.replaceAfterMs ?? 60_000;
    this.feeBumpPercent = options.feeBumpPercent ?? 25n;
    this.batchSize = options.batchSize ?? 25;
    this.confirmations = options.confirmations ?? 0;
    this.sender = parseAddress(wallet.address, 'wallet.address');
  }

  private get provider(): Provider {
    return this.wallet.provider!;
  }

  /**
   * Records an intent inside the caller's transaction: it will be sent if and
   * only if that transaction commits. Returns the row id, and whether it is new. `sender` and
   * `intent.to` may come in any case: they are parsed here, where they enter the outbox.
   */
  static async enqueue(
    em: EntityManager,
    sender: string,
    intent: OutboxIntent,
  ): Promise<{ id: string; created: boolean }> {
    const inserted: { id: string }[] = await em.query(
      `INSERT INTO outbox_transactions (idempotency_key, kind, sender, to_address, data, value)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [
        intent.key,
        intent.kind,
        parseAddress(sender, 'sender'),
        parseAddress(intent.to, 'intent.to'),
        intent.data,
        (intent.value ?? 0n).toString(),
      ],
    );
    if (inserted.length > 0) return { id: inserted[0].id, created: true };
    const [existing] = await em.query<{ id: string }[]>(
      `SELECT id FROM outbox_transactions WHERE idempotency_key = $1`,
      [intent.key],
    );
    return { id: existing.id, created: false };
  }

  /** Registers the check run before intents of `kind` are sent or sent again. */
  guard(kind: string, check: OutboxGuard): void {
    this.guards.set(kind, check);
  }

  /**
   * Inside a chain rollback's transaction: transactions mined in the removed blocks are no longer
   * mined. They go back to `signed`, so the next tick asks their guard and then re-broadcasts the
   * same bytes or cancels them. (The confirmation window is rechecked by `tick` itself; this covers
   * rollbacks deeper than it, such as a local chain restored from an older state.)
   */
  static async forgetMinedAfter(em: EntityManager, sender: string, toBlock: number): Promise<number> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [, count]: [unknown[], number] = await em.query(
      `UPDATE outbox_transactions SET status = 'signed', mined_tx_hash = NULL, mined_block = NULL, signed_at = now(), updated_at = now()
       WHERE sender = $1 AND status IN ('mined', 'reverted', 'cancelled') AND mined_block > $2`,
      [parseAddress(sender, 'sender'), toBlock],
    );
    return count;
  }

  /**
   * Inside the caller's transaction: intents under these keys that are not mined will not be sent.
   * A pending one is cancelled at once; a signed one keeps its nonce and is cancelled on chain by
   * the next tick (a no-op transaction at the same nonce), unless it is mined first.
   */
  static async cancel(em: EntityManager, keys: string[], reason: string): Promise<void> {
    if (keys.length === 0) return;
    await em.query(
      `UPDATE outbox_transactions SET status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END,
              cancel_reason = $2, updated_at = now()
       WHERE idempotency_key = ANY($1) AND status IN ('pending', 'signed')`,
      [keys, reason],
    );
  }

  async find(key: string): Promise<OutboxRow | undefined> {
    const rows: OutboxRow[] = await this.db.query(`SELECT * FROM outbox_transactions WHERE idempotency_key = $1`, [
      key,
    ]);
    return rows[0];
  }

  /** One pass: settle what was sent (receipts, re-broadcast, replacement), then sign and send what is pending. */
  async tick(): Promise<{ signed: number; settled: number }> {
    await this.recheckRecentlyMined();
    const settled = await this.reconcileSigned();
    const signed = await this.signPending();
    return { signed, settled };
  }

  /** Sends everything queued and waits until nothing is left in flight (for scripts and tests). */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.tick();
      const [{ open }] = await this.db.query<{ open: number }[]>(
        `SELECT count(*)::int AS open FROM outbox_transactions WHERE sender = $1 AND status IN ('pending', 'signed')`,
        [this.sender],
      );
      if (open === 0) return;
      if (Date.now() > deadline) throw new Error(`outbox still has ${open} open transactions after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async signPending(): Promise<number> {
    const toBroadcast: string[] = [];
    await this.db.transaction(async (em) => {
      // One signer per sender address at a time, across processes: nonces never collide.
      await em.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`outbox:${this.sender}`]);
      const pending: {
        id: string;
        idempotency_key: string;
        kind: string;
        to_address: string;
        data: string;
        value: string;
      }[] = await em.query(
        `SELECT id, idempotency_key, kind, to_address, data, value FROM outbox_transactions
         WHERE sender = $1 AND status = 'pending' ORDER BY id LIMIT $2 FOR UPDATE`,
        [this.sender, this.batchSize],
      );
      if (pending.length === 0) return;
      const [{ next }] = await em.query<{ next: string }[]>(
        `SELECT COALESCE(MAX(nonce) + 1, 0)::text AS next FROM outbox_transactions WHERE sender = $1 AND nonce IS NOT NULL`,
        [this.sender],
      );
      let nonce = Math.max(Number(next), await this.provider.getTransactionCount(this.wallet.address, 'pending'));
      const { chainId } = await this.provider.getNetwork();
      const fees = await this.provider.getFeeData();
      for (const row of pending) {
        const refusal = await this.refusal(row.idempotency_key, row.kind, row.data);
        if (refusal) {
          await em.query(
            `UPDATE outbox_transactions SET status = 'cancelled', cancel_reason = $2, updated_at = now() WHERE id = $1`,
            [row.id, refusal],
          );
          continue;
        }
        const request = { to: row.to_address, data: row.data, value: BigInt(row.value), from: this.wallet.address };
        let gasLimit: bigint;
        try {
          gasLimit = ((await this.provider.estimateGas(request)) * 120n) / 100n;
        } catch (error) {
          // Would revert now: record why and do not spend a nonce on it.
          await em.query(
            `UPDATE outbox_transactions SET status = 'failed', last_error = $2, attempts = attempts + 1, updated_at = now() WHERE id = $1`,
            [row.id, describeRevert(error)],
          );
          continue;
        }
        const tx = Transaction.from({
          type: 2,
          chainId,
          nonce,
          to: row.to_address,
          data: row.data,
          value: BigInt(row.value),
          gasLimit,
          maxFeePerGas: fees.maxFeePerGas ?? fees.gasPrice ?? 1_000_000_000n,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 1_000_000n,
        });
        const raw = await this.wallet.signTransaction(tx);
        const hash = Transaction.from(raw).hash!;
        await em.query(
          `UPDATE outbox_transactions
           SET status = 'signed', nonce = $2, raw_txs = ARRAY[$3], tx_hashes = ARRAY[$4], signed_at = now(),
               attempts = attempts + 1, updated_at = now()
           WHERE id = $1`,
          [row.id, nonce, raw, hash],
        );
        toBroadcast.push(raw);
        nonce++;
      }
    });
    // Only after the signed bytes are durable: a crash here is healed by reconcileSigned's re-broadcast.
    for (const raw of toBroadcast) await this.broadcast(raw);
    return toBroadcast.length;
  }

  private async reconcileSigned(): Promise<number> {
    const rows: {
      id: string;
      idempotency_key: string;
      kind: string;
      data: string;
      nonce: string;
      raw_txs: string[];
      tx_hashes: string[];
      signed_at: Date;
      cancel_reason: string | null;
      cancel_tx_hash: string | null;
    }[] = await this.db.query(
      `SELECT id, idempotency_key, kind, data, nonce, raw_txs, tx_hashes, signed_at, cancel_reason, cancel_tx_hash
       FROM outbox_transactions WHERE sender = $1 AND status = 'signed' ORDER BY nonce LIMIT $2`,
      [this.sender, this.batchSize],
    );
    let settled = 0;
    for (const row of rows) {
      const receipt = await this.findReceipt(row.tx_hashes);
      if (receipt) {
        const status = receipt.hash === row.cancel_tx_hash ? 'cancelled' : receipt.status === 1 ? 'mined' : 'reverted';
        await this.db.query(
          `UPDATE outbox_transactions SET status = $2, mined_tx_hash = $3, mined_block = $4, updated_at = now() WHERE id = $1`,
          [row.id, status, receipt.hash, receipt.blockNumber],
        );
        settled++;
        continue;
      }
      const minedNonce = await this.provider.getTransactionCount(this.wallet.address, 'latest');
      if (minedNonce > Number(row.nonce)) {
        // The nonce is spent but none of our hashes has a receipt yet: the node may lag; look again next tick.
        continue;
      }
      const last = row.raw_txs[row.raw_txs.length - 1];
      if (!row.cancel_tx_hash) {
        const refusal = row.cancel_reason ?? (await this.refusal(row.idempotency_key, row.kind, row.data));
        if (refusal) {
          await this.replace(row.id, last, { cancelReason: refusal });
          continue;
        }
      }
      if (Date.now() - new Date(row.signed_at).getTime() > this.replaceAfterMs) {
        await this.replace(row.id, last);
      } else {
        await this.broadcast(last);
      }
    }
    return settled;
  }

  /** A mined transaction that a reorganisation removed goes back to `signed`, to be re-broadcast. */
  private async recheckRecentlyMined(): Promise<void> {
    const head = await this.provider.getBlockNumber();
    const rows: { id: string; mined_tx_hash: string; mined_block: string }[] = await this.db.query(
      `SELECT id, mined_tx_hash, mined_block FROM outbox_transactions
       WHERE sender = $1 AND status IN ('mined', 'reverted', 'cancelled') AND mined_block > $2 ORDER BY nonce`,
      [this.sender, head - this.confirmations - 1],
    );
    for (const row of rows) {
      const receipt = await this.provider.getTransactionReceipt(row.mined_tx_hash);
      if (receipt && receipt.blockNumber === Number(row.mined_block)) continue;
      await this.db.query(
        `UPDATE outbox_transactions SET status = 'signed', mined_tx_hash = NULL, mined_block = NULL,
                signed_at = now(), updated_at = now() WHERE id = $1`,
        [row.id],
      );
    }
  }

  /**
   * Same nonce, higher fees: whichever version is mined, the intent happens at most once. With
   * `cancelReason`, the new version is a no-op (0 to ourselves): mined, it spends the nonce and
   * the intent is cancelled; if the old version wins the race, the intent is mined after all and
   * its owner deals with that (as it must with any mined transaction).
   */
  private async replace(id: string, lastRaw: string, cancel?: { cancelReason: string }): Promise<void> {
    const last = Transaction.from(lastRaw);
    const bump = (fee: bigint | null) => ((fee ?? 0n) * (100n + this.feeBumpPercent)) / 100n + 1n;
    const fees = await this.provider.getFeeData();
    const maxFee = bump(last.maxFeePerGas);
    const tx = Transaction.from({
      type: 2,
      chainId: last.chainId,
      nonce: last.nonce,
      to: cancel ? this.wallet.address : last.to,
      data: cancel ? '0x' : last.data,
      value: cancel ? 0n : last.value,
      gasLimit: cancel ? 21_000n : last.gasLimit,
      maxFeePerGas: fees.maxFeePerGas && fees.maxFeePerGas > maxFee ? fees.maxFeePerGas : maxFee,
      maxPriorityFeePerGas: bump(last.maxPriorityFeePerGas),
    });
    const raw = await this.wallet.signTransaction(tx);
    const hash = Transaction.from(raw).hash!;
    await this.db.query(
      `UPDATE outbox_transactions SET raw_txs = raw_txs || $2::text, tx_hashes = tx_hashes || $3::text,
              cancel_reason = COALESCE($4, cancel_reason), cancel_tx_hash = CASE WHEN $4::text IS NULL THEN cancel_tx_hash ELSE $3 END,
              signed_at = now(), attempts = attempts + 1, updated_at = now() WHERE id = $1`,
      [id, raw, hash, cancel?.cancelReason ?? null],
    );
    await this.broadcast(raw);
  }

  private async refusal(key: string, kind: string, data: string): Promise<string | null> {
    const check = this.guards.get(kind);
    return check ? check({ key, kind, data }) : null;
  }

  private async findReceipt(hashes: string[]) {
    for (const hash of hashes) {
      const receipt = await this.provider.getTransactionReceipt(hash);
      if (receipt) return receipt;
    }
    return null;
  }

  private async broadcast(raw: string): Promise<void> {
    try {
      await this.provider.broadcastTransaction(raw);
    } catch (error) {
      // "already known", "nonce too low" (mined already) and "replacement underpriced" are all settled by reconcile.
      const e = error as { message?: string; info?: unknown; error?: unknown };
      const message = `${e.message ?? ''} ${JSON.stringify(e.info ?? {})} ${JSON.stringify(e.error ?? {})}`;
      if (!/already known|nonce too low|nonce has already been used|underpriced|already imported/i.test(message)) {
        throw error;
      }
    }
  }
}

/** Every custom error of the contracts this outbox sends to, to name a revert instead of showing its bytes. */
const knownErrors = new Interface([
  ...new Map(
    Object.values(artifacts)
      .flatMap((artifact) =>
        new Interface(artifact.abi).fragments.filter((f): f is ErrorFragment => f.type === 'error'),
      )
      .map((f) => [f.selector, f.format('full')]),
  ).values(),
]);

/**
 * Why a transaction would revert, as a readable line: the custom error decoded with the contracts'
 * ABIs (`RoyaltySplitterNoPendingRoot(0)`), else the node's message with control characters
 * escaped (nodes put raw revert bytes in it, and PostgreSQL text refuses NUL).
 */
export function describeRevert(error: unknown): string {
  const e = error as {
    data?: unknown;
    shortMessage?: string;
    message?: string;
    info?: { error?: { message?: string; data?: unknown } };
  };
  const data = [e.data, e.info?.error?.data].find(
    (d): d is string => typeof d === 'string' && /^0x[0-9a-f]{8}/i.test(d),
  );
  if (data) {
    try {
      const parsed = knownErrors.parseError(data);
      if (parsed) return `${parsed.name}(${parsed.args.map((a: unknown) => String(a)).join(', ')})`;
    } catch {
      /* not one of ours: fall back to the message */
    }
  }
  const message = e.info?.error?.message ?? e.shortMessage ?? e.message ?? String(error);
  return message.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
