import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { EmbeddedPostgres } from '@upstream/database';
import { freePort } from './ports';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the throwaway PostgreSQL started for this test run. */
    postgresAdminUrl: string;
  }
}

/** One real PostgreSQL for the whole run (throwaway dir, free port, fsync off); suites get their own databases. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'upstream-test-pg-'));
  const pg = await EmbeddedPostgres.start({ dataDir: join(dir, 'pgdata'), port: await freePort(), fsync: false });
  project.provide('postgresAdminUrl', pg.url('postgres'));
  return async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
