import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  type HealthIndicatorFunction,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { ChainService } from '../chain/chain.service';
import { DatabaseAvailability } from '../common/dependencies/database-availability';
import { ChecksDatabaseItself } from '../common/dependencies/database-available.guard';

/** Every indicator gives up after this long, so /health says "down" within a second. */
const INDICATOR_TIMEOUT_MS = 1_000;

@ApiTags('health')
@SkipThrottle()
@ChecksDatabaseItself()
@Controller('health')
export class HealthController {
  /** What /health reports, one entry per key; they run in parallel. Add an indicator here. */
  private readonly checks: HealthIndicatorFunction[] = [() => this.database(), () => this.chainReachable()];

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly databaseAvailability: DatabaseAvailability,
    private readonly chain: ChainService,
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

  private chainReachable() {
    return this.indicators
      .check('chain')
      .attempt(async () => ({ chainId: this.chain.chainId, block: await this.chain.blockNumber() }))
      .withTimeout(INDICATOR_TIMEOUT_MS);
  }
}
