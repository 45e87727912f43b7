import { randomUUID } from 'node:crypto';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  Optional,
} from '@nestjs/common';
import type { Response } from 'express';
import { RUNTIME, type Runtime } from '../../runtime/runtime';
import { DatabaseAvailability } from '../dependencies/database-availability';
import {
  dependencyFailure,
  dependencyUnavailableError,
  endpointOf,
  RETRY_AFTER_SECONDS,
  type DependencyEndpoints,
} from '../dependencies/dependency-failure';
import { isDomainError, type DomainError, type ErrorDetail } from './domain-error';
import { httpStatusFor } from './error-codes';

/** The one error shape every endpoint returns. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: ErrorDetail[];
  errorId?: string;
  [meta: string]: unknown;
}

/** A domain error in the one error shape (also for handlers that answer outside Nest, e.g. @tus/server's hooks). */
export function domainErrorBody(error: DomainError): ErrorBody {
  const statusCode = httpStatusFor(error.code);
  return { ...error.meta, statusCode, error: error.code, message: error.message, details: error.details };
}

/** A 500 in the one error shape: never the internal message, only an id that is also in the log. */
export function internalErrorBody(errorId: string): ErrorBody {
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: 'INTERNAL_ERROR',
    message: `Internal error; quote error id ${errorId} when reporting it`,
    details: [],
    errorId,
  };
}

/**
 * Renders domain errors, Nest's HTTP exceptions and anything unexpected as
 * `{ statusCode, error, message, details[] }`. PostgreSQL or the RPC being
 * unreachable or shutting down is a 503 (DATABASE_UNAVAILABLE, CHAIN_UNAVAILABLE)
 * with Retry-After; anything else unexpected is a 500 with an error id that is
 * also in the log, and never the internal message.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private readonly endpoints: DependencyEndpoints;

  constructor(
    @Optional() @Inject(RUNTIME) runtime?: Runtime,
    @Optional() private readonly database?: DatabaseAvailability,
  ) {
    this.endpoints = {
      database: endpointOf(runtime?.infrastructure.databaseUrl),
      chain: endpointOf(runtime?.infrastructure.rpcUrl),
    };
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (isHealthReport(exception)) {
      // Terminus's own body is the documented health format: keep it.
      response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const body = this.toBody(exception);
    // An error is about this request only: never stored (a byte route may have set a cacheable policy first).
    response.setHeader('Cache-Control', 'no-store');
    if (body.statusCode === Number(HttpStatus.SERVICE_UNAVAILABLE))
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    // A route's own @Header('content-type', …) is already set when it fails; the error is JSON all the same.
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (isDomainError(exception)) return domainErrorBody(exception);
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const payload = exception.getResponse();
      const fromPayload = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
      const message =
        typeof payload === 'string'
          ? payload
          : Array.isArray(fromPayload.message)
            ? fromPayload.message.join('; ')
            : typeof fromPayload.message === 'string'
              ? fromPayload.message
              : exception.message;
      const given = Array.isArray(fromPayload.details) ? (fromPayload.details as ErrorDetail[]) : [];
      // Nest's own refusals carry no details (a path no route answers, a path segment the router cannot
      // percent-decode): name the part at fault all the same.
      const inPath = statusCode === Number(HttpStatus.NOT_FOUND) || message.startsWith('Failed to decode param');
      const details =
        given.length > 0 || statusCode >= 500 ? given : [{ field: inPath ? 'path' : 'request', reason: message }];
      const error =
        typeof fromPayload.error === 'string' && /^[A-Z][A-Z0-9_]+$/.test(fromPayload.error)
          ? fromPayload.error
          : errorName(statusCode);
      return { statusCode, error, message, details };
    }
    const failure = dependencyFailure(exception, this.endpoints);
    if (failure) {
      this.logger.warn(
        { err: exception, dependency: failure.dependency },
        `${failure.dependency} unavailable: ${failure.reason}`,
      );
      if (failure.dependency === 'database') this.database?.recheck();
      return domainErrorBody(dependencyUnavailableError(failure));
    }
    const errorId = randomUUID();
    this.logger.error({ err: exception, errorId }, 'unhandled error');
    return internalErrorBody(errorId);
  }
}

function isHealthReport(exception: unknown): exception is HttpException {
  if (!(exception instanceof HttpException)) return false;
  const payload = exception.getResponse();
  return (
    typeof payload === 'object' && payload !== null && 'info' in payload && 'details' in payload && 'status' in payload
  );
}

function errorName(status: number): string {
  return HttpStatus[status] ?? 'ERROR';
}
