import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Global, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { ownsItsMemory } from './moved-result';
import type * as tasks from './off-loop.worker';

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
  /** Tasks run in a worker thread since start, by name (tests and the bench read them). */
  readonly ran = new Map<OffLoopTask, number>();

  /**
   * Runs `task` in a worker thread. A Buffer `payload` that owns its whole memory (a request body
   * read into one allocation) is moved to the thread, not copied: the caller must not read it after.
   */
  run<K extends OffLoopTask>(
    task: K,
    payload: Parameters<OffLoopTasks[K]>[0],
  ): Promise<Awaited<ReturnType<OffLoopTasks[K]>>> {
    this.ran.set(task, (this.ran.get(task) ?? 0) + 1);
    const transferList =
      payload instanceof Uint8Array && ownsItsMemory(payload) ? [payload.buffer as ArrayBuffer] : undefined;
    return this.workers().run(payload, { name: task, transferList }) as Promise<Awaited<ReturnType<OffLoopTasks[K]>>>;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }

  private workers(): Piscina {
    if (this.pool === undefined) {
      const fromSources = __filename.endsWith('.ts');
      this.pool = new Piscina({
        filename: path.join(__dirname, `off-loop.worker.${fromSources ? 'ts' : 'js'}`),
        execArgv: fromSources ? ['--import', 'tsx'] : [],
        minThreads: 0,
        maxThreads: Math.max(1, Math.min(2, availableParallelism() - 1)),
        idleTimeout: 60_000,
      });
    }
    return this.pool;
  }
}

@Global()
@Module({ providers: [OffLoopPool], exports: [OffLoopPool] })
export class OffLoopModule {}
