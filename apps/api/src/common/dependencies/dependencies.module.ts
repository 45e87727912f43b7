import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DatabaseAvailability } from './database-availability';
import { DatabaseAvailableGuard } from './database-available.guard';

/** Knows whether PostgreSQL takes new sessions; refuses requests with 503 while it does not. */
@Global()
@Module({
  providers: [DatabaseAvailability, { provide: APP_GUARD, useClass: DatabaseAvailableGuard }],
  exports: [DatabaseAvailability],
})
export class DependenciesModule {}
