import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RateLimitHitRow, RateLimitHitsRepository } from './rate-limit-hits.repository';

type IncrementResult = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Throttler storage shared by every API replica on one database (RATE_LIMIT_STORE=postgres): one
 * atomic upsert per request in an UNLOGGED table. A fixed window per caller, as the Redis stores of
 * @nestjs/throttler count (the in-memory store slides its window): across a window's edge a caller
 * can get up to twice the limit in a short burst, never more. Costs one round trip to PostgreSQL per
 * request (`npm run bench:rate-limit`). While PostgreSQL fails it lets requests through (fails open).
 */
export class PostgresThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly hits: RateLimitHitsRepository) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<IncrementResult> {
    this.sweeper ??= setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
    let row: RateLimitHitRow;
    try {
      row = await this.hits.countHit(`${throttlerName}:${key}`, ttl, limit, Math.max(blockDuration, 0));
    } catch (error) {
      // Fail open: without PostgreSQL the routes that need it answer 503 themselves, and the ones that
      // do not (/health, /chain) keep answering rather than turning into 500s.
      this.warnOnce(error as Error);
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    }
    const timeToExpire = Math.max(0, Math.ceil(row.window_ms / 1000));
    const isBlocked = row.block_ms !== null ? row.block_ms > 0 : row.hits > limit;
    return {
      totalHits: row.hits,
      timeToExpire,
      isBlocked,
      timeToBlockExpire: !isBlocked ? 0 : row.block_ms !== null ? Math.ceil(row.block_ms / 1000) : timeToExpire,
    };
  }

  private lastWarning = 0;

  private warnOnce(error: Error): void {
    if (Date.now() - this.lastWarning < SWEEP_INTERVAL_MS) return;
    this.lastWarning = Date.now();
    this.logger.warn(`the rate limit is not counted while PostgreSQL fails: ${error.message}`);
  }

  /** Forgets callers whose window and block are over (any replica may; they race harmlessly). */
  async sweep(): Promise<void> {
    await this.hits.deleteExpired().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
