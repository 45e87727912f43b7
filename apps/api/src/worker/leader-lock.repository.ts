import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { UnitOfWork } from '../common/persistence/unit-of-work';

/**
 * Whether this session holds the leader lock. A bigint advisory lock shows in pg_locks as classid
 * (its high 32 bits) and objid (its low 32 bits), both unsigned oids, with objsubid 1; hashtext's
 * int4 is sign-extended to bigint, and the shift wraps, so the pair reassembles to the same key.
 * It asks pg_locks rather than taking the lock again: a second pg_try_advisory_lock would succeed
 * on this session and stack the lock count. pg_backend_pid() also catches a pooler handing this
 * query to another backend than the one that took the lock.
 */
const HOLDS_LEADER_LOCK = `SELECT EXISTS (
  SELECT 1 FROM pg_locks
  WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND objsubid = 1
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND ((classid::bigint << 32) | objid::bigint) = hashtext($1)::bigint
) AS held`;

/** One database session that asks for, holds and checks the leader lock; the lock lives as long as the session. */
export class LeaderLockSession {
  constructor(private readonly runner: QueryRunner) {}

  /** TypeORM releases a session whose connection errored (terminated, cut, server restarted). */
  get isReleased(): boolean {
    return this.runner.isReleased;
  }

  /** Connects if needed and takes the lock without waiting; false when another session holds it. */
  async tryLock(key: string): Promise<boolean> {
    await this.runner.connect();
    const [{ locked }] = (await this.runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [key])) as {
      locked: boolean;
    }[];
    return locked;
  }

  async holds(key: string): Promise<boolean> {
    const [{ held }] = (await this.runner.query(HOLDS_LEADER_LOCK, [key])) as { held: boolean }[];
    return held;
  }

  /** Gives the session back without the lock: unlocks if it still can (a dead session holds nothing), then releases it. */
  async end(): Promise<void> {
    try {
      if (!this.runner.isReleased) await this.runner.query(`SELECT pg_advisory_unlock_all()`);
    } catch {
      // The session is gone, and the server dropped its locks with it.
    }
    await this.runner.release().catch(() => undefined);
  }
}

/** The worker's leader lock: a session-level advisory lock, so each session comes from here, not from the pool's queries. */
@Injectable()
export class LeaderLockRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /** A new session, not yet connected (it connects on its first tryLock). */
  openSession(): LeaderLockSession {
    return new LeaderLockSession(this.uow.session());
  }
}
