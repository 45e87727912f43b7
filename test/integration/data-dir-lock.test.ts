import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLock, DataDirLockedError } from '../../apps/api/src/runtime/data-dir-lock';
import { killHard, spawnHolder } from '../support/lock-holder';

describe('DataDirLock: a kernel lock, released with the process, never a guess from a pid', () => {
  let dataDir: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-lock-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await killHard(child);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is not blocked by upstream.pid naming a live, unrelated node process (a reused pid)', async () => {
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(unrelated);
    await writeFile(join(dataDir, 'upstream.pid'), `${unrelated.pid}\n`);

    const lock = DataDirLock.acquire(dataDir);
    expect(await readFile(join(dataDir, 'upstream.pid'), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('refuses a second service while another process holds it, naming the folder and the holder', async () => {
    const holder = await spawnHolder('data-dir', dataDir);
    children.push(holder.child);
    expect(holder.said).toBe('held');

    let refusal: unknown;
    try {
      DataDirLock.acquire(dataDir).release();
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirLockedError);
    expect((refusal as Error).message).toBe(
      `another Upstream service (pid ${holder.child.pid}) is already running on ${dataDir}; stop it first, or set DATA_DIR to another folder`,
    );

    const second = await spawnHolder('data-dir', dataDir);
    children.push(second.child);
    expect(second.said).toMatch(/^refused: another Upstream service \(pid \d+\) is already running/);
  });

  it('is free the moment its holder is killed with SIGKILL', async () => {
    const holder = await spawnHolder('data-dir', dataDir);
    children.push(holder.child);
    expect(() => DataDirLock.acquire(dataDir)).toThrow(DataDirLockedError);

    await killHard(holder.child);
    // upstream.pid still names the dead holder: no matter, the kernel dropped its lock.
    expect(await readFile(join(dataDir, 'upstream.pid'), 'utf8')).toBe(`${holder.child.pid}\n`);
    const lock = DataDirLock.acquire(dataDir);
    lock.release();
  });

  it('can be taken again after a clean release, in the same process', () => {
    DataDirLock.acquire(dataDir).release();
    DataDirLock.acquire(dataDir).release();
  });
});
