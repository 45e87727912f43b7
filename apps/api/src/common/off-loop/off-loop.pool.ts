import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Global, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { ownsItsMemory } from './moved-result';
import type * as tasks from './off-loop.worker';

/**
 * A task whose body was at least this long leaves its thread's heap grown by many times that (a
 * 100,000-file registration: ~100 MB), which V8 keeps after the task; the pool is then replaced
 * once idle for RECYCLE_IDLE_MS, so the thread and all its memory go.
 */
export const RECYCLE_AFTER_BYTES = 1024 * 1024;

/**
 * How long a grown pool waits, idle, before it is replaced. A new thread costs ~150 ms before its
 * first task is done (start, module loading, cold code): replaced after every long body, each
 * 50,000-entry chunk of a run paid that again (~200 ms a chunk where a warm thread takes ~60 ms).
 * A client's next chunk comes well within this; a grown heap is freed soon after the last one.
 */
export const RECYCLE_IDLE_MS = 1_000;

/**
 * The young generation of a worker thread's V8 heap, in MiB. V8's default (up to 3 × 16 MiB of
 * semi-spaces that grow under a parse's garbage) cost a 100,000-file registration ~60 MiB more
 * RSS at its peak, most of it kept by the allocator after the thread ended; 8 MiB collects the
 * parser's short-lived tokens more often, for little more CPU (off the event loop).
 */
export const WORKER_YOUNG_GENERATION_MIB = 8;

/** The tasks a worker thread runs, by name: the named exports of `off-loop.worker.ts`. */
export type OffLoopTasks = typeof tasks;
export type OffLoopTask = keyof OffLoopTasks;

/**
 * The service's worker threads, for work that would hold the event loop past ~100 ms: parsing and
 * checking a long registration's files, a run chunk's entries or a long digest list, hashing a
 * stored dataset for a proof, a Contribution of thousands of owners. One small piscina pool (one
 * thread on a 2-core machine, two at most), started on first use; idle threads stop after a minute.
 * Callers decide what is long enough to send here; short work stays on the event loop, where it is
 * cheaper than the copy to a thread. From the TypeScript sources (tests) the worker runs through
 * tsx; from `dist` it is plain JavaScript.
 */
@Injectable()
export class OffLoopPool implements OnApplicationShutdown {
  private pool: Piscina | undefined;
  /** Tasks sent to `pool` and not yet settled. */
  private inFlight = 0;
  /** A task of at least RECYCLE_AFTER_BYTES ran on `pool`: replace it once nothing is in flight. */
  private grown = false;
  /** Replaces a grown pool once it has been idle for `recycleIdleMs`; cleared by the next task. */
  private recycleTimer: NodeJS.Timeout | undefined;
  /** Tasks run in a worker thread since start, by name (tests and the bench read them). */
  readonly ran = new Map<OffLoopTask, number>();
  /** Pools started since start: a new one after each replacement (tests read it). */
  generation = 0;
  /** RECYCLE_IDLE_MS; tests shorten it. */
  recycleIdleMs = RECYCLE_IDLE_MS;

  /**
   * Runs `task` in a worker thread. A Buffer `payload` (or a payload's `raw` Buffer) that owns its
   * whole memory (a request body read into one allocation) is moved to the thread, not copied: the
   * caller must not read it after.
   * After a long body or long strings (RECYCLE_AFTER_BYTES) the threads are replaced once the pool has
   * been idle for `recycleIdleMs`.
   */
  async run<K extends OffLoopTask>(
    task: K,
    payload: Parameters<OffLoopTasks[K]>[0],
  ): Promise<Awaited<ReturnType<OffLoopTasks[K]>>> {
    this.ran.set(task, (this.ran.get(task) ?? 0) + 1);
    const body = bodyOf(payload);
    const transferList = body !== undefined && ownsItsMemory(body) ? [body.buffer as ArrayBuffer] : undefined;
    if ((body?.byteLength ?? textLength(payload)) >= RECYCLE_AFTER_BYTES) this.grown = true;
    clearTimeout(this.recycleTimer);
    const pool = this.workers();
    this.inFlight++;
    try {
      return (await pool.run(payload, { name: task, transferList })) as Awaited<ReturnType<OffLoopTasks[K]>>;
    } finally {
      this.inFlight--;
      if (this.grown && this.inFlight === 0 && this.pool === pool) {
        this.recycleTimer = setTimeout(() => this.recycle(pool), this.recycleIdleMs);
        this.recycleTimer.unref();
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.recycleTimer);
    await this.pool?.destroy();
    this.pool = undefined;
  }

  /** Replaces `pool` if it is still the current one and idle: its threads end, and their memory with them. */
  private recycle(pool: Piscina): void {
    if (this.pool !== pool || this.inFlight > 0) return;
    this.pool = undefined;
    this.grown = false;
    // Its threads end once idle; a failure to end them must not become an unhandled rejection.
    pool.destroy().catch(() => undefined);
  }

  private workers(): Piscina {
    if (this.pool === undefined) {
      this.generation++;
      const fromSources = __filename.endsWith('.ts');
      this.pool = new Piscina({
        filename: path.join(__dirname, `off-loop.worker.${fromSources ? 'ts' : 'js'}`),
        execArgv: fromSources ? ['--import', 'tsx'] : [],
        minThreads: 0,
        maxThreads: Math.max(1, Math.min(2, availableParallelism() - 1)),
        idleTimeout: 60_000,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MIB },
      });
    }
    return this.pool;
  }
}

/** A task's request body: the payload itself, or its `raw` bytes (a run chunk's `{ raw, required }`). */
function bodyOf(payload: unknown): Uint8Array | undefined {
  if (payload instanceof Uint8Array) return payload;
  const raw = (payload as { raw?: unknown } | null)?.raw;
  return raw instanceof Uint8Array ? raw : undefined;
}

/** The length of a payload's top-level strings (a staged manifest's columns): what it brings when it has no body. */
function textLength(payload: unknown): number {
  if (typeof payload !== 'object' || payload === null) return 0;
  return Object.values(payload).reduce<number>((n, v) => n + (typeof v === 'string' ? v.length : 0), 0);
}

@Global()
@Module({ providers: [OffLoopPool], exports: [OffLoopPool] })
export class OffLoopModule {}
