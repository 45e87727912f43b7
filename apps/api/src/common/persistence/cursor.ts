import type { PoolClient } from 'pg';
import type { UnitOfWork } from './unit-of-work';

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
      await client.query(`DECLARE batches_cursor NO SCROLL CURSOR FOR ${sql}`, params);
      for (;;) {
        const { rows } = await client.query<T & object>(`FETCH ${batchSize} FROM batches_cursor`);
        if (rows.length === 0) break;
        yield rows;
      }
    } finally {
      await client.query('ROLLBACK');
    }
  } finally {
    await runner.release();
  }
}
