// Two API processes (the built service, WORKER_MODE=off) on one PostgreSQL, one chain and one
// S3 bucket (s3rver on loopback): a resumable upload begun on one goes on on the other, also
// after the first is killed with kill -9 in the middle of a PATCH (its upload lock, a PostgreSQL
// session lock, dies with it), and the blob is then served by either.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../support/auth';
import { startTestChain, type TestChain } from '../support/chain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freePort } from '../support/ports';
import { s3ServiceEnv, startTestS3, type TestS3 } from '../support/s3';
import { externalServiceEnv, MAIN, spawnService, waitForHealth, type ServiceProcess } from '../support/service-process';
import { existsSync } from 'node:fs';

const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!existsSync(MAIN))('S3 replicas: a tus upload outlives the API process it began on', () => {
  let s3: TestS3;
  let chain: TestChain;
  let database: TestDatabase;
  let work: string;
  let env: Record<string, string>;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    [s3, chain, database] = await Promise.all([startTestS3(), startTestChain(), createTestDatabase()]);
    work = await mkdtemp(join(tmpdir(), 'upstream-s3-replicas-'));
    env = {
      WORKER_MODE: 'off',
      ...externalServiceEnv(database.url, chain),
      ...s3ServiceEnv(s3, await s3.createBucket(), 'replicas'),
      LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    for (const service of services)
      if (service.child.exitCode === null && service.child.signalCode === null) {
        service.child.kill('SIGKILL');
        await service.exited;
      }
    await chain?.stop();
    await database?.drop();
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function startApi(name: string): Promise<{ url: string; service: ServiceProcess }> {
    const port = await freePort();
    const service = spawnService({ ...env, PORT: String(port), DATA_DIR: join(work, name) });
    services.push(service);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, service, 120_000);
    return { url, service };
  }

  it('PATCHes on one process, kill -9 mid-PATCH, the rest on the other: complete, hashed right, served by both', async () => {
    const [a, b] = [await startApi('a'), await startApi('b')];
    const wallet = new Wallet(chain.privateKey(3));
    const auth = { authorization: `Bearer ${await signIn(b.url, wallet)}`, 'tus-resumable': '1.0.0' };
    const bytes = randomBytes(13 * MiB + 321);
    const patch = (base: string, location: string, offset: number, body: Buffer | ReadableStream<Uint8Array>) =>
      fetch(new URL(location, base), {
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
        body,
        duplex: 'half',
      });

    const created = await fetch(new URL('/uploads', a.url), {
      method: 'POST',
      headers: { ...auth, 'upload-length': String(bytes.length) },
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    const first = await patch(a.url, location, 0, bytes.subarray(0, 6 * MiB));
    expect(first.status).toBe(204);
    expect(first.headers.get('upload-offset')).toBe(String(6 * MiB));

    // A second PATCH to the first process stalls after 1 MiB; then that process is killed.
    let stalled!: () => void;
    const stalledNow = new Promise<void>((resolve) => (stalled = resolve));
    const cut = patch(
      a.url,
      location,
      6 * MiB,
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.subarray(6 * MiB, 7 * MiB));
          stalled();
        },
      }),
    ).catch((error: unknown) => error);
    await stalledNow;
    await new Promise((resolve) => setTimeout(resolve, 300));
    a.service.child.kill('SIGKILL');
    await a.service.exited;
    expect(await cut).toBeInstanceOf(Error);

    // The other process answers at once (the dead process's lock died with its session) with what
    // was durable: the first PATCH; the cut one's bytes were still in the dead process's memory.
    const head = await fetch(new URL(location, b.url), { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(6 * MiB));
    const last = await patch(b.url, location, 6 * MiB, bytes.subarray(6 * MiB));
    expect(last.status).toBe(204);
    expect(last.headers.get('upload-sha256')).toBe(sha256(bytes));

    // Both processes serve the blob (the uploader may read back its own bytes), the restarted first one too.
    const again = await startApi('a-again');
    for (const base of [b.url, again.url]) {
      const res = await fetch(new URL(`/blobs/${sha256(bytes)}`, base), {
        headers: { authorization: auth.authorization },
      });
      expect(res.status).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(bytes));
    }
  });
});
