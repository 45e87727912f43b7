import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSink, type FileSinkOptions } from '../../apps/api/src/contributions/storage/local-disk/direct-file-sink';

const MiB = 1 << 20;
const ROOT = resolve(__dirname, '../..');

/** `bytes` cut into pieces of irregular sizes (1 byte up to ~300 KiB), as a socket delivers them. */
function irregularChunks(bytes: Buffer, seed = 7): Buffer[] {
  const chunks: Buffer[] = [];
  let state = seed;
  for (let at = 0; at < bytes.length;) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const size = state % 7 === 0 ? 1 + (state % 17) : 1 + (state % 300_000);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

async function sink(path: string, chunks: Buffer[], options: FileSinkOptions): Promise<FileSink> {
  const target = new FileSink(path, options);
  await pipeline(Readable.from(chunks), target);
  return target;
}

describe('FileSink: direct I/O in aligned blocks, the page cache for the rest', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upstream-sink-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes irregular chunks byte for byte, whole blocks directly and only the tail through the cache', async () => {
    const bytes = randomBytes(5 * MiB + 123);
    const path = join(dir, 'file');
    const written = await sink(path, irregularChunks(bytes), { flags: 'wx', sync: true });
    expect(await readFile(path)).toEqual(bytes);
    expect(written.written.direct + written.written.buffered).toBe(bytes.length);
    expect(written.written.direct).toBe(5 * MiB);
    expect(written.written.buffered).toBe(123);
  });

  it('resumes at unaligned offsets (a tus upload in several PATCHes) without a gap or padding', async () => {
    const bytes = randomBytes(4 * MiB + 5000);
    const path = join(dir, 'upload');
    await writeFile(path, '');
    const cuts = [0, 1_500_007, 1_500_010, 3 * MiB + 100, bytes.length];
    let direct = 0;
    for (let i = 0; i + 1 < cuts.length; i++) {
      const part = bytes.subarray(cuts[i], cuts[i + 1]);
      direct += (await sink(path, irregularChunks(part, i + 1), { flags: 'r+', start: cuts[i] })).written.direct;
      // The file's size is exactly the bytes received so far: tus reads its offset from it.
      expect((await readFile(path)).length).toBe(cuts[i + 1]);
    }
    expect(await readFile(path)).toEqual(bytes);
    expect(direct).toBeGreaterThan(2 * MiB);
  });

  it('keeps every byte it was handed when the source fails midway: a resumed upload goes on from there, with no gap', async () => {
    for (const size of [70_000, 2 * MiB + 12_345]) {
      const bytes = randomBytes(size);
      const path = join(dir, `cut-${size}`);
      await writeFile(path, '');
      const target = new FileSink(path, { flags: 'r+' });
      // Paced like a socket: the next chunk comes once the sink has taken the last one.
      const source = (async function* () {
        for (const chunk of irregularChunks(bytes)) {
          yield chunk;
          while (target.writableLength > 0) await new Promise((r) => setImmediate(r));
        }
        throw new Error('connection reset');
      })();
      await expect(pipeline(Readable.from(source), target)).rejects.toThrow('connection reset');
      expect(await readFile(path)).toEqual(bytes);
    }
  });

  it('writes a file smaller than one block in a single buffered write', async () => {
    const bytes = randomBytes(70_000);
    const path = join(dir, 'small');
    const written = await sink(path, irregularChunks(bytes), { flags: 'wx' });
    expect(await readFile(path)).toEqual(bytes);
    expect(written.written).toEqual({ direct: 0, buffered: bytes.length });
  });

  it('refuses to overwrite with flags wx', async () => {
    const path = join(dir, 'exists');
    await writeFile(path, 'already here');
    await expect(sink(path, [Buffer.from('new')], { flags: 'wx' })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('already here');
  });

  it('writes everything through the page cache when told not to use direct I/O', async () => {
    const bytes = randomBytes(3 * MiB + 1);
    const written = await sink(join(dir, 'file'), irregularChunks(bytes), { flags: 'wx', sync: true, direct: false });
    expect(await readFile(join(dir, 'file'))).toEqual(bytes);
    expect(written.written).toEqual({ direct: 0, buffered: bytes.length });
  });

  it('writes everything buffered, and correctly, where Node has no WebAssembly for aligned buffers (--jitless)', () => {
    const script = `
      const { randomBytes } = require('node:crypto');
      const { readFileSync } = require('node:fs');
      const { Readable } = require('node:stream');
      const { pipeline } = require('node:stream/promises');
      const { FileSink } = require(${JSON.stringify(join(ROOT, 'apps/api/src/contributions/storage/local-disk/direct-file-sink.ts'))});
      const bytes = randomBytes(3 * 1024 * 1024 + 5);
      const sink = new FileSink(${JSON.stringify(join(dir, 'jitless'))}, { flags: 'wx' });
      pipeline(Readable.from([bytes]), sink).then(() => {
        const same = Buffer.compare(readFileSync(${JSON.stringify(join(dir, 'jitless'))}), bytes) === 0;
        process.stdout.write(JSON.stringify({ wasm: typeof WebAssembly, written: sink.written, same }));
      });`;
    const run = spawnSync(process.execPath, ['--jitless', '--import', 'tsx', '--input-type=commonjs', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      wasm: 'undefined',
      written: { direct: 0, buffered: 3 * MiB + 5 },
      same: true,
    });
  });

  it.skipIf(!existsSync('/dev/shm'))('writes correctly on tmpfs, which older kernels refuse O_DIRECT on', async () => {
    const shm = await mkdtemp('/dev/shm/upstream-sink-');
    try {
      const bytes = randomBytes(3 * MiB + 1);
      const written = await sink(join(shm, 'file'), irregularChunks(bytes), { flags: 'wx', sync: true });
      expect(await readFile(join(shm, 'file'))).toEqual(bytes);
      expect(written.written.direct + written.written.buffered).toBe(bytes.length);
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });

  it('shares a bounded pool of aligned blocks: uploads beyond it are buffered, failed ones give their blocks back', async () => {
    // A source that fails after 3 MiB: its sink is destroyed mid-block.
    const failing = (async function* () {
      yield randomBytes(3 * MiB);
      throw new Error('connection reset');
    })();
    await expect(pipeline(Readable.from(failing), new FileSink(join(dir, 'failed'), { flags: 'wx' }))).rejects.toThrow(
      'connection reset',
    );

    const files = Array.from({ length: 20 }, () => randomBytes(2 * MiB + 10));
    const sinks = await Promise.all(
      files.map((bytes, i) => sink(join(dir, `f${i}`), irregularChunks(bytes, i + 1), { flags: 'wx' })),
    );
    for (const [i, bytes] of files.entries()) expect(await readFile(join(dir, `f${i}`))).toEqual(bytes);
    const direct = sinks.filter((s) => s.written.direct > 0).length;
    expect(direct).toBe(16); // 32 blocks, two per upload: all of them, the failed upload's included
    expect(sinks.filter((s) => s.written.direct === 0).every((s) => s.written.buffered === 2 * MiB + 10)).toBe(true);
  });
});
