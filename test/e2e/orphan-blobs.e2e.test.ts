import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { Client } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { OrphanBlobCollector } from '../../apps/api/src/contributions/blobs/orphan-blob-collector.service';
import { BLOB_COLLECTION_LOCK } from '../../apps/api/src/contributions/datasets/datasets.repository';
import { BLOB_STORE, type BlobStore } from '../../apps/api/src/contributions/storage/blob-store';
import { startTestApp, type TestApp } from '../support/app';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const TTL_SECONDS = 3600;

/** Polls `check` until it holds (locks taken or waited for by other sessions). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('orphan blobs: bytes no registered dataset references are deleted after ORPHAN_BLOB_TTL_SECONDS', () => {
  let t: TestApp;
  let dataDir: string;
  let domain: UpstreamDomain;
  let db: Client;
  let collector: OrphanBlobCollector;
  let store: BlobStore;
  const ALICE = 3;
  const BOB = 4;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-orphans-'));
    t = await startTestApp({ DATA_DIR: dataDir, ORPHAN_BLOB_TTL_SECONDS: String(TTL_SECONDS) });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    db = new Client({ connectionString: t.database.url });
    await db.connect();
    collector = t.app.get(OrphanBlobCollector);
    store = t.app.get<BlobStore>(BLOB_STORE);
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const fileOf = (sha: string) => join(dataDir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
  const bytesOf = (label: string) => Buffer.concat([Buffer.from(`${label}:`), randomBytes(1000)]);

  async function upload(who: number, bytes: Buffer) {
    const http = await t.as(who);
    return http.put('/blobs').set('content-type', 'application/octet-stream').send(bytes);
  }

  /** As if the bytes were last uploaded `seconds` ago. */
  async function age(sha: string, seconds: number): Promise<void> {
    await db.query(
      `UPDATE blobs SET last_uploaded_at = now() - make_interval(secs => $2), created_at = now() - make_interval(secs => $2) WHERE sha256 = $1`,
      [sha, seconds],
    );
  }

  async function usedBytes(who: number): Promise<bigint> {
    const http = await t.as(who);
    return BigInt((await http.get('/auth/session').expect(200)).body.storage.usedBytes as string);
  }

  /** The stored bytes as `who` reads them back. */
  async function readBack(who: number, sha: string): Promise<Buffer> {
    const res = await (await t.as(who)).get(`/blobs/${sha}`).buffer(true).expect(200);
    return Buffer.from(res.body as Buffer);
  }

  async function rowsOf(sha: string) {
    const blobs = await db.query(`SELECT 1 FROM blobs WHERE sha256 = $1`, [sha]);
    const holders = await db.query(`SELECT account FROM blob_holders WHERE sha256 = $1`, [sha]);
    const queued = await db.query(`SELECT 1 FROM blob_deletions WHERE sha256 = $1`, [sha]);
    return { blob: blobs.rowCount === 1, holders: holders.rowCount, queued: queued.rowCount === 1 };
  }

  async function registration(who: number, bytes: Buffer, nonce?: bigint) {
    const tree = await buildContentTree([{ path: 'data.bin', size: BigInt(bytes.length), sha256: sha256(bytes) }]);
    return signRegistration(new Wallet(t.chain.privateKey(who)), {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title: `dataset ${tree.root.slice(0, 10)}`,
      license: { template: 'open-training' },
      domain,
      nonce,
    });
  }

  it('deletes an unregistered blob past the TTL (row, holders, bytes) and gives its uploaders their quota back; a registered one and a young one stay', async () => {
    const orphan = bytesOf('orphan');
    const registered = bytesOf('registered');
    const young = bytesOf('young');
    for (const bytes of [orphan, registered, young]) expect((await upload(ALICE, bytes)).status).toBe(200);
    expect((await upload(BOB, orphan)).status).toBe(200); // two holders of the same orphan
    const http = await t.as(ALICE);
    expect((await http.post('/datasets').send(await registration(ALICE, registered))).status).toBe(201);
    await age(sha256(orphan), TTL_SECONDS + 60);
    await age(sha256(registered), TTL_SECONDS + 60);
    const [aliceBefore, bobBefore] = [await usedBytes(ALICE), await usedBytes(BOB)];

    await t.tick();

    expect(await rowsOf(sha256(orphan))).toEqual({ blob: false, holders: 0, queued: false });
    expect(existsSync(fileOf(sha256(orphan)))).toBe(false);
    expect(await usedBytes(ALICE)).toBe(aliceBefore - BigInt(orphan.length));
    expect(await usedBytes(BOB)).toBe(bobBefore - BigInt(orphan.length));
    await http.get(`/blobs/${sha256(orphan)}`).expect(404);
    for (const kept of [registered, young]) {
      expect(await rowsOf(sha256(kept))).toEqual({ blob: true, holders: 1, queued: false });
      expect((await readBack(ALICE, sha256(kept))).equals(kept)).toBe(true);
    }
  });

  it('waits for a registration in flight and keeps the blob it is about to reference', async () => {
    const bytes = bytesOf('racing');
    expect((await upload(ALICE, bytes)).status).toBe(200);
    await age(sha256(bytes), TTL_SECONDS + 60);
    const nonce = 424242n;
    const body = await registration(ALICE, bytes, nonce);
    const http = await t.as(ALICE);

    // Another session holds the registration's nonce row: the real registration takes the shared
    // collection lock, finds the blob, then waits on that row inside its transaction.
    const blocker = new Client({ connectionString: t.database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`INSERT INTO used_nonces (signer, nonce, purpose) VALUES ($1, $2, 'contribution')`, [
        new Wallet(t.chain.privateKey(ALICE)).address.toLowerCase(),
        nonce.toString(),
      ]);
      const registering = http
        .post('/datasets')
        .send(body)
        .then((res) => res);
      await until('the registration holds the shared lock and waits on the nonce', async () => {
        const { rows } = await db.query(
          `SELECT
             EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND objid = $1
                     AND mode = 'ShareLock' AND granted) AS shared,
             EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO used_nonces%') AS waiting`,
          [BLOB_COLLECTION_LOCK],
        );
        return rows[0].shared && rows[0].waiting;
      });

      const collecting = collector.collect();
      await until('the collector waits for the exclusive lock', async () => {
        const { rows } = await db.query(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND objid = $1 AND mode = 'ExclusiveLock' AND NOT granted`,
          [BLOB_COLLECTION_LOCK],
        );
        return rows.length === 1;
      });
      expect((await rowsOf(sha256(bytes))).blob).toBe(true); // nothing collected while it waits

      await blocker.query('ROLLBACK');
      const registered = await registering;
      expect(registered.status, JSON.stringify(registered.body)).toBe(201);
      await collecting;
    } finally {
      await blocker.end();
    }

    expect(await rowsOf(sha256(bytes))).toEqual({ blob: true, holders: 1, queued: false });
    expect(existsSync(fileOf(sha256(bytes)))).toBe(true);
    expect((await readBack(ALICE, sha256(bytes))).equals(bytes)).toBe(true);
  });

  it('a registration that starts after the collector took its lock finds the blob gone (UNKNOWN_BLOB), never a dataset without bytes', async () => {
    const bytes = bytesOf('late');
    expect((await upload(ALICE, bytes)).status).toBe(200);
    await age(sha256(bytes), TTL_SECONDS + 60);
    await collector.collect();
    const res = await (await t.as(ALICE)).post('/datasets').send(await registration(ALICE, bytes));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('UNKNOWN_BLOB');
  });

  it('is crash-safe: files whose rows were deleted go on the next pass, and bytes uploaded again meanwhile stay', async () => {
    const gone = bytesOf('crash-gone');
    const back = bytesOf('crash-back');
    for (const bytes of [gone, back]) {
      expect((await upload(ALICE, bytes)).status).toBe(200);
      await age(sha256(bytes), TTL_SECONDS + 60);
    }
    // The process dies after the rows' transaction commits, before any file is removed.
    vi.spyOn(store, 'delete').mockRejectedValue(new Error('killed'));
    await expect(collector.collect()).rejects.toThrow('killed');
    vi.restoreAllMocks();
    for (const bytes of [gone, back]) {
      expect(await rowsOf(sha256(bytes))).toEqual({ blob: false, holders: 0, queued: true });
      expect(existsSync(fileOf(sha256(bytes)))).toBe(true);
    }

    // Bob uploads the same bytes as `back` before the next pass: the upload wins.
    const again = await upload(BOB, back);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ sha256: sha256(back), created: false });

    await t.tick();

    expect(await rowsOf(sha256(gone))).toEqual({ blob: false, holders: 0, queued: false });
    expect(existsSync(fileOf(sha256(gone)))).toBe(false);
    expect(await rowsOf(sha256(back))).toEqual({ blob: true, holders: 1, queued: false });
    expect((await readBack(BOB, sha256(back))).equals(back)).toBe(true);
    expect(await usedBytes(BOB)).toBeGreaterThanOrEqual(BigInt(back.length));
  });

  it('an upload that finds the bytes stored while their queued deletion removes them fails (409 BLOB_COLLECTED) and records nothing; the next upload stores them', async () => {
    const bytes = bytesOf('lost-race');
    const sha = sha256(bytes);
    expect((await upload(ALICE, bytes)).status).toBe(200);
    await age(sha, TTL_SECONDS + 60);
    vi.spyOn(store, 'delete').mockRejectedValueOnce(new Error('killed'));
    await expect(collector.collect()).rejects.toThrow('killed');
    vi.restoreAllMocks();

    // Hold the blob's lock so the file removal and the upload's recording both wait, the removal first.
    const blobLockWaiters = async () =>
      (
        await db.query(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND classid = $1
           AND objid::bigint = (hashtext($2)::bigint & 4294967295) AND NOT granted`,
          [BLOB_COLLECTION_LOCK, sha],
        )
      ).rowCount ?? 0;
    const blocker = new Client({ connectionString: t.database.url });
    await blocker.connect();
    let uploading: Promise<{ status: number; body: Record<string, unknown> }>;
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT pg_advisory_xact_lock($1::int, hashtext($2))`, [BLOB_COLLECTION_LOCK, sha]);
      const draining = collector.collect();
      await until('the file removal waits for the blob lock', async () => (await blobLockWaiters()) === 1);
      uploading = upload(BOB, bytes).then((res) => res);
      await until(
        'the upload, its bytes found stored, waits to record them',
        async () => (await blobLockWaiters()) === 2,
      );
      await blocker.query('COMMIT');
      await draining;
    } finally {
      await blocker.end();
    }
    const lost = await uploading;
    expect(lost.status).toBe(409);
    expect(lost.body).toMatchObject({ error: 'BLOB_COLLECTED' });
    expect(await rowsOf(sha)).toEqual({ blob: false, holders: 0, queued: false });
    expect(existsSync(fileOf(sha))).toBe(false);

    const retried = await upload(BOB, bytes);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ sha256: sha, created: true });
    expect(await rowsOf(sha)).toEqual({ blob: true, holders: 1, queued: false });
  });

  it('the worker sweeps unfinished writes over a day old, hourly; younger ones (an upload in flight) stay', async () => {
    const tempDir = join(dataDir, 'blobs', '.tmp');
    await mkdir(tempDir, { recursive: true });
    const leave = async (name: string, ageMs: number) => {
      await writeFile(join(tempDir, name), 'half an upload');
      const when = new Date(Date.now() - ageMs);
      await utimes(join(tempDir, name), when, when);
    };
    await leave('stale.part', 25 * 3600_000);
    await leave('in-flight.part', 2 * 3600_000);
    const now = Date.now() + 2 * 3600_000; // past any sweep the app's own passes made
    expect(await collector.sweepStaleWrites(now)).toBe(1);
    expect(await readdir(tempDir)).toEqual(['in-flight.part']);
    await leave('stale-again.part', 25 * 3600_000);
    expect(await collector.sweepStaleWrites(now + 60_000)).toBe(0); // not again within the hour
    expect(await collector.sweepStaleWrites(now + 3600_000)).toBe(1);
    expect(await readdir(tempDir)).toEqual(['in-flight.part']);
  });
});
