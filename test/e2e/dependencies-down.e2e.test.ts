import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgres, migrate } from '@upstream/database';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { createApp } from '../../apps/api/src/create-app';
import { toChainDeployment } from '../../apps/api/src/runtime/infrastructure';
import { startTestChain, type TestChain } from '../support/chain';
import { freePort } from '../support/ports';

interface Observed {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies of several shapes, read by key
  body: Record<string, any>;
  retryAfter: string | undefined;
  elapsedMs: number;
}

/** Asks `path` every 50 ms until it answers `status`; how long that took since `since`. */
async function until(
  http: TestAgent,
  path: string,
  status: number,
  since: number,
  limitMs = 10_000,
): Promise<Observed> {
  for (;;) {
    const res = await http.get(path);
    if (res.status === status)
      return { status, body: res.body, retryAfter: res.headers['retry-after'], elapsedMs: Date.now() - since };
    if (Date.now() - since > limitMs)
      throw new Error(`${path} still answers ${res.status} after ${limitMs} ms: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dependencies down: routes answer 503 with Retry-After, /health says down within a second', () => {
  let dir: string;
  let port: number;
  let pg: EmbeddedPostgres;
  let chain: TestChain;
  let chainStopped = false;
  let app: NestExpressApplication;
  let http: TestAgent;

  const startPostgres = async () => {
    pg = await EmbeddedPostgres.start({ dataDir: join(dir, 'pgdata'), port, fsync: false });
  };
  /** Several requests at once, so the pool holds several idle sessions (the ones a smart shutdown lets live). */
  const warmPool = async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => http.get('/datasets')));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upstream-deps-down-'));
    port = await freePort();
    await startPostgres();
    await migrate(pg.url('postgres'));
    chain = await startTestChain();
    app = await createApp({
      config: loadConfig({ LOG_LEVEL: 'fatal', WORKER_MODE: 'off' }),
      infrastructure: {
        databaseUrl: pg.url('postgres'),
        rpcUrl: chain.rpcUrl,
        operatorPrivateKey: chain.privateKey(0),
        deployment: toChainDeployment(chain.deployment),
        childPids: [],
      },
    });
    await app.listen(0, '127.0.0.1');
    http = request(app.getHttpServer());
  });
  afterAll(async () => {
    await app?.close();
    if (!chainStopped) await chain?.stop();
    await pg?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses data routes and reports the database down during a smart shutdown, although pooled sessions still work', async () => {
    await warmPool();
    await http.get('/health').expect(200);

    // A smart shutdown (SIGTERM to the postmaster, as `pg_ctl stop -m smart`): sessions live on, new ones get 57P03.
    const pid = await pg.serverPid();
    const since = Date.now();
    process.kill(pid!, 'SIGTERM');

    const route = await until(http, '/datasets', 503, since);
    expect(route.elapsedMs).toBeLessThan(2_000);
    expect(route.retryAfter).toMatch(/^\d+$/);
    expect(route.body).toMatchObject({
      statusCode: 503,
      error: 'DATABASE_UNAVAILABLE',
      details: [{ field: 'database' }],
    });
    expect(route.body.details[0].reason).toMatch(/57P03/);
    expect(route.body.errorId).toBeUndefined();

    const health = await until(http, '/health', 503, Date.now());
    expect(health.elapsedMs).toBeLessThan(1_000);
    expect(health.body.status).toBe('error');
    expect(health.body.error.database).toMatchObject({ status: 'down' });
    expect(health.body.error.database.message).toMatch(/shutting down|57P03/);
    expect(health.body.info.chain.status).toBe('up');
  });

  it('answers again once PostgreSQL is back', async () => {
    await pg.stop(); // ends the smart shutdown (and the pool's surviving sessions)
    await startPostgres();
    const since = Date.now();
    await until(http, '/datasets', 200, since, 5_000);
    await until(http, '/health', 200, since, 5_000);
  });

  it('refuses data routes and reports the database down within a second of a fast shutdown', async () => {
    await warmPool();
    await pg.stop(); // pg_ctl stop -m fast: sessions are terminated (57P01), new connections refused

    // The first request meets the refused connection itself (no probe has run since).
    const t0 = Date.now();
    const route = await http.get('/datasets');
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(route.status).toBe(503);
    expect(route.headers['retry-after']).toMatch(/^\d+$/);
    expect(route.body).toMatchObject({
      statusCode: 503,
      error: 'DATABASE_UNAVAILABLE',
      details: [{ field: 'database' }],
    });

    const health = await until(http, '/health', 503, Date.now());
    expect(health.elapsedMs).toBeLessThan(1_000);
    expect(health.body.error.database.status).toBe('down');

    await startPostgres();
    const back = Date.now();
    await until(http, '/datasets', 200, back, 5_000);
    await until(http, '/health', 200, back, 5_000);
  });

  it('reports the chain down within a second of the RPC endpoint stopping', async () => {
    const since = Date.now();
    await chain.stop();
    chainStopped = true;
    const health = await until(http, '/health', 503, since);
    expect(health.elapsedMs).toBeLessThan(1_000);
    expect(health.body.info.database.status).toBe('up');
    expect(health.body.error.chain.status).toBe('down');
    // Routes that need only the database keep working.
    await http.get('/datasets').expect(200);
  });
});
