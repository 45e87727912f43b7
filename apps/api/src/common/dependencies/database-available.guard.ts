import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DatabaseAvailability } from './database-availability';
import { dependencyUnavailableError } from './dependency-failure';

const CHECKS_DATABASE_ITSELF = 'upstream:checks-database-itself';

/** For routes that report on the database themselves (/health): the guard lets them through. */
export const ChecksDatabaseItself = () => SetMetadata(CHECKS_DATABASE_ITSELF, true);

/**
 * Refuses requests with 503 DATABASE_UNAVAILABLE while the last probe found PostgreSQL refusing
 * new sessions. Without it, a smart shutdown goes unnoticed by requests that get one of the
 * pool's surviving sessions, and those sessions keep the postmaster from finishing.
 */
@Injectable()
export class DatabaseAvailableGuard implements CanActivate {
  constructor(
    private readonly database: DatabaseAvailability,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(CHECKS_DATABASE_ITSELF, [context.getHandler(), context.getClass()]))
      return true;
    const down = this.database.knownDown();
    if (down) throw dependencyUnavailableError({ dependency: 'database', reason: down.reason });
    return true;
  }
}
