import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { MIGRATIONS, migrate } from '@upstream/database';
import { withClient } from '../support/pg-client';

// Replicas and workers of a new version start together against one database: their migrations must
// not race (TypeORM takes no lock of its own; two runners would both create the same tables).
describe('migrations started by several processes at once (real Postgres)', () => {
  const adminUrl = inject('postgresAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);

  beforeAll(() => withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`)));
  afterAll(() => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));

  it('apply every migration exactly once: one runner applies them, the others wait and find none left', async () => {
    const runs = await Promise.all([migrate(url), migrate(url), migrate(url)]);

    const applied = runs.flat();
    expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
    expect(runs.filter((r) => r.length > 0)).toHaveLength(1);
    const rows = await withClient(url, (c) => c.query<{ n: string }>(`SELECT count(*) AS n FROM schema_migrations`));
    expect(Number(rows.rows[0].n)).toBe(MIGRATIONS.length);
  });

  it('leave the lock free afterwards', async () => {
    const held = await withClient(url, (c) =>
      c.query<{ free: boolean }>(`SELECT pg_try_advisory_lock(hashtext('upstream:migrations')) AS free`),
    );
    expect(held.rows[0].free).toBe(true);
  });
});
