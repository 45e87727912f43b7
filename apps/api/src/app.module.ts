import { randomUUID } from 'node:crypto';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { postgresOptions } from '@upstream/database';
import { AccessGuard } from './access/access.guard';
import { AccessModule } from './access/access.module';
import { AccountThrottlerGuard } from './access/account-throttler.guard';
import { ChainModule } from './chain/chain.module';
import { ContentTypeGuard } from './common/body/content-type.guard';
import { DependenciesModule } from './common/dependencies/dependencies.module';
import { ApiExceptionFilter } from './common/errors/api-exception.filter';
import { HitQueueThrottlerStorage } from './common/hit-queue-throttler.storage';
import { PostgresThrottlerStorage } from './common/rate-limit/postgres-throttler.storage';
import { RateLimitHitsRepository } from './common/rate-limit/rate-limit-hits.repository';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { OffLoopModule } from './common/off-loop/off-loop.pool';
import { PersistenceModule } from './common/persistence/unit-of-work';
import { ShutdownTraceModule } from './common/shutdown/shutdown-trace';
import { HealthModule } from './health/health.module';
import { WorkerModule } from './worker/worker.module';
import { AnchoringModule } from './anchoring/anchoring.module';
import { ContributionsModule } from './contributions/contributions.module';
import { NearDuplicatesModule } from './integrity/near-duplicates/near-duplicates.module';
import { RoyaltiesModule } from './royalties/royalties.module';
import { DisputesModule } from './disputes/disputes.module';
import { LicensesModule } from './licenses/licenses.module';
import { RunsModule } from './runs/runs.module';
import { AuditModule } from './audit/audit.module';
import { CatalogueModule } from './catalogue/catalogue.module';
import { GovernanceModule } from './governance/governance.module';
import { RUNTIME, type Runtime } from './runtime/runtime';

@Module({})
export class AppModule {
  static register(runtime: Runtime): DynamicModule {
    const { config, infrastructure } = runtime;
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Keep a caller's request id, or mint one; it is echoed back and in every log line of the request.
            genReqId: (req, res) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            autoLogging: { ignore: (req) => req.url === '/health' },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
        }),
        TypeOrmModule.forRoot({ ...postgresOptions(infrastructure.databaseUrl), autoLoadEntities: true }),
        ThrottlerModule.forRootAsync({
          imports: [RateLimitModule],
          inject: [RateLimitHitsRepository],
          useFactory: (hits: RateLimitHitsRepository) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }],
            storage:
              config.rateLimitStore === 'postgres'
                ? new PostgresThrottlerStorage(hits)
                : new HitQueueThrottlerStorage(),
          }),
        }),
        ShutdownTraceModule,
        PersistenceModule,
        OffLoopModule,
        CatalogueModule,
        DependenciesModule,
        AccessModule,
        ChainModule,
        WorkerModule,
        AnchoringModule,
        ContributionsModule,
        NearDuplicatesModule,
        RoyaltiesModule,
        DisputesModule,
        LicensesModule,
        RunsModule,
        AuditModule,
        GovernanceModule,
        HealthModule,
      ],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        // In this order: the caller is known before the rate limit counts it (per account, else per IP).
        { provide: APP_GUARD, useExisting: AccessGuard },
        { provide: APP_GUARD, useClass: AccountThrottlerGuard },
        { provide: APP_GUARD, useClass: ContentTypeGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
      exports: [RUNTIME],
    };
  }
}
