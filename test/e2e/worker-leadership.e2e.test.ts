// Two workers on one database and one chain: the leader's lock session is cut from outside (as a
// PostgreSQL restart, a network cut or pg_terminate_backend would), the other worker takes over
// within 10 s, the old leader stops leading, and no queued transaction is sent twice.
import { randomBytes } from 'node:crypto';
import { Interface } from 'ethers';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import { ChainSyncService } from '../../apps/api/src/worker/chain-sync.service';
import { WorkerService } from '../../apps/api/src/worker/worker.service';
import { startTestAppOn, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { withClient } from '../support/pg-client';

const WORKER_ENV = { WORKER_MODE: 'embedded', WORKER_INTERVAL_MS: '200', EPOCH_INTERVAL_MS: '3600000' };
const registry = new Interface(artifacts.ProvenanceRegistry.abi);

async function waitFor(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

/** Backends (pids) holding the chain's leader lock in the database. */
function lockHolders(database: TestDatabase, leaderKey: string): Promise<number[]> {
  return withClient(database.url, async (c) => {
    const { rows } = await c.query<{ pid: number }>(
      `SELECT pid FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objsubid = 1
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND ((classid::bigint << 32) | objid::bigint) = hashtext($1)::bigint`,
      [leaderKey],
    );
    return rows.map((r) => r.pid);
  });
}

/** Queues an anchor of a fresh root (a transaction the registry accepts once and reverts the second time). */
async function enqueueAnchor(t: TestApp, name: string): Promise<{ key: string; root: string }> {
  const root = `0x${randomBytes(32).toString('hex')}`;
  const key = `test:leadership:${name}`;
  await t.app.get(DataSource).transaction((em) =>
    t.app.get(ChainSyncService).enqueue(em, {
      key,
      kind: 'anchor',
      to: t.chain.deployment.contracts.ProvenanceRegistry,
      data: registry.encodeFunctionData('anchor', [0, root, 1, '']),
    }),
  );
  return { key, root };
}

/** The intent's outbox row and how many Anchored events of its root were indexed. */
function outcome(database: TestDatabase, key: string, root: string) {
  return withClient(database.url, async (c) => {
    const { rows } = await c.query<{ status: string; tx_hashes: string[] }>(
      `SELECT status, tx_hashes FROM outbox_transactions WHERE idempotency_key = $1`,
      [key],
    );
    const events = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM chain_events WHERE event_name = 'Anchored' AND args->>'root' = $1`,
      [root],
    );
    return { status: rows[0]?.status, txHashes: rows[0]?.tx_hashes ?? [], events: events.rows[0].n };
  });
}

const worker = (t: TestApp) => t.app.get(WorkerService);

describe('worker leadership: the leader loses its lock session and another worker takes over', () => {
  let database: TestDatabase;
  let chain: TestChain;
  let first: TestApp;
  let second: TestApp;
  let leaderKey: string;
  beforeAll(async () => {
    [database, chain] = await Promise.all([createTestDatabase(), startTestChain()]);
    leaderKey = `upstream:leader:${(await chain.provider.getNetwork()).chainId}`;
    first = await startTestAppOn(database, chain, WORKER_ENV);
    await waitFor('the first worker leads', 10_000, () => worker(first).isLeader);
    second = await startTestAppOn(database, chain, WORKER_ENV);
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await chain?.stop();
    await database?.drop();
  });

  it('hands leadership over within 10 s of a cut, and sends every queued transaction exactly once', async () => {
    const operator = first.app.get(ChainSyncService).operatorAddress;
    const nonceBefore = await chain.provider.getTransactionCount(operator);

    // The first worker leads and sends; the second one waits.
    const sentByFirst = await enqueueAnchor(first, 'before-the-cut');
    await waitFor(
      'the first leader mines its intent',
      10_000,
      async () => (await outcome(database, sentByFirst.key, sentByFirst.root)).events === 1,
    );
    expect(worker(second).isLeader, 'only one worker leads before the cut').toBe(false);
    const [leaderPid, ...others] = await lockHolders(database, leaderKey);
    expect(others, 'one session holds the leader lock').toEqual([]);

    // Queued just before the cut: whichever worker leads when it is picked up sends it, once.
    const queuedAtCut = await enqueueAnchor(second, 'at-the-cut');
    await withClient(database.url, (c) => c.query(`SELECT pg_terminate_backend($1, 5000)`, [leaderPid]));

    const tookMs = await waitFor('the second worker leads', 10_000, () => worker(second).isLeader);
    expect(worker(first).isLeader, 'the old leader stepped down').toBe(false);
    const holders = await lockHolders(database, leaderKey);
    expect(holders, 'exactly one new session holds the lock').toHaveLength(1);
    expect(holders[0]).not.toBe(leaderPid);
    expect(tookMs).toBeLessThan(10_000);

    // The new leader sends what is queued now.
    const sentBySecond = await enqueueAnchor(second, 'after-the-cut');
    for (const { key, root } of [sentByFirst, queuedAtCut, sentBySecond]) {
      await waitFor(
        `${key} is mined and indexed`,
        15_000,
        async () => (await outcome(database, key, root)).events >= 1,
      );
    }
    // A few more passes of both workers, in case either were to send anything again.
    await new Promise((r) => setTimeout(r, 1_500));
    for (const { key, root } of [sentByFirst, queuedAtCut, sentBySecond]) {
      const { status, txHashes, events } = await outcome(database, key, root);
      expect({ key, status, signedTransactions: txHashes.length, events }).toEqual({
        key,
        status: 'mined',
        signedTransactions: 1,
        events: 1,
      });
    }
    expect(await chain.provider.getTransactionCount(operator), 'the operator sent three transactions, no more').toBe(
      nonceBefore + 3,
    );
    expect(worker(first).isLeader, 'the old leader has not taken the lock back').toBe(false);
    expect(worker(second).isLeader).toBe(true);
  });
});

describe('worker leadership: a pass under way when the lock is lost sends nothing', () => {
  let database: TestDatabase;
  let chain: TestChain;
  let only: TestApp;
  let leaderKey: string;

  beforeAll(async () => {
    [database, chain] = await Promise.all([createTestDatabase(), startTestChain()]);
    leaderKey = `upstream:leader:${(await chain.provider.getNetwork()).chainId}`;
    only = await startTestAppOn(database, chain, WORKER_ENV);
    await waitFor('the worker leads', 10_000, () => worker(only).isLeader);
  });

  afterAll(async () => {
    await only?.close();
    await chain?.stop();
    await database?.drop();
  });

  it('queues during a pass whose lock session is cut, steps down before the outbox, and sends it once on a new session', async () => {
    let queued: { key: string; root: string } | undefined;
    let cutPid: number | undefined;
    // A job runs after the indexer and before the outbox: it queues an intent, then the lock session dies under it.
    worker(only).addJob('cut-the-lock-session', async () => {
      if (queued) return;
      queued = await enqueueAnchor(only, 'mid-pass');
      [cutPid] = await lockHolders(database, leaderKey);
      await withClient(database.url, (c) => c.query(`SELECT pg_terminate_backend($1, 5000)`, [cutPid]));
    });

    await waitFor('the worker steps down', 5_000, () => queued !== undefined && !worker(only).isLeader);
    const afterCut = await outcome(database, queued!.key, queued!.root);
    expect(afterCut.status, 'the pass that lost the lock did not reach the outbox').toBe('pending');

    // Nobody else contests it: the same worker leads again on a new session and sends the intent once.
    await waitFor('the worker leads again', 15_000, () => worker(only).isLeader);
    const holders = await lockHolders(database, leaderKey);
    expect(holders).toHaveLength(1);
    expect(holders[0], 'a new session holds the lock').not.toBe(cutPid);
    await waitFor(
      'the intent is mined and indexed',
      15_000,
      async () => (await outcome(database, queued!.key, queued!.root)).events >= 1,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const { status, txHashes, events } = await outcome(database, queued!.key, queued!.root);
    expect({ status, signedTransactions: txHashes.length, events }).toEqual({
      status: 'mined',
      signedTransactions: 1,
      events: 1,
    });
  });
});
