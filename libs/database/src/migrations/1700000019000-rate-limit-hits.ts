import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rate limit's counters when API replicas share them (RATE_LIMIT_STORE=postgres): one row per
 * throttler and caller, a hit count in a fixed window and a block after the limit. UNLOGGED: counters
 * are worth no WAL, and after a PostgreSQL crash they start again from zero, which only forgives
 * callers. No index but the key's, so the per-request update stays a HOT update.
 */
export class RateLimitHits1700000019000 implements MigrationInterface {
  name = 'RateLimitHits1700000019000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_hits (
        key             text PRIMARY KEY,
        hits            integer NOT NULL CHECK (hits >= 0),
        window_ends_at  timestamptz NOT NULL,
        blocked_until   timestamptz
      ) WITH (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_hits`);
  }
}
