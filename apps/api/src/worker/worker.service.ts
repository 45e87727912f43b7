import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ReorgTooDeepError } from '@upstream/chain';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { ChainSyncService } from './chain-sync.service';
import { LeaderLockRepository, type LeaderLockSession } from './leader-lock.repository';
import { WorkerConditionsRepository } from './worker-conditions.repository';

export type WorkerJob = () => Promise<void>;

/** How long a worker that does not lead waits before asking for the lock again. */
const STANDBY_MS = 5_000;
/**
 * A worker that has just lost the lock sits out one more standby interval before contesting it, so a
 * healthy peer (which asks every STANDBY_MS) takes over rather than the worker whose session just failed.
 */
const REJOIN_AFTER_LOSS_MS = 2 * STANDBY_MS;

/**
 * The background worker: indexer, outbox and the features' periodic jobs
 * (anchoring batches, epoch settlement). Runs in the API process by default
 * (WORKER_MODE=embedded) or alone (only); one leader per chain, chosen by a
 * session-level Postgres advisory lock, so replicas never settle twice. The
 * leader checks that lock on its own session at the start of every pass and
 * again before the outbox sends; when the session has died or no longer holds
 * it, the worker steps down and later asks again on a fresh session.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly jobs: { name: string; run: WorkerJob }[] = [];
  /** The session that holds (or asks for) the leader lock; kept for as long as it leads. */
  private lockSession?: LeaderLockSession;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private leader = false;

  constructor(
    private readonly locks: LeaderLockRepository,
    private readonly sync: ChainSyncService,
    private readonly conditions: WorkerConditionsRepository,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  /** Adds a job run on every tick, after the indexer and before the outbox sends. */
  addJob(name: string, run: WorkerJob): void {
    this.jobs.push({ name, run });
  }

  get isLeader(): boolean {
    return this.leader;
  }

  onApplicationBootstrap(): void {
    if (this.runtime.config.workerMode === 'off') return;
    this.schedule(0);
  }

  /** One full pass: follow the chain, run jobs, send queued transactions, pick up their events. */
  async tick(): Promise<void> {
    await this.pass(async () => true);
  }

  /**
   * `stillLeading` is asked right before the outbox, the only step that reaches the chain, and not
   * only when the pass starts: the jobs before it (an epoch's tree, say) can take long, so a leader
   * that loses its lock during them steps down there and sends nothing afterwards. What remains is
   * the moment between that check and the outbox's own work; there the outbox serialises signers per
   * sender address with its own transaction-scoped lock and stores signed bytes before broadcasting,
   * so a new leader re-sends the same transaction (same nonce, same hash), never a second one.
   */
  private async pass(stillLeading: () => Promise<boolean>): Promise<void> {
    await this.followChain();
    for (const job of this.jobs) await job.run();
    if (!(await stillLeading())) return;
    await this.sync.outbox.tick();
    await this.sync.indexer.catchUp();
  }

  /**
   * Follows the chain, rolling back what a reorganisation removed. A chain that shares none of the
   * kept blocks with the database is never papered over: the pass stops before any job or
   * transaction, and /health says `chain: diverged` until the right chain is back.
   */
  private async followChain(): Promise<void> {
    try {
      await this.sync.indexer.catchUp();
    } catch (error) {
      if (!(error instanceof ReorgTooDeepError)) throw error;
      await this.conditions.record({
        name: 'chain',
        ok: false,
        state: 'diverged',
        reason:
          `${error.message}. Nothing is indexed, settled or sent until this is resolved. Point RPC_URL at the chain this ` +
          `database describes (or restore the local chain's state.json and deployment.json); to start afresh, move the data directory away.`,
        details: { lastAgreedBlock: error.lastAgreedBlock },
      });
      throw error;
    }
    const { blockNumber } = await this.sync.indexer.cursor();
    await this.conditions.record({
      name: 'chain',
      ok: true,
      state: 'ok',
      reason: null,
      details: { indexedBlock: blockNumber },
    });
  }

  /** Finishes the pass under way before the database pool closes (TypeORM closes it on application shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const slow = setTimeout(() => this.logger.warn('shutdown waits for the worker pass under way to finish'), 1_000);
    await this.running;
    clearTimeout(slow);
    const session = this.lockSession;
    this.lockSession = undefined;
    this.leader = false;
    if (session) await session.end();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.loop().then((next) => this.schedule(next));
    }, delayMs);
  }

  /** One turn of the loop; returns how long to wait before the next. */
  private async loop(): Promise<number> {
    try {
      if (this.leader) {
        if (!(await this.holdsLock())) return REJOIN_AFTER_LOSS_MS;
      } else if (!(await this.tryLead())) {
        return STANDBY_MS;
      }
      await this.pass(() => this.holdsLock());
      return this.leader ? this.runtime.config.workerIntervalMs : REJOIN_AFTER_LOSS_MS;
    } catch (error) {
      this.logger.error({ err: error }, `worker tick failed: ${(error as Error).message}`);
      return this.leader ? this.runtime.config.workerIntervalMs : STANDBY_MS;
    }
  }

  private get lockKey(): string {
    return `upstream:leader:${this.runtime.infrastructure.deployment.chainId}`;
  }

  private async tryLead(): Promise<boolean> {
    // A session that died while waiting (TypeORM releases it on its error) cannot be reconnected: take a new one.
    if (this.lockSession?.isReleased) this.lockSession = undefined;
    const session = (this.lockSession ??= this.locks.openSession());
    try {
      const locked = await session.tryLock(this.lockKey);
      if (locked) {
        this.leader = true;
        this.logger.log(`leading settlement for chain ${this.runtime.infrastructure.deployment.chainId}`);
      }
      return locked;
    } catch (error) {
      // A failed connect is remembered by the QueryRunner: the next attempt needs a fresh one.
      this.lockSession = undefined;
      await session.end();
      throw error;
    }
  }

  /**
   * Asks the leader's own session whether it still holds the lock, which also keeps that session from
   * idling. On a dead session, an error or a missing lock the worker steps down and says so once.
   */
  private async holdsLock(): Promise<boolean> {
    const session = this.lockSession;
    if (!this.leader || !session) return false;
    let reason: string;
    try {
      // TypeORM releases a runner whose connection errored (terminated, cut, server restarted).
      if (session.isReleased) throw new Error('the connection was lost');
      if (await session.holds(this.lockKey)) return true;
      reason = 'its session no longer holds the leader lock';
    } catch (error) {
      reason = `its lock session failed: ${(error as Error).message}`;
    }
    this.leader = false;
    this.lockSession = undefined;
    this.logger.warn(
      `stopped leading settlement for chain ${this.runtime.infrastructure.deployment.chainId}: ${reason}; ` +
        `another worker may lead now, and this one asks again on a new session in ${REJOIN_AFTER_LOSS_MS / 1000} s`,
    );
    await session.end();
    return false;
  }
}
