import { Global, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/** An open database transaction, handed to repositories by `UnitOfWork.run` or by an indexer handler. */
export type Tx = EntityManager;

/** What a repository runs its SQL on: the pool, or one transaction. */
export type Queryable = Pick<EntityManager, 'query'>;

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
}

@Global()
@Module({ providers: [UnitOfWork], exports: [UnitOfWork] })
export class PersistenceModule {}
