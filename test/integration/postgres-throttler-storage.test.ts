// The rate limit's shared storage on real PostgreSQL: two storages (two API replicas) on one
// database count one caller together, atomically under concurrency; the limit, the block and the
// window's end behave as @nestjs/throttler expects; expired callers are swept.
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresOptions } from '@upstream/database';
import { PostgresThrottlerStorage } from '../../apps/api/src/common/rate-limit/postgres-throttler.storage';
import { RateLimitHitsRepository } from '../../apps/api/src/common/rate-limit/rate-limit-hits.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PostgresThrottlerStorage (real Postgres)', () => {
  let db: TestDatabase;
  const sources: DataSource[] = [];
  let replicas: PostgresThrottlerStorage[];
  let hits: RateLimitHitsRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    for (let i = 0; i < 2; i++) sources.push(await new DataSource(postgresOptions(db.url)).initialize());
    replicas = sources.map((s) => new PostgresThrottlerStorage(new RateLimitHitsRepository(s)));
    hits = new RateLimitHitsRepository(sources[0]);
  });
  afterAll(async () => {
    for (const r of replicas ?? []) r.onApplicationShutdown();
    for (const s of sources) await s.destroy();
    await db?.drop();
  });

  it('counts one caller across two replicas, every concurrent hit once, and blocks past the limit', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => replicas[i % 2].increment('caller-a', 60_000, 25, 60_000, 'default')),
    );
    expect(results.map((r) => r.totalHits).sort((a, b) => a - b)).toEqual([
      ...Array.from({ length: 26 }, (_, i) => i + 1),
      ...Array<number>(14).fill(26),
    ]);
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(25);
    for (const r of results.filter((r) => r.isBlocked)) {
      expect(r.timeToBlockExpire).toBeGreaterThan(55);
      expect(r.timeToBlockExpire).toBeLessThanOrEqual(60);
    }
    // Another caller, and the same caller under another throttler, count on their own.
    expect(await replicas[1].increment('caller-b', 60_000, 25, 60_000, 'default')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
    expect(await replicas[1].increment('caller-a', 60_000, 25, 60_000, 'uploads')).toMatchObject({ totalHits: 1 });
  });

  it('starts a new window when the old one ends, and lets a caller in again when its block runs out', async () => {
    for (let i = 1; i <= 3; i++)
      expect(await replicas[i % 2].increment('window', 300, 3, 0, 'default')).toMatchObject({
        totalHits: i,
        isBlocked: false,
      });
    // Without a block duration, a hit past the limit is refused until the window ends.
    expect(await replicas[0].increment('window', 300, 3, 0, 'default')).toMatchObject({ isBlocked: true });
    await sleep(350);
    expect(await replicas[1].increment('window', 300, 3, 0, 'default')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });

    await replicas[0].increment('block', 60_000, 1, 300, 'default');
    expect(await replicas[1].increment('block', 60_000, 1, 300, 'default')).toMatchObject({ isBlocked: true });
    expect(await replicas[0].increment('block', 60_000, 1, 300, 'default')).toMatchObject({ isBlocked: true });
    await sleep(350);
    expect(await replicas[0].increment('block', 60_000, 1, 300, 'default')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('sweeps callers whose window and block are over, and keeps the others', async () => {
    await replicas[0].increment('short', 100, 5, 0, 'default');
    await replicas[0].increment('blocked', 100, 0, 60_000, 'default');
    await sleep(150);
    await replicas[1].sweep();
    const keys = (await sources[0].query<{ key: string }[]>(`SELECT key FROM rate_limit_hits`)).map((r) => r.key);
    expect(keys).not.toContain('default:short');
    expect(keys).toContain('default:blocked');
    expect(await hits.deleteExpired()).toBe(0);
  });

  it('lets requests through while PostgreSQL fails (fails open), and counts again once it answers', async () => {
    const gone = await new DataSource(postgresOptions(db.url)).initialize();
    await gone.destroy();
    const storage = new PostgresThrottlerStorage(new RateLimitHitsRepository(gone));
    for (let i = 0; i < 3; i++)
      expect(await storage.increment('down', 60_000, 1, 60_000, 'default')).toMatchObject({
        totalHits: 0,
        isBlocked: false,
      });
    storage.onApplicationShutdown();
    expect(await replicas[0].increment('down', 60_000, 1, 60_000, 'default')).toMatchObject({ totalHits: 1 });
  });
});
