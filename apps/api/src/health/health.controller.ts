import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { ChainService } from '../chain/chain.service';
import { DatabaseAvailability } from '../common/dependencies/database-availability';
import { ChecksDatabaseItself } from '../common/dependencies/database-available.guard';
import { WorkerConditionsRepository, type WorkerCondition } from '../worker/worker-conditions.repository';
import { Access } from '../access/access.decorator';
import { BLOB_STORE, type BlobStore } from '../contributions/storage/blob-store';

/** Every indicator gives up after this long, so /health says "down" within a second. */
const INDICATOR_TIMEOUT_MS = 1_000;

@ApiTags('health')
@SkipThrottle()
@ChecksDatabaseItself()
@Access.public()
@Controller('health')
export class HealthController {
  /** What /health reports, one entry per key; they run in parallel. Add an indicator here. */
  private readonly checks: HealthIndicatorFunction[] = [
    () => this.database(),
    () => this.chainState(),
    () => this.settlement(),
    () => this.blobStore(),
  ];

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly databaseAvailability: DatabaseAvailability,
    private readonly chain: ChainService,
    private readonly conditions: WorkerConditionsRepository,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Database and chain reachability (Terminus format; 503 within a second of one going down)' })
  check() {
    return this.health.check(this.checks);
  }

  /** A fresh session, not a pooled one: during a smart shutdown pooled sessions still work while new ones are refused. */
  private database() {
    return this.indicators
      .check('database')
      .attempt(async () => {
        const state = await this.databaseAvailability.probe();
        if (!state.up) throw new Error(state.reason);
      })
      .withTimeout(INDICATOR_TIMEOUT_MS);
  }

  /**
   * The object store answers a listing of the prefix with these credentials. Only a store on
   * another machine (BLOB_STORE_URL) has an entry: the local disk is this process's own.
   */
  private async blobStore(): Promise<HealthIndicatorResult> {
    if (!this.store.check) return {};
    return this.indicators
      .check('blobStore')
      .attempt(async () => this.store.check?.())
      .withTimeout(INDICATOR_TIMEOUT_MS);
  }

  /** Reachable, and (as the worker last found) still the chain this database was built on. */
  private async chainState() {
    const reachable = await this.indicators
      .check('chain')
      .attempt(async () => ({ chainId: this.chain.chainId, block: await this.chain.blockNumber() }))
      .withTimeout(INDICATOR_TIMEOUT_MS);
    if (reachable.chain.status === 'down') return reachable;
    const followed = await this.condition('chain').catch(() => undefined); // an unreadable database is the database indicator's to report
    if (followed && !followed.ok) return this.indicators.check('chain').down(describe(followed));
    return reachable;
  }

  /** Whether the accepted root is a valid epoch of this database (see SettlementService.checkAcceptedRoot). */
  private async settlement() {
    const indicator = this.indicators.check('settlement');
    let settled: WorkerCondition | undefined;
    try {
      settled = await this.condition('settlement');
    } catch (error) {
      return indicator.down({
        state: 'unknown',
        reason: `cannot read the worker's findings: ${(error as Error).message}`,
      });
    }
    if (!settled) return indicator.up({ state: 'unknown', reason: 'the worker has not checked settlement yet' });
    return settled.ok ? indicator.up(describe(settled)) : indicator.down(describe(settled));
  }

  private async condition(name: WorkerCondition['name']): Promise<WorkerCondition | undefined> {
    const all = this.conditions.all();
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${INDICATOR_TIMEOUT_MS} ms`)), INDICATOR_TIMEOUT_MS).unref(),
    );
    return (await Promise.race([all, timeout])).find((c) => c.name === name);
  }
}

function describe(c: WorkerCondition) {
  return {
    state: c.state,
    reason: c.reason,
    since: c.since.toISOString(),
    checkedAt: c.checkedAt.toISOString(),
    ...c.details,
  };
}
