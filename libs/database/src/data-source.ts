import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/**
 * How long the pool waits for a session (a new connection, or a free one when all are busy)
 * before failing: with PostgreSQL down a request fails fast (a 503) instead of hanging.
 */
export const POOL_CONNECTION_TIMEOUT_MS = 2_000;

/** Options shared by the API, the worker, migrations and tests. The schema comes from migrations only. */
export function postgresOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    extra: {
      max: 20,
      application_name: 'upstream',
      connectionTimeoutMillis: POOL_CONNECTION_TIMEOUT_MS,
      // Idle sessions are closed after 10 s, so a smart shutdown is not held up for long by this pool.
      idleTimeoutMillis: 10_000,
      // TCP keepalives notice a peer that vanished without closing the connection.
      keepAlive: true,
    },
  };
}

/** The session advisory lock that one process at a time holds while it migrates. */
export const MIGRATION_LOCK = 'upstream:migrations';

/**
 * Applies pending migrations (idempotent; safe to run at every start). Replicas and workers of a new
 * version often start together: TypeORM takes no lock of its own, so the first holds a session
 * advisory lock while it migrates and the others wait for it, then find nothing left to apply.
 */
export async function migrate(url: string): Promise<string[]> {
  const dataSource = new DataSource(postgresOptions(url));
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext($1))`, [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.release();
    // Closing the pool ends the lock's session, which releases the lock (also after a failed migration).
    await dataSource.destroy();
  }
}
