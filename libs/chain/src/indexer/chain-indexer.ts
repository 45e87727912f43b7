// Follows contract events into PostgreSQL. Each range of blocks is applied in
// one database transaction: the raw events, whatever the handlers derive from
// them, and the cursor. Events are unique by (tx hash, log index), so a range
// applied twice changes nothing. Block hashes are kept for the last blocks so
// a reorganisation is detected and rolled back (derived rows cascade).
import {
  EventFragment,
  Interface,
  Result,
  toUtf8String,
  Utf8ErrorFuncs,
  type InterfaceAbi,
  type Log,
  type LogDescription,
  type Provider,
} from 'ethers';
import type { EntityManager } from 'typeorm';
import { parseAddress, parseBytes32, type Address, type Bytes32 } from '@upstream/api-contract';
import type { ChainDatabase } from '../chain-database';

/** A decoded event; its addresses and hashes are parsed (lowercase) once, here, where they come from the node. */
export interface IndexedEvent {
  id: string;
  name: string;
  address: Address;
  /** Named arguments; integers as decimal strings, bytes and addresses as lowercase hex. */
  args: Record<string, unknown>;
  blockNumber: number;
  blockHash: Bytes32;
  txHash: Bytes32;
  logIndex: number;
  blockTime: Date;
}

export type EventHandler = (em: EntityManager, event: IndexedEvent) => Promise<void>;

/** What a rollback removes: every block after `toBlock` (the newest block both the database and the chain still agree on). */
export interface Rollback {
  toBlock: number;
  /** The cursor before the rollback. */
  fromBlock: number;
}

/**
 * Runs inside the rollback's transaction, before the removed blocks' events are deleted, so
 * whatever was built on those events (an epoch, a sent transaction) is dealt with atomically.
 */
export type RollbackHandler = (em: EntityManager, rollback: Rollback) => Promise<void>;

export interface ChainIndexerOptions {
  /** Cursor name; one per chain and contract set. */
  name: string;
  contracts: { address: string; abi: InterfaceAbi }[];
  /** Blocks behind the head that count as final. */
  confirmations: number;
  /** First block to read (the deployment block). */
  startBlock: number;
  maxBlockRange?: number;
  /** Block hashes kept for reorg detection; a deeper reorg stops the indexer loudly. */
  keepBlocks?: number;
}

export interface TickResult {
  fromBlock: number;
  toBlock: number;
  events: number;
  rolledBackTo?: number;
}

/**
 * The chain no longer has any block the database was built on (within the blocks kept): a
 * reorganisation deeper than `keepBlocks`, or another chain altogether (a local chain reset under
 * a database that still describes the old one). The indexer refuses to guess.
 */
export class ReorgTooDeepError extends Error {
  override readonly name = 'ReorgTooDeepError';

  constructor(
    message: string,
    /** The newest block whose hash both still agree on, when known. */
    readonly lastAgreedBlock: number | null,
  ) {
    super(message);
  }
}

export class ChainIndexer {
  private readonly handlers = new Map<string, EventHandler[]>();
  private readonly rollbackHandlers: RollbackHandler[] = [];
  private readonly interfaces = new Map<Address, Interface>();
  private readonly maxBlockRange: number;
  private readonly keepBlocks: number;

  constructor(
    private readonly db: ChainDatabase,
    private readonly provider: Provider,
    private readonly options: ChainIndexerOptions,
  ) {
    for (const c of options.contracts)
      this.interfaces.set(parseAddress(c.address, 'contracts.address'), new Interface(c.abi));
    this.maxBlockRange = options.maxBlockRange ?? 2_000;
    this.keepBlocks = options.keepBlocks ?? 256;
  }

  /** Registers a handler run inside the transaction that applies the event. */
  on(eventName: string, handler: EventHandler): this {
    const list = this.handlers.get(eventName) ?? [];
    list.push(handler);
    this.handlers.set(eventName, list);
    return this;
  }

  /** Registers a handler run inside every rollback's transaction, before the events are deleted. */
  onRollback(handler: RollbackHandler): this {
    this.rollbackHandlers.push(handler);
    return this;
  }

  /**
   * Checks that the chain still has the block the cursor points at, without changing anything.
   * `agrees: false` means the next tick rolls back to `lastAgreedBlock` (or, when that is null,
   * refuses with ReorgTooDeepError).
   */
  async verifyCursor(): Promise<{ cursor: number; agrees: boolean; lastAgreedBlock: number | null }> {
    const cursor = await this.cursor();
    if (!cursor.blockHash) return { cursor: cursor.blockNumber, agrees: true, lastAgreedBlock: cursor.blockNumber };
    const onChain = await this.block(cursor.blockNumber);
    if (onChain?.hash === cursor.blockHash)
      return { cursor: cursor.blockNumber, agrees: true, lastAgreedBlock: cursor.blockNumber };
    const common = await this.commonAncestor(cursor.blockNumber);
    return { cursor: cursor.blockNumber, agrees: false, lastAgreedBlock: common?.number ?? null };
  }

