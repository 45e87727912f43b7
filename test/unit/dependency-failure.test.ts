import { createServer, type Server } from 'node:http';
import type { ArgumentsHost } from '@nestjs/common';
import { FetchRequest, JsonRpcProvider, makeError } from 'ethers';
import { Client, DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { dependencyFailure, endpointOf } from '../../apps/api/src/common/dependencies/dependency-failure';
import { ApiExceptionFilter } from '../../apps/api/src/common/errors/api-exception.filter';
import type { Runtime } from '../../apps/api/src/runtime/runtime';
import { BlobStoreUnavailableError } from '../../apps/api/src/contributions/storage/blob-store';
import { makeS3Client, s3Failure, S3Objects } from '../../apps/api/src/contributions/storage/s3/s3-objects';
import { freePort } from '../support/ports';

function pgError(code: string, message: string): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  error.severity = 'FATAL';
  return error;
}

async function refusedByPostgres(port: number): Promise<unknown> {
  const client = new Client({
    connectionString: `postgres://u:p@127.0.0.1:${port}/db`,
    connectionTimeoutMillis: 1_000,
  });
  return client.connect().then(
    () => new Error('connected to a closed port'),
    (error: unknown) => error,
  );
}

async function refusedByRpc(port: number): Promise<unknown> {
  const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, 31337, { staticNetwork: true, cacheTimeout: -1 });
  try {
    await provider.getBlockNumber();
    return new Error('an RPC answered on a closed port');
  } catch (error) {
    return error;
  } finally {
    provider.destroy();
  }
}

/** What ethers throws when an RPC endpoint on 127.0.0.1 is served by `handler` (and gives up after 300 ms). */
async function rpcFailure(handler: Parameters<typeof createServer>[1]): Promise<unknown> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const request = new FetchRequest(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
  request.timeout = 300;
  const provider = new JsonRpcProvider(request, 31337, { staticNetwork: true, cacheTimeout: -1 });
  try {
    await provider.getBlockNumber();
    return new Error('the RPC answered');
  } catch (error) {
    return error;
  } finally {
    provider.destroy();
    server.closeAllConnections();
    server.close();
  }
}

/** The filter's answer to `exception`: status, headers and body as the client sees them. */
function render(filter: ApiExceptionFilter, exception: unknown) {
  const sent = { status: 0, headers: {} as Record<string, string>, body: {} as Record<string, unknown> };
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name.toLowerCase()] = value),
    status: (status: number) => ((sent.status = status), response),
    json: (body: Record<string, unknown>) => (sent.body = body),
  };
  filter.catch(exception, { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost);
  return sent;
}

