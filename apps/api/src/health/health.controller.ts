import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { ChainService } from '../chain/chain.service';

@ApiTags('health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly chain: ChainService,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Database and chain reachability (Terminus format)' })
  check() {
    return this.health.check([
      () => this.database.pingCheck('database').withTimeout(2_000),
      () =>
        this.indicators
          .check('chain')
          .attempt(async () => ({ chainId: this.chain.chainId, block: await this.chain.blockNumber() }))
          .withTimeout(3_000),
    ]);
  }
}
