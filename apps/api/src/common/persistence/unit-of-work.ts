import { Global, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** An open database transaction, handed to repositories by `UnitOfWork.run` or by an indexer handler. */
export type Tx = EntityManager;

/** What a repository runs its SQL on: the pool, or one transaction. */
export type Queryable = Pick<EntityManager, 'query'>;

/** The pool and its transactions, for a lib that keeps its own SQL (`@upstream/chain`'s outbox and indexer). */
export interface Database extends Queryable {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/**
 * Base of every repository: the only place SQL lives. Methods run on the pool; `in(tx)` gives the
 * same repository bound to a transaction, so work that must commit together shares it.
 */
export abstract class SqlRepository {
  protected constructor(protected readonly db: Queryable) {}

  /** This repository, its queries running inside `tx`. */
  in(tx: Tx): this {
    return Object.assign(Object.create(this) as this, { db: tx });
  }
}

/** The one way services open a transaction: `uow.run((tx) => { repo.in(tx)… })`; services never hold the DataSource. */
@Injectable()
export class UnitOfWork {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * The pool's statements and `run`'s transactions, for a lib that keeps its own SQL and transactions
   * (the chain outbox and indexer, built once by ChainSyncService); services use repositories and `run`.
   */
  get database(): Database {
    const { manager } = this.dataSource;
    return { query: manager.query.bind(manager), transaction: (work) => this.run(work) };
  }

  /**
   * A connection of its own, not yet connected, for what the pool's one-statement-at-a-time use cannot do:
   * session-level locks, driver features TypeORM does not expose (pg's rowMode 'array'). The caller releases it.
   */
  session(): QueryRunner {
    return this.dataSource.createQueryRunner();
  }
}

@Global()
@Module({ providers: [UnitOfWork], exports: [UnitOfWork] })
export class PersistenceModule {}
