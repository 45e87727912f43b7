import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canonicalEntries,
  canonicalOrder,
  comparePaths,
  decodeFileName,
  normalizeEntryPath,
  normalizeFileEntry,
  quotePath,
} from '@upstream/provenance';
import { hashPath, listPath, type HashProgress } from '@upstream/provenance/node';
import { acceptedPathVectors, refusedPathVectors } from '../../vectors/vectors';

const sha = 'ab'.repeat(32);
/** Refused with INVALID_PATH on the field `path`, the reason being `path "<quoted>" <reason>`. */
const refusedPath = (path: string, reason: string) => {
  expect(() => normalizeEntryPath(path)).toThrow(
    expect.objectContaining({ code: 'INVALID_PATH', field: 'path', reason: `path ${quotePath(path)} ${reason}` }),
  );
};

describe('entry path normalisation (docs/reference/merkle-leaves.md: Content root rules)', () => {
  it.each(acceptedPathVectors.map((v) => [v.why, v] as const))('accepts: %s', (_why, v) => {
    expect(normalizeEntryPath(v.input)).toBe(v.output);
  });

  it.each(refusedPathVectors.map((v) => [v.why, v] as const))('refuses: %s', (_why, v) => {
    refusedPath(v.input, v.reason);
  });

  const shortAccepted = acceptedPathVectors.filter((v) => v.input.length < 100);
  it('normalises each segment of a longer path as it normalises it alone, whatever the separators', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...shortAccepted), { minLength: 1, maxLength: 5 }),
        fc.array(fc.constantFrom('/', '\\'), { minLength: 4, maxLength: 4 }),
        (parts, separators) => {
          const input = parts.map((p, i) => (i === 0 ? '' : separators[i - 1]) + p.input).join('');
          const output = parts.map((p) => p.output).join('/');
          expect(normalizeEntryPath(input)).toBe(output);
          expect(normalizeEntryPath(output)).toBe(output);
        },
      ),
    );
  });

  it('refuses a refused character wherever it sits in a path, with the same reason', () => {
    const characters = refusedPathVectors.filter((v) => v.reason.startsWith('contains'));
    fc.assert(
      fc.property(
        fc.constantFrom(...characters),
        fc.constantFrom(...shortAccepted),
        fc.constantFrom(...shortAccepted),
        (bad, before, after) => refusedPath(`${before.output}/${bad.input}/${after.output}`, bad.reason),
      ),
    );
  });

  it('quotes paths for messages with refused characters escaped', () => {
    expect(quotePath('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quotePath('a\u0085b\u2028c\u{e0001}')).toBe('"a\\u0085b\\u2028c\\u{e0001}"');
    expect(quotePath('plain é')).toBe('"plain é"');
    expect(() => decodeFileName(Buffer.from([0x61, 0xff, 0x62]), 'dir/')).toThrow('"dir/a\\xffb" is not valid UTF-8');
    expect(decodeFileName(Buffer.from('ok é', 'utf8'))).toBe('ok é');
  });
});

