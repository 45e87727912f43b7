import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SqlRepository } from '../persistence/unit-of-work';

export interface RateLimitHitRow {
  hits: number;
  /** Milliseconds left in the window (negative never: a window that ended was just started anew). */
  window_ms: number;
  /** Milliseconds left of the block; null when the caller is not blocked. */
  block_ms: number | null;
}

/**
 * One statement counts a hit and answers the caller's state, so replicas racing on one key serialise
 * on its row: a window that has ended, or a block that has run out, starts again at one hit; a
 * blocked caller's hits are not counted; the hit past `limit` starts a block of `blockMs` (none when 0).
 * Times are clock_timestamp(), not now(): a hit that waited for the row's lock must not measure from
 * before the hit it waited for.
 */
const COUNT_HIT = `
  INSERT INTO rate_limit_hits AS h (key, hits, window_ends_at, blocked_until)
  VALUES ($1, 1, clock_timestamp() + $2::float8 * interval '1 millisecond',
          CASE WHEN 1 > $3::int AND $4::float8 > 0 THEN clock_timestamp() + $4::float8 * interval '1 millisecond' END)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN h.blocked_until > clock_timestamp() THEN h.hits
                WHEN h.window_ends_at <= clock_timestamp() OR h.blocked_until IS NOT NULL THEN 1
                ELSE h.hits + 1 END,
    window_ends_at = CASE WHEN h.blocked_until > clock_timestamp() THEN h.window_ends_at
                          WHEN h.window_ends_at <= clock_timestamp() OR h.blocked_until IS NOT NULL THEN excluded.window_ends_at
                          ELSE h.window_ends_at END,
    blocked_until = CASE WHEN h.blocked_until > clock_timestamp() THEN h.blocked_until
                         WHEN $4::float8 > 0
                              AND (CASE WHEN h.window_ends_at <= clock_timestamp() OR h.blocked_until IS NOT NULL THEN 1
                                        ELSE h.hits + 1 END) > $3::int
                           THEN clock_timestamp() + $4::float8 * interval '1 millisecond' END
  RETURNING hits,
            (extract(epoch FROM window_ends_at - clock_timestamp()) * 1000)::float8 AS window_ms,
            (extract(epoch FROM blocked_until - clock_timestamp()) * 1000)::float8 AS block_ms`;

/** The rate limit's shared counters (`rate_limit_hits`), for API replicas on one database. */
@Injectable()
export class RateLimitHitsRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  async countHit(key: string, ttlMs: number, limit: number, blockMs: number): Promise<RateLimitHitRow> {
    const [row] = await this.db.query<RateLimitHitRow[]>(COUNT_HIT, [key, ttlMs, limit, blockMs]);
    return row;
  }

  /** Drops the rows of callers whose window and block are both over; answers how many went. */
  async deleteExpired(): Promise<number> {
    const [, deleted] = await this.db.query<[unknown[], number]>(
      `DELETE FROM rate_limit_hits WHERE window_ends_at < clock_timestamp() AND (blocked_until IS NULL OR blocked_until < clock_timestamp())`,
    );
    return deleted;
  }
}