describe('dependency failures: unreachable or shutting down is a 503, a bug stays a 500', () => {
  it('attributes a refused connection to the database or the RPC by the endpoint it tried', async () => {
    const [dbPort, rpcPort] = [await freePort(), await freePort()];
    const endpoints = { database: { host: '127.0.0.1', port: dbPort }, chain: { host: '127.0.0.1', port: rpcPort } };
    expect(dependencyFailure(await refusedByPostgres(dbPort), endpoints)).toEqual({
      dependency: 'database',
      reason: 'connection refused (ECONNREFUSED)',
    });
    expect(dependencyFailure(await refusedByRpc(rpcPort), endpoints)).toEqual({
      dependency: 'chain',
      reason: 'connection refused (ECONNREFUSED)',
    });
  });

  it('knows PostgreSQL shutting down or refusing sessions, also inside TypeORM errors', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '53300']) {
      expect(dependencyFailure(pgError(code, 'the database system is shutting down'))).toMatchObject({
        dependency: 'database',
      });
    }
    const wrapped = new QueryFailedError(
      'SELECT 1',
      [],
      pgError('57P01', 'terminating connection due to administrator command'),
    );
    expect(dependencyFailure(wrapped)).toEqual({
      dependency: 'database',
      reason: 'terminating connection due to administrator command (57P01)',
    });
    expect(dependencyFailure(new Error('timeout exceeded when trying to connect'))).toMatchObject({
      dependency: 'database',
    });
    expect(dependencyFailure(new Error('Connection terminated unexpectedly'))).toEqual({
      dependency: 'database',
      reason: 'connection lost',
    });
  });

  it('knows an RPC that times out or answers with a server error', async () => {
    const silent = await rpcFailure(() => undefined);
    expect(dependencyFailure(silent)).toMatchObject({
      dependency: 'chain',
      reason: expect.stringContaining('TIMEOUT'),
    });
    const broken = await rpcFailure((_req, res) => res.writeHead(502).end('bad gateway'));
    expect(dependencyFailure(broken)).toMatchObject({
      dependency: 'chain',
      reason: expect.stringContaining('SERVER_ERROR'),
    });
  });

  it('leaves everything else alone: constraint violations, reverts, bugs', () => {
    expect(
      dependencyFailure(new QueryFailedError('INSERT', [], pgError('23505', 'duplicate key value'))),
    ).toBeUndefined();
    const revert = makeError('execution reverted', 'CALL_EXCEPTION', {
      action: 'call',
      data: '0x',
      reason: null,
      transaction: { to: null, data: '0x' },
      invocation: null,
      revert: null,
    });
    expect(dependencyFailure(revert)).toBeUndefined();
    expect(dependencyFailure(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBeUndefined();
    expect(dependencyFailure('a string')).toBeUndefined();
  });

  it('renders 503 DATABASE_UNAVAILABLE / CHAIN_UNAVAILABLE with Retry-After, and a bug as 500 with an error id', async () => {
    const [dbPort, rpcPort] = [await freePort(), await freePort()];
    const runtime = {
      infrastructure: { databaseUrl: `postgres://u:p@127.0.0.1:${dbPort}/db`, rpcUrl: `http://127.0.0.1:${rpcPort}` },
    } as unknown as Runtime;
    const filter = new ApiExceptionFilter(runtime);

    const database = render(filter, await refusedByPostgres(dbPort));
    expect(database.status).toBe(503);
    expect(database.headers['retry-after']).toMatch(/^\d+$/);
    expect(database.body).toEqual({
      statusCode: 503,
      error: 'DATABASE_UNAVAILABLE',
      message: 'PostgreSQL cannot be reached: connection refused (ECONNREFUSED); retry later',
      details: [{ field: 'database', reason: 'connection refused (ECONNREFUSED)' }],
    });

    const chain = render(filter, await refusedByRpc(rpcPort));
    expect(chain.status).toBe(503);
    expect(chain.headers['retry-after']).toMatch(/^\d+$/);
    expect(chain.body).toMatchObject({
      statusCode: 503,
      error: 'CHAIN_UNAVAILABLE',
      details: [{ field: 'chain', reason: 'connection refused (ECONNREFUSED)' }],
    });

    const bug = render(filter, new TypeError('x is not a function'));
    expect(bug.status).toBe(500);
    expect(bug.headers['retry-after']).toBeUndefined();
    expect(bug.body).toMatchObject({ statusCode: 500, error: 'INTERNAL_ERROR', details: [] });
    expect(bug.body.errorId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('knows an object store that cannot be reached or fails on its side, from the SDK itself', async () => {
    const port = await freePort(); // nothing listens there
    const client = makeS3Client(
      { bucket: 'bucket', prefix: '', endpoint: `http://127.0.0.1:${port}` },
      {
        accessKeyId: 'k',
        secretAccessKey: 's',
      },
    );
    const error = await new S3Objects(client, { bucket: 'bucket', prefix: '' })
      .size('blobs/x')
      .catch((e: unknown) => e);
    client.destroy();
    expect(error).toBeInstanceOf(BlobStoreUnavailableError);
    expect(dependencyFailure(error)).toMatchObject({ dependency: 'blobStore' });
    expect(
      s3Failure(Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } })),
    ).toBeInstanceOf(BlobStoreUnavailableError);
    // Refused credentials or a missing bucket are not an outage: they stay what they are (a 500 that says so in the log).
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    expect(s3Failure(denied)).toBe(denied);
    expect(dependencyFailure(denied)).toBeUndefined();
  });

  it('reads endpoints from database and RPC URLs', () => {
    expect(endpointOf('postgres://u:p@db.internal/upstream')).toEqual({ host: 'db.internal', port: 5432 });
    expect(endpointOf('https://rpc.example.org/v1')).toEqual({ host: 'rpc.example.org', port: 443 });
    expect(endpointOf('http://[::1]:8545')).toEqual({ host: '::1', port: 8545 });
    expect(endpointOf(undefined)).toBeUndefined();
  });
});
