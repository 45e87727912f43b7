import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/** Options shared by the API, the worker, migrations and tests. The schema comes from migrations only. */
export function postgresOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    extra: { max: 20, application_name: 'upstream' },
  };
}

/** Applies pending migrations (idempotent; safe to run at every start). */
export async function migrate(url: string): Promise<string[]> {
  const dataSource = new DataSource(postgresOptions(url));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
