import type { EntityManager } from 'typeorm';

/**
 * What the outbox and the indexer need of the database: statements on the pool, and work that commits
 * together in one transaction. A TypeORM DataSource is one; the API hands them its UnitOfWork's `database`.
 */
export interface ChainDatabase {
  query: EntityManager['query'];
  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T>;
}