describe('file entries', () => {
  it('normalises size and digest, and refuses each bad field by name', () => {
    expect(normalizeFileEntry({ path: 'a\\b', size: '12', sha256: '0x' + sha.toUpperCase() })).toEqual({
      path: 'a/b',
      size: 12n,
      sha256: sha,
    });
    expect(normalizeFileEntry({ path: 'a', size: (1n << 64n) - 1n, sha256: sha }).size).toBe((1n << 64n) - 1n);
    expect(normalizeFileEntry({ path: 'a', size: 0, sha256: sha }).size).toBe(0n);
    for (const size of [-1n, 1n << 64n, 1.5, 'x'] as const)
      expect(() => normalizeFileEntry({ path: 'a', size, sha256: sha })).toThrow(
        expect.objectContaining({ code: 'INVALID_ENTRY', field: 'size' }),
      );
    for (const digest of [sha.slice(1), sha + 'a', '0X' + sha, 'zz' + sha.slice(2), ' ' + sha, 5 as never])
      expect(() => normalizeFileEntry({ path: 'a', size: 1, sha256: digest })).toThrow(
        expect.objectContaining({ code: 'INVALID_ENTRY', field: 'sha256' }),
      );
  });

  it('puts any paths in the order of their UTF-8 bytes, with or without characters past U+D7FF', () => {
    const unit = fc.oneof(
      fc.constantFrom('a', 'b', 'Z', '-', '/', '\u00e9', '\ud7ff', '\ue000', '\uffee', '\ufffd'),
      fc.constantFrom('\u{1f600}', '\u{10000}', '\u{10ffff}'),
    );
    const path = fc.array(unit, { minLength: 1, maxLength: 6 }).map((units) => units.join(''));
    fc.assert(
      fc.property(fc.uniqueArray(path, { minLength: 1, maxLength: 30 }), (paths) => {
        const entries = paths.map((p) => ({ path: p, size: 1n, sha256: sha }));
        const order = canonicalOrder(entries).map((i) => paths[i]);
        expect(order).toEqual([...paths].sort(comparePaths));
      }),
    );
    const twice = [
      { path: '\u{1f600}', size: 1n, sha256: sha },
      { path: '\u{1f600}', size: 2n, sha256: sha },
    ];
    expect(() => canonicalOrder(twice)).toThrow(expect.objectContaining({ code: 'DUPLICATE_PATH', field: 'path' }));
  });

  it('sorts by UTF-8 bytes (not UTF-16 units) and refuses duplicates after normalisation and empty lists', () => {
    const paths = ['\u{1f600}', '\ufffd', 'B', 'a', 'a/b', 'a-b'];
    expect(canonicalEntries(paths.map((path) => ({ path, size: 1, sha256: sha }))).map((e) => e.path)).toEqual([
      'B',
      'a',
      'a-b',
      'a/b',
      '\ufffd',
      '\u{1f600}',
    ]);
    expect(comparePaths('\ufffd', '\u{1f600}')).toBeLessThan(0);
    expect(comparePaths('b', 'a')).toBeGreaterThan(0);
    expect(comparePaths('a', 'a')).toBe(0);
    expect(() =>
      canonicalEntries([
        { path: 'a/b', size: 1, sha256: sha },
        { path: 'a\\b', size: 2, sha256: sha },
      ]),
    ).toThrow(expect.objectContaining({ code: 'DUPLICATE_PATH', field: 'path' }));
    expect(() =>
      canonicalEntries([
        { path: 'caf\u00e9', size: 1, sha256: sha },
        { path: 'cafe\u0301', size: 1, sha256: sha },
      ]),
    ).toThrow(expect.objectContaining({ code: 'DUPLICATE_PATH' }));
    expect(() => canonicalEntries([])).toThrow(expect.objectContaining({ code: 'EMPTY_DATASET', field: 'entries' }));
  });
});

describe('hashPath and listPath on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'upstream-rules-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('counts every byte of a multi-MiB file once, in totalBytes and in progress', async () => {
    const dir = join(root, 'big');
    mkdirSync(dir);
    const bytes = Buffer.alloc(5 * 1024 * 1024 + 123, 7);
    writeFileSync(join(dir, 'big.bin'), bytes);
    writeFileSync(join(dir, 'small.txt'), 'abc');
    const progress: HashProgress[] = [];
    const result = await hashPath(dir, { onProgress: (p) => progress.push({ ...p }), concurrency: 1 });
    const total = BigInt(bytes.length + 3);
    expect(result.totalBytes).toBe(total);
    expect(result.entries).toEqual([
      { path: 'big.bin', size: BigInt(bytes.length), sha256: createHash('sha256').update(bytes).digest('hex') },
      { path: 'small.txt', size: 3n, sha256: createHash('sha256').update('abc').digest('hex') },
    ]);
    expect(progress.every((p) => p.bytesTotal === total && p.bytesDone <= total && p.filesTotal === 2)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ filesDone: 2, bytesDone: total });
    const bytesDone = progress.map((p) => p.bytesDone);
    expect(bytesDone).toEqual([...bytesDone].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const listing = await listPath(dir);
    expect(listing).toMatchObject({ kind: 'directory', totalBytes: total, emptyDirectories: [] });
    expect(listing.files.map((f) => [f.entryPath, f.size])).toEqual([
      ['big.bin', BigInt(bytes.length)],
      ['small.txt', 3n],
    ]);
  });

  it('refuses a FIFO inside a folder and as the path itself', async () => {
    const dir = join(root, 'fifo');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.txt'), 'x');
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    await expect(hashPath(dir)).rejects.toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE', field: 'path' });
    await expect(listPath(join(dir, 'pipe'))).rejects.toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE' });
  });

  it('lists a folder as its files then its subfolders, depth first, with entry paths relative to it', async () => {
    const dir = join(root, 'walk');
    mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
    mkdirSync(join(dir, 'hollow'));
    writeFileSync(join(dir, 'sub', 'deeper', 'd.txt'), 'dd');
    writeFileSync(join(dir, 'top.txt'), 't');
    const listing = await listPath(dir, { concurrency: 0 });
    expect(listing.files.map((f) => f.entryPath)).toEqual(['top.txt', 'sub/deeper/d.txt']);
    expect(listing.emptyDirectories).toEqual(['hollow']);
    expect(listing.totalBytes).toBe(3n);
  });
});
