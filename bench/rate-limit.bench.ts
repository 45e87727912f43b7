// What counting a request against the rate limit costs: the in-memory store (one process) against
// the PostgreSQL store that API replicas share (RATE_LIMIT_STORE=postgres), one hit at a time and
// 16 in flight, with a `SELECT 1` on the same pool as the baseline measured in the same run: the
// shared store's cost is about one round trip to PostgreSQL.
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EmbeddedPostgres, migrate, postgresOptions } from '@upstream/database';
import { HitQueueThrottlerStorage } from '../apps/api/src/common/hit-queue-throttler.storage';
import { PostgresThrottlerStorage } from '../apps/api/src/common/rate-limit/postgres-throttler.storage';
import { RateLimitHitsRepository } from '../apps/api/src/common/rate-limit/rate-limit-hits.repository';
import { freePort } from '../test/support/ports';
import { writeBenchResult } from './support/results';

const HITS = Number(process.env.BENCH_RATE_LIMIT_HITS ?? 20_000);
const CALLERS = 1_000;
const IN_FLIGHT = 16;
const log = (message: string) => process.stderr.write(`[bench:rate-limit] ${message}\n`);

/** Microseconds per operation, `HITS` operations with `inFlight` at a time (callers round-robin). */
async function timed(inFlight: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < HITS) await op(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1_000 / HITS;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'upstream-bench-rate-limit-'));
  const pg = await EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: await freePort() });
  try {
    const admin = new Client({ connectionString: pg.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE upstream');
    await admin.end();
    await migrate(pg.url('upstream'));
    const source = await new DataSource(postgresOptions(pg.url('upstream'))).initialize();
    const memory = new HitQueueThrottlerStorage();
    const shared = new PostgresThrottlerStorage(new RateLimitHitsRepository(source));
    const hit = (storage: HitQueueThrottlerStorage | PostgresThrottlerStorage) => (i: number) =>
      storage.increment(`caller-${i % CALLERS}`, 60_000, 1_000_000, 60_000, 'default');
    const select1 = () => source.query('SELECT 1');

    const result: Record<string, unknown> = {};
    for (const inFlight of [1, IN_FLIGHT]) {
      await timed(inFlight, select1); // warm the pool and the plans
      await timed(inFlight, hit(shared));
      const baseline = await timed(inFlight, select1);
      const postgres = await timed(inFlight, hit(shared));
      const inMemory = await timed(inFlight, hit(memory));
      log(
        `${inFlight} in flight: SELECT 1 ${baseline.toFixed(1)} µs, postgres ${postgres.toFixed(1)} µs, memory ${inMemory.toFixed(2)} µs`,
      );
      result[inFlight === 1 ? 'sequential' : `inFlight${inFlight}`] = {
        postgresMicrosPerHit: Number(postgres.toFixed(1)),
        select1MicrosPerQuery: Number(baseline.toFixed(1)),
        ratioToSelect1: Number((postgres / baseline).toFixed(2)),
        memoryMicrosPerHit: Number(inMemory.toFixed(2)),
      };
    }
    memory.onApplicationShutdown();
    shared.onApplicationShutdown();
    await source.destroy();
    writeBenchResult('rate-limit', {
      hits: HITS,
      callers: CALLERS,
      ...result,
      machine: { cpus: cpus().length, loadavg: loadavg().map((l) => Number(l.toFixed(2))) },
    });
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
