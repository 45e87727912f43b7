import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { migrate } from '@upstream/database';
import { withClient } from './pg-client';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the run's PostgreSQL, for one suite. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  await migrate(url);
  return {
    url,
    drop: () =>
      withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
