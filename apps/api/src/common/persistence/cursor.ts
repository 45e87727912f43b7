import type { PoolClient } from 'pg';
import type { Queryable, UnitOfWork } from './unit-of-work';

/**
 * The rows of one query in batches, from a cursor on a connection of its own inside a read-only
 * transaction: one query however many rows, and only a batch in memory at a time. Stopping early
 * (a client that went away) closes the cursor and gives the connection back.
 */
export async function* cursorBatches<T>(
  uow: UnitOfWork,
  sql: string,
  params: unknown[],
  batchSize = 10_000,
): AsyncGenerator<T[]> {
  const runner = uow.session();
  try {
    const client = (await runner.connect()) as PoolClient;
    await client.query('BEGIN READ ONLY');
    try {
      const tx: Queryable = {
        query: async <R>(text: string, values?: unknown[]) => (await client.query(text, values)).rows as R,
      };
      yield* cursorBatchesIn<T>(tx, sql, params, batchSize);
    } finally {
      await client.query('ROLLBACK');
    }
  } finally {
    await runner.release();
  }
}

/**
 * The same inside the caller's open transaction (`tx`), so what it writes between batches commits
 * with what it read: the cursor is closed when the rows are done or the reader stops early.
 */
export async function* cursorBatchesIn<T>(
  tx: Queryable,
  sql: string,
  params: unknown[],
  batchSize = 10_000,
  name = 'batches_cursor',
): AsyncGenerator<T[]> {
  await tx.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
  let failed = false;
  try {
    for (;;) {
      const rows = await tx.query<T[]>(`FETCH ${batchSize} FROM ${name}`).catch((error: unknown) => {
        failed = true; // the transaction is aborted: CLOSE would only hide this error
        throw error;
      });
      if (rows.length === 0) break;
      yield rows;
    }
  } finally {
    if (!failed) await tx.query(`CLOSE ${name}`);
  }
}
