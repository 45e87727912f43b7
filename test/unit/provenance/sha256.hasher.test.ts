import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Sha256PassThrough, sha256File, sha256Stream } from '@upstream/provenance/node';

const dir = mkdtempSync(join(tmpdir(), 'upstream-sha-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256sum = (path: string) => execFileSync('sha256sum', [path]).toString().split(' ')[0];

describe('streaming SHA-256', () => {
  it('agrees with sha256sum for random content', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200_000 }), async (bytes) => {
        const file = join(dir, `f${n++}`);
        writeFileSync(file, bytes);
        const result = await sha256File(file);
        expect(result.sha256).toBe(sha256sum(file));
        expect(result.size).toBe(BigInt(bytes.length));
      }),
      { numRuns: 25 },
    );
  });

  it('hashes a stream split into arbitrary chunks the same as the whole', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 20 }), async (chunks) => {
        const whole = Buffer.concat(chunks);
        const file = join(dir, 'whole');
        writeFileSync(file, whole);
        const streamed = await sha256Stream(Readable.from(chunks.map((c) => Buffer.from(c))));
        expect(streamed.sha256).toBe(sha256sum(file));
      }),
      { numRuns: 15 },
    );
  });

  it('hashes bytes passing through to another writer, which receives them unchanged', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 17, 'upstream');
    const file = join(dir, 'through');
    writeFileSync(file, data);
    const received: Buffer[] = [];
    const hasher = new Sha256PassThrough();
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        received.push(chunk);
        cb();
      },
    });
    await pipeline(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), hasher, sink);
    expect(Buffer.concat(received).equals(data)).toBe(true);
    expect(await hasher.done).toEqual({ sha256: sha256sum(file), size: BigInt(data.length) });
  });
});
