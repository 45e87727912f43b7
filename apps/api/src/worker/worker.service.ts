import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { ReorgTooDeepError } from '@upstream/chain';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { ChainSyncService } from './chain-sync.service';
import { WorkerConditionsRepository } from './worker-conditions.repository';

export type WorkerJob = () => Promise<void>;

/**
 * The background worker: indexer, outbox and the features' periodic jobs
 * (anchoring batches, epoch settlement). Runs in the API process by default
 * (WORKER_MODE=embedded) or alone (only); one leader per chain, chosen by a
 * session-level Postgres advisory lock, so replicas never settle twice.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly jobs: { name: string; run: WorkerJob }[] = [];
  private lockConnection?: QueryRunner;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private leader = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sync: ChainSyncService,
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
    await this.followChain();
    for (const job of this.jobs) await job.run();
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
      await WorkerConditionsRepository.record(this.dataSource.manager, {
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
    await WorkerConditionsRepository.record(this.dataSource.manager, { name: 'chain', ok: true, state: 'ok', reason: null, details: { indexedBlock: blockNumber } });
  }

  /** Finishes the pass under way before the database pool closes (TypeORM closes it on application shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.lockConnection) await this.lockConnection.release();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.loop().finally(() => this.schedule(this.leader ? this.runtime.config.workerIntervalMs : 5_000));
    }, delayMs);
  }

  private async loop(): Promise<void> {
    try {
      if (!this.leader) this.leader = await this.tryLead();
      if (this.leader) await this.tick();
    } catch (error) {
      this.logger.error({ err: error }, `worker tick failed: ${(error as Error).message}`);
    }
  }

  private async tryLead(): Promise<boolean> {
    this.lockConnection ??= this.dataSource.createQueryRunner();
    await this.lockConnection.connect();
    const key = `upstream:leader:${this.runtime.infrastructure.deployment.chainId}`;
    const [{ locked }] = await this.lockConnection.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [key]);
    if (locked) this.logger.log(`leading settlement for chain ${this.runtime.infrastructure.deployment.chainId}`);
    return locked;
  }
}
