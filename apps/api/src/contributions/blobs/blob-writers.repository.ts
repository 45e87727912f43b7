import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { UnitOfWork } from '../../common/persistence/unit-of-work';
import type { BlobWriters } from '../storage/blob-writers';

/** A database session that can run a query and be given back. */
export interface LockSession {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
  release(): Promise<void>;
}

/**
 * The writers of one shared blob store (an S3 bucket and prefix), as a session-level PostgreSQL
 * advisory lock on `key`: every writer holds it shared for as long as it runs; a writer that can
 * take it exclusively is alone, sweeps what crashed writers left, then downgrades to shared (it
 * takes the shared lock before letting the exclusive one go, so nobody joins in between). The
 * server drops a session's locks when the session or its process dies.
 */
export class AdvisoryBlobWriters implements BlobWriters {
  private session: LockSession | undefined;

  constructor(
    private readonly open: () => Promise<LockSession>,
    private readonly key: string,
  ) {}

  async join(whileAlone: () => Promise<void>): Promise<boolean> {
    await this.leave();
    const session = await this.open();
    this.session = session;
    const [{ locked }] = (await session.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [this.key])) as {
      locked: boolean;
    }[];
    if (!locked) {
      await session.query(`SELECT pg_advisory_lock_shared(hashtext($1))`, [this.key]);
      return false;
    }
    try {
      await whileAlone();
    } finally {
      await session.query(`SELECT pg_advisory_lock_shared(hashtext($1))`, [this.key]);
      await session.query(`SELECT pg_advisory_unlock(hashtext($1))`, [this.key]);
    }
    return true;
  }

  async leave(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    await session.query(`SELECT pg_advisory_unlock_all()`).catch(() => undefined);
    await session.release().catch(() => undefined);
  }
}

/** Makes the writers' lock of a shared blob store on the service's PostgreSQL, one session of its own. */
@Injectable()
export class BlobWritersRepository {
  constructor(private readonly uow: UnitOfWork) {}

  writersOf(storeName: string): BlobWriters {
    return new AdvisoryBlobWriters(async () => {
      const runner: QueryRunner = this.uow.session();
      await runner.connect();
      return runner;
    }, `upstream:blob-writers:${storeName}`);
  }
}
