import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../support/auth';
import { freePort } from '../support/ports';
import { isAlive, spawnService, waitForHealth, type ServiceProcess } from '../support/service-process';

/**
 * After `kill -9` of the service, the next start sweeps the temp file of a PUT /blobs that the
 * crash cut however fresh it is, leaves resumable tus uploads to resume, and neither trusts nor
 * fears a pid: it starts although upstream.pid names a live (reused) node process.
 */
describe('crash leftovers (the built service, killed with -9 and started again)', () => {
  let work: string;
  let env: Record<string, string>;
  let baseUrl: string;
  /** `Bearer <session>` of the uploader: a tus upload is its creator's (sessions live in the database, so across restarts). */
  let authorization: string;
  const running: ServiceProcess[] = [];
  const others: ChildProcess[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'upstream-leftovers-'));
    const port = await freePort();
    env = {
      DATA_DIR: join(work, 'data'),
      PORT: String(port),
      EMBEDDED_PG_PORT: String(await freePort()),
      LOCAL_CHAIN_PORT: String(await freePort()),
    };
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const child of [...running.map((s) => s.child), ...others])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const file of [join(env.DATA_DIR, 'chain', 'anvil.pid'), join(env.DATA_DIR, 'postgres', 'postmaster.pid')]) {
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0]);
      if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await rm(work, { recursive: true, force: true });
  });

  const start = () => {
    const s = spawnService(env);
    running.push(s);
    return s;
  };
  const tus = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${baseUrl}${path}`, {
      ...init,
      headers: { 'Tus-Resumable': '1.0.0', authorization, ...init.headers },
    });

  it('sweeps the fresh temp file of a PUT /blobs cut by kill -9, and keeps tus uploads resumable', async () => {
    const first = start();
    await waitForHealth(baseUrl, first);
    authorization = `Bearer ${await signIn(baseUrl, Wallet.createRandom())}`;
    const created = await tus('/uploads', { method: 'POST', headers: { 'Upload-Length': '10' } });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    const patched = await tus(location, {
      method: 'PATCH',
      headers: { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
      body: 'hello',
    });
    expect(patched.status).toBe(204);

    first.child.kill('SIGKILL');
    await first.exited;
    // What a PUT /blobs cut by the crash leaves: a temp file written a moment ago.
    const part = join(env.DATA_DIR, 'blobs', '.tmp', 'cut-by-the-crash.part');
    await mkdir(join(env.DATA_DIR, 'blobs', '.tmp'), { recursive: true });
    await writeFile(part, Buffer.alloc(64 * 1024, 7));

    const second = start();
    await waitForHealth(baseUrl, second);
    expect(existsSync(part)).toBe(false);
    expect(second.output()).toMatch(/removed 1 unfinished upload file/);

    const head = await tus(location, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('5');
    const finished = await tus(location, {
      method: 'PATCH',
      headers: { 'Upload-Offset': '5', 'Content-Type': 'application/offset+octet-stream' },
      body: 'world',
    });
    expect(finished.status).toBe(204);
    expect(finished.headers.get('upload-offset')).toBe('10');

    second.child.kill('SIGKILL');
    await second.exited;
  });

  it('starts after kill -9 although upstream.pid names a live, unrelated node process (a reused pid)', async () => {
    for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await Promise.all(running.map((s) => s.exited));
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    others.push(unrelated);
    await writeFile(join(env.DATA_DIR, 'upstream.pid'), `${unrelated.pid}\n`);

    const service = start();
    await waitForHealth(baseUrl, service);
    expect(service.output()).not.toMatch(/already running/);
    expect(await readFile(join(env.DATA_DIR, 'upstream.pid'), 'utf8')).toBe(`${service.child.pid}\n`);

    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });
});