  /** The last block applied. */
  async cursor(): Promise<{ blockNumber: number; blockHash: string | null }> {
    await this.db.query(
      `INSERT INTO chain_cursors (name, block_number) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
      [this.options.name, this.options.startBlock - 1],
    );
    const [row] = await this.db.query<{ block_number: string; block_hash: string | null }[]>(
      `SELECT block_number, block_hash FROM chain_cursors WHERE name = $1`,
      [this.options.name],
    );
    return { blockNumber: Number(row.block_number), blockHash: row.block_hash };
  }

  /** Applies the next range of final blocks; returns what it did. */
  async tick(): Promise<TickResult> {
    let cursor = await this.cursor();
    let rolledBackTo: number | undefined;
    if (cursor.blockHash) {
      const onChain = await this.block(cursor.blockNumber);
      if (!onChain || onChain.hash !== cursor.blockHash) {
        rolledBackTo = await this.rollBack(cursor.blockNumber);
        cursor = await this.cursor();
      }
    }
    const head = await this.provider.getBlockNumber();
    const safe = head - this.options.confirmations;
    const fromBlock = cursor.blockNumber + 1;
    if (safe < fromBlock) return { fromBlock, toBlock: cursor.blockNumber, events: 0, rolledBackTo };
    const toBlock = Math.min(safe, fromBlock + this.maxBlockRange - 1);

    const logs = await this.provider.getLogs({
      address: [...this.interfaces.keys()],
      fromBlock,
      toBlock,
    });
    const blocks = new Map<number, { hash: Bytes32; time: Date }>();
    for (const n of new Set([...logs.map((l) => l.blockNumber), toBlock])) {
      const block = await this.block(n);
      if (!block) return { fromBlock, toBlock: cursor.blockNumber, events: 0, rolledBackTo };
      blocks.set(n, block);
    }
    // A log whose block hash differs from the block we just read was reorganised meanwhile: retry next tick.
    if (logs.some((l) => blocks.get(l.blockNumber)!.hash !== parseBytes32(l.blockHash, 'log.blockHash'))) {
      return { fromBlock, toBlock: cursor.blockNumber, events: 0, rolledBackTo };
    }

    let applied = 0;
    await this.db.transaction(async (em) => {
      // Serialises appliers of this cursor (API replicas, a restarted worker).
      const [locked] = await em.query<{ block_number: string }[]>(
        `SELECT block_number FROM chain_cursors WHERE name = $1 FOR UPDATE`,
        [this.options.name],
      );
      if (Number(locked.block_number) !== cursor.blockNumber) return; // someone else applied this range
      for (const log of logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)) {
        const event = this.decode(log, blocks.get(log.blockNumber)!.time);
        if (!event) continue;
        const [inserted] = await em.query<{ id: string }[]>(
          `INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, address, event_name, args, block_time)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (tx_hash, log_index) DO NOTHING RETURNING id`,
          [
            event.blockNumber,
            event.blockHash,
            event.txHash,
            event.logIndex,
            event.address,
            event.name,
            event.args,
            event.blockTime,
          ],
        );
        if (!inserted) continue;
        event.id = String(inserted.id);
        for (const handler of this.handlers.get(event.name) ?? []) await handler(em, event);
        applied++;
      }
      for (const [n, b] of blocks) {
        await em.query(
          `INSERT INTO chain_blocks (cursor_name, block_number, block_hash) VALUES ($1, $2, $3)
           ON CONFLICT (cursor_name, block_number) DO UPDATE SET block_hash = EXCLUDED.block_hash`,
          [this.options.name, n, b.hash],
        );
      }
      await em.query(`DELETE FROM chain_blocks WHERE cursor_name = $1 AND block_number < $2`, [
        this.options.name,
        toBlock - this.keepBlocks,
      ]);
      await em.query(
        `UPDATE chain_cursors SET block_number = $2, block_hash = $3, updated_at = now() WHERE name = $1`,
        [this.options.name, toBlock, blocks.get(toBlock)!.hash],
      );
    });
    return { fromBlock, toBlock, events: applied, rolledBackTo };
  }

  /** Runs ticks until the cursor reaches the final head (for scripts and tests). */
  async catchUp(): Promise<void> {
    for (;;) {
      const result = await this.tick();
      const safe = (await this.provider.getBlockNumber()) - this.options.confirmations;
      if (result.toBlock >= safe && result.rolledBackTo === undefined) return;
    }
  }

  /**
   * Finds the newest stored block still on the canonical chain and deletes every event after it;
   * rows derived from them go with them (ON DELETE CASCADE). Rollback handlers run first, in the
   * same transaction.
   */
  private async rollBack(fromBlock: number): Promise<number> {
    const common = await this.commonAncestor(fromBlock);
    if (!common) {
      throw new ReorgTooDeepError(
        `the chain has none of the blocks this database was built on (the newest ${this.keepBlocks} kept, up to block ${fromBlock}): ` +
          `a reorganisation deeper than that, or a different chain at the same RPC URL; refusing to guess`,
        null,
      );
    }
    await this.db.transaction(async (em) => {
      for (const handler of this.rollbackHandlers) await handler(em, { toBlock: common.number, fromBlock });
      await em.query(`DELETE FROM chain_events WHERE block_number > $1`, [common.number]);
      await em.query(`DELETE FROM chain_blocks WHERE cursor_name = $1 AND block_number > $2`, [
        this.options.name,
        common.number,
      ]);
      await em.query(
        `UPDATE chain_cursors SET block_number = $2, block_hash = $3, updated_at = now() WHERE name = $1`,
        [this.options.name, common.number, common.hash || null],
      );
    });
    return common.number;
  }

  /**
   * The newest stored block whose hash the chain still has. When none is, the cursor may restart
   * from before the deployment only if nothing was ever indexed (no stored block holds an event).
   */
  private async commonAncestor(fromBlock: number): Promise<{ number: number; hash: string } | undefined> {
    const stored: { block_number: string; block_hash: string }[] = await this.db.query(
      `SELECT block_number, block_hash FROM chain_blocks WHERE cursor_name = $1 AND block_number <= $2
       ORDER BY block_number DESC`,
      [this.options.name, fromBlock],
    );
    for (const row of stored) {
      const onChain = await this.block(Number(row.block_number));
      if (onChain?.hash === row.block_hash) return { number: Number(row.block_number), hash: row.block_hash };
    }
    const [{ indexed }] = await this.db.query<{ indexed: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM chain_events WHERE block_number >= $1 AND address = ANY($2)) AS indexed`,
      [this.options.startBlock, [...this.interfaces.keys()]],
    );
    return indexed ? undefined : { number: this.options.startBlock - 1, hash: '' };
  }

  /** A block's hash (parsed) and time, or undefined when the node does not have it (yet). */
  private async block(n: number): Promise<{ hash: Bytes32; time: Date } | undefined> {
    const block = await this.provider.getBlock(n);
    if (!block?.hash) return undefined;
    return { hash: parseBytes32(block.hash, 'block.hash'), time: new Date(block.timestamp * 1000) };
  }

  private decode(log: Log, blockTime: Date): IndexedEvent | undefined {
    const address = parseAddress(log.address, 'log.address');
    const iface = this.interfaces.get(address);
    if (!iface) return undefined;
    const parsed = parseLeniently(iface, log);
    if (!parsed) return undefined;
    return {
      id: '',
      name: parsed.name,
      address,
      args: toPlain(
        parsed.args,
        parsed.fragment.inputs.map((i) => i.name),
      ),
      blockNumber: log.blockNumber,
      blockHash: parseBytes32(log.blockHash, 'log.blockHash'),
      txHash: parseBytes32(log.transactionHash, 'log.transactionHash'),
      logIndex: log.index,
      blockTime,
    };
  }
}

