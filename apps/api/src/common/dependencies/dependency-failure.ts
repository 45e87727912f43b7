// Tells "PostgreSQL or the RPC cannot be reached or is shutting down" apart from a bug, so the
// exception filter answers 503 with Retry-After for the first and 500 with an error id for the second.
import { DomainError } from '../errors/domain-error';
import type { ErrorCode } from '../errors/error-codes';

export type Dependency = 'database' | 'chain' | 'blobStore';

export interface DependencyFailure {
  dependency: Dependency;
  /** Short and safe to show a client: an error code or PostgreSQL's own message, never a host or credential. */
  reason: string;
}

export interface Endpoint {
  host: string;
  port: number;
}

/** Where the database and the RPC live, to attribute a bare socket error (ethers and pg both pass them through raw). */
export interface DependencyEndpoints {
  database?: Endpoint;
  chain?: Endpoint;
}

/** Node socket and DNS errors that mean "could not reach it" (or lost it mid-request). */
const UNREACHABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is going away or not taking sessions: admin_shutdown (57P01),
 * crash_shutdown (57P02), cannot_connect_now (57P03, also a smart shutdown refusing new
 * sessions), idle_session_timeout (57P05), too_many_connections (53300). Class 08 is
 * connection_exception.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57P05', '53300']);

/** Messages node-postgres and pg-pool raise for a lost or refused connection (they carry no code). */
const PG_CONNECTION_MESSAGES: [RegExp, string][] = [
  [/^Connection terminated due to connection timeout/, 'connection timed out'],
  [/^Connection terminated/, 'connection lost'],
  [/^timeout exceeded when trying to connect/, 'no connection free in time (database slow or pool busy)'],
  [/^Client has encountered a connection error and is not queryable/, 'connection lost'],
  [/^Client was closed and is not queryable/, 'connection lost'],
];

/** ethers v6 codes for "the JSON-RPC endpoint did not answer properly" (not reverts or bad arguments). */
const ETHERS_UNAVAILABLE_CODES = new Set(['NETWORK_ERROR', 'TIMEOUT', 'SERVER_ERROR']);

/**
 * The dependency whose unavailability caused `error`, or undefined for anything else (a bug,
 * a constraint violation, a revert). Looks through TypeORM's `driverError`, `cause` chains,
 * ethers' nested `error` and AggregateError's `errors`.
 */
export function dependencyFailure(error: unknown, endpoints: DependencyEndpoints = {}): DependencyFailure | undefined {
  return classify(error, endpoints, undefined, 0);
}

function classify(
  error: unknown,
  endpoints: DependencyEndpoints,
  context: Dependency | undefined,
  depth: number,
): DependencyFailure | undefined {
  if (depth > 6 || typeof error !== 'object' || error === null) return undefined;
  const e = error as Record<string, unknown>;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  // The blob store says so itself (contributions/storage/blob-store.ts).
  if (e.name === 'BlobStoreUnavailableError') return { dependency: 'blobStore', reason: message };

  // A failed query went through TypeORM, so whatever broke underneath it is the database.
  if (e.name === 'QueryFailedError') context = 'database';
  // ethers marks its own errors with a shortMessage.
  const fromEthers = typeof e.shortMessage === 'string';
  if (fromEthers) {
    if (code && ETHERS_UNAVAILABLE_CODES.has(code))
      return { dependency: 'chain', reason: `RPC ${e.shortMessage as string} (${code})` };
    context = 'chain';
  }

  // A PostgreSQL server error: five-character SQLSTATE with a severity.
  if (code && /^[0-9A-Z]{5}$/.test(code) && typeof e.severity === 'string') {
    return code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code)
      ? { dependency: 'database', reason: `${message} (${code})` }
      : undefined;
  }
  if (code && UNREACHABLE_ERRNOS.has(code)) {
    return { dependency: context ?? attribute(e, endpoints), reason: describeErrno(code, message) };
  }
  if (context !== 'chain') {
    for (const [pattern, reason] of PG_CONNECTION_MESSAGES) {
      if (pattern.test(message)) return { dependency: 'database', reason };
    }
  }

  const nested = [e.driverError, e.cause, e.error, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])];
  for (const inner of nested) {
    const found = classify(inner, endpoints, context, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * A bare socket error names the address it tried; match it to the RPC endpoint, else it is the
 * database (the only other socket an API request opens). Node's HTTP client (which ethers uses)
 * says "socket hang up" for a connection dropped mid-request; pg never does.
 */
function attribute(e: Record<string, unknown>, endpoints: DependencyEndpoints): Dependency {
  const chain = endpoints.chain;
  if (chain) {
    const port = typeof e.port === 'number' ? e.port : undefined;
    const host = typeof e.hostname === 'string' ? e.hostname : undefined;
    const onChainPort = port !== undefined && port === chain.port && port !== endpoints.database?.port;
    if (onChainPort || (host !== undefined && host === chain.host && host !== endpoints.database?.host)) return 'chain';
  }
  return e.message === 'socket hang up' ? 'chain' : 'database';
}

function describeErrno(code: string, message: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return message === 'socket hang up' ? 'connection dropped (socket hang up)' : 'connection reset (ECONNRESET)';
    case 'ETIMEDOUT':
      return 'connection timed out (ETIMEDOUT)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host name not resolved (${code})`;
    default:
      return `unreachable (${code})`;
  }
}

/** The endpoint of a `postgres://` or `http(s)://` URL, for `DependencyEndpoints`. */
export function endpointOf(url: string | undefined): Endpoint | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const fallback = parsed.protocol.startsWith('postgres') ? 5432 : parsed.protocol === 'https:' ? 443 : 80;
    return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: parsed.port ? Number(parsed.port) : fallback };
  } catch {
    return undefined;
  }
}

/** How long a client should wait before retrying a 503 (the `Retry-After` header, in seconds). */
export const RETRY_AFTER_SECONDS = 5;

/** The refusal a request gets while a dependency is down, in the one error shape. */
export function dependencyUnavailableError(failure: DependencyFailure): DomainError<ErrorCode> {
  if (failure.dependency === 'blobStore') {
    return new DomainError(
      'BLOB_STORE_UNAVAILABLE',
      `The blob store cannot be reached: ${failure.reason}; retry later`,
      [{ field: 'blobStore', reason: failure.reason }],
    );
  }
  if (failure.dependency === 'database') {
    return new DomainError('DATABASE_UNAVAILABLE', `PostgreSQL cannot be reached: ${failure.reason}; retry later`, [
      { field: 'database', reason: failure.reason },
    ]);
  }
  return new DomainError(
    'CHAIN_UNAVAILABLE',
    `The chain's JSON-RPC endpoint cannot be reached: ${failure.reason}; retry later`,
    [{ field: 'chain', reason: failure.reason }],
  );
}
