import { type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../apps/api/src/contributions/storage/local-disk/local-blob-store';
import { killHard, spawnHolder } from '../support/lock-holder';

const HOUR = 60 * 60 * 1000;

/**
 * What `BlobsService` does at start-up: `open(1 hour)`. Alone on the blob folder, every temp file
 * is a crash leftover and goes whatever its age; beside a live writer (another replica), only the
 * hour-old ones go.
 */
describe('LocalBlobStore.open: temp files of a crashed upload are swept at the next start', () => {
  let root: string;
  const stores: LocalBlobStore[] = [];
  const children: ChildProcess[] = [];
  const store = () => {
    const s = new LocalBlobStore(root);
    stores.push(s);
    return s;
  };
  async function tempFile(name: string, ageMs = 0): Promise<string> {
    const path = join(root, '.tmp', name);
    await mkdir(join(root, '.tmp'), { recursive: true });
    await writeFile(path, 'half an upload');
    const when = new Date(Date.now() - ageMs);
    await utimes(path, when, when);
    return path;
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'upstream-sweep-'));
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) s.close();
    for (const child of children.splice(0)) await killHard(child);
    await rm(root, { recursive: true, force: true });
  });

  it('removes a fresh .part file (mtime now) when no other process writes to the store', async () => {
    const fresh = await tempFile('0123abcd.part');
    expect(await store().open(HOUR)).toEqual({ swept: 1, alone: true });
    expect(existsSync(fresh)).toBe(false);
  });

  it('beside another live writer, keeps its fresh temp files and removes only the hour-old ones', async () => {
    await store().open(HOUR);
    const inFlight = await tempFile('inflight.part');
    const stale = await tempFile('stale.part', 2 * HOUR);
    expect(await store().open(HOUR)).toEqual({ swept: 1, alone: false });
    expect(existsSync(inFlight)).toBe(true);
    expect(existsSync(stale)).toBe(false);
  });

  it('after the other writer is killed with SIGKILL, the next start is alone and sweeps everything', async () => {
    const writer = await spawnHolder('blob-writer', root);
    children.push(writer.child);
    expect(writer.said).toBe('held');
    const fresh = await tempFile('cut-by-a-crash.part');

    const beside = store();
    expect(await beside.open(HOUR)).toEqual({ swept: 0, alone: false });
    beside.close();

    await killHard(writer.child);
    expect(await store().open(HOUR)).toEqual({ swept: 1, alone: true });
    expect(existsSync(fresh)).toBe(false);
  });

  it('is alone again once the other writer has closed', async () => {
    const other = store();
    await other.open(HOUR);
    other.close();
    const fresh = await tempFile('left-by-a-failed-start.part');
    expect(await store().open(HOUR)).toEqual({ swept: 1, alone: true });
    expect(existsSync(fresh)).toBe(false);
  });
});
