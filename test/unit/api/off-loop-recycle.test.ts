import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { OffLoopPool, RECYCLE_AFTER_BYTES } from '../../../apps/api/src/common/off-loop/off-loop.pool';

/** A `POST /blobs/missing` body of at least RECYCLE_AFTER_BYTES: a task that grows its thread's heap. */
function longBody(): Buffer {
  const digest = 'ab'.repeat(32);
  const count = Math.ceil(RECYCLE_AFTER_BYTES / (digest.length + 3)) + 1;
  return Buffer.from(JSON.stringify({ sha256s: new Array<string>(count).fill(digest) }));
}

const shortBody = () => Buffer.from(JSON.stringify({ sha256s: ['cd'.repeat(32)] }));

describe('OffLoopPool: threads grown by a long body are replaced once idle, not between back-to-back tasks', () => {
  let pool: OffLoopPool | undefined;
  afterEach(async () => {
    await pool?.onApplicationShutdown();
    pool = undefined;
  });

  it('keeps the warm thread for long tasks that follow each other, and replaces it after recycleIdleMs idle', async () => {
    pool = new OffLoopPool();
    pool.recycleIdleMs = 400;
    for (let i = 0; i < 3; i++) expect(await pool.run('missingDigestsOfBody', longBody())).toMatchObject({ ok: true });
    expect(pool.generation).toBe(1);

    await sleep(800);
    await pool.run('missingDigestsOfBody', shortBody());
    expect(pool.generation).toBe(2);
  });

  it('keeps a pool that ran only short tasks, however long it was idle', async () => {
    pool = new OffLoopPool();
    pool.recycleIdleMs = 100;
    await pool.run('missingDigestsOfBody', shortBody());
    await sleep(300);
    await pool.run('missingDigestsOfBody', shortBody());
    expect(pool.generation).toBe(1);
  });
});