function toPlain(result: Result, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => (out[name || String(i)] = plainValue(result[i])));
  return out;
}

/**
 * Decodes a log of a known contract. A `string` argument is text anyone can choose (a proposal's
 * description, a vote's reason) and need not be valid UTF-8, which ethers refuses to decode: such
 * a log would stop the indexer for good. It is decoded again with its strings read as bytes and
 * turned into text with each invalid sequence replaced by U+FFFD, so the event is kept and shown.
 */
function parseLeniently(iface: Interface, log: Log): LogDescription | null {
  const topics = [...log.topics];
  try {
    const parsed = iface.parseLog({ topics, data: log.data });
    // ethers defers a value's decoding error until the value is read: read them all here.
    for (let i = 0; parsed && i < parsed.args.length; i++) void (parsed.args[i] as unknown);
    return parsed;
  } catch (error) {
    const event = iface.getEvent(topics[0]);
    if (!event || !event.inputs.some((input) => input.type === 'string' && !input.indexed)) throw error;
    const asBytes = EventFragment.from({
      type: 'event',
      name: event.name,
      anonymous: event.anonymous,
      inputs: event.inputs.map((input) =>
        input.type === 'string' && !input.indexed
          ? { name: input.name, type: 'bytes', indexed: false }
          : (JSON.parse(input.format('json')) as object),
      ),
    });
    const decoded = new Interface([asBytes]).parseLog({
      topics: [asBytes.topicHash, ...topics.slice(1)],
      data: log.data,
    });
    if (!decoded) throw error;
    const args = event.inputs.map((input, i) =>
      input.type === 'string' && !input.indexed
        ? toUtf8String(decoded.args[i] as string, Utf8ErrorFuncs.replace)
        : (decoded.args[i] as unknown),
    );
    return { ...decoded, name: event.name, fragment: event, args: Result.fromItems(args) };
  }
}

function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  // PostgreSQL's jsonb cannot hold U+0000; chain text that carries one is kept with U+FFFD in its place.
  if (typeof value === 'string')
    return /^0x[0-9a-fA-F]*$/.test(value) ? value.toLowerCase() : value.replaceAll('\u0000', '\uFFFD');
  if (Array.isArray(value)) return value.map(plainValue);
  return value;
}
