import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentRoot } from '@upstream/provenance';
import { hashPath, type HashProgress } from '@upstream/provenance/node';

const root = mkdtempSync(join(tmpdir(), 'upstream-path-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('hashPath', () => {
  it('hashes a folder of many small files, recursively, matching sha256sum', async () => {
    const dir = folder('many');
    // Mutation runs repeat this per mutant: a tenth of the files.
    const count = process.env.UPSTREAM_MUTATION_RUN ? 300 : 3000;
    for (let d = 0; d < 30; d++) mkdirSync(join(dir, `shard-${d}`, 'inner'), { recursive: true });
    for (let i = 0; i < count; i++)
      writeFileSync(join(dir, `shard-${i % 30}`, i % 2 ? 'inner' : '', `file-${i}.txt`), `sample ${i}\n`);
    const progress: HashProgress[] = [];
    const result = await hashPath(dir, { onProgress: (p) => progress.push(p) });
    expect(result.kind).toBe('directory');
    expect(result.entries).toHaveLength(count);
    expect(result.entries.map((e) => e.path)).toEqual([...result.entries.map((e) => e.path)].sort());
    const sample = result.entries.find((e) => e.path === 'shard-7/inner/file-7.txt')!;
    expect(sample.sha256).toBe(
      execFileSync('sha256sum', [join(dir, 'shard-7/inner/file-7.txt')])
        .toString()
        .slice(0, 64),
    );
    expect(result.contentRoot).toBe(await contentRoot(result.entries));
    const last = progress.at(-1)!;
    expect(last.filesDone).toBe(count);
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(result.totalBytes).toBe(last.bytesTotal);
  });

  it('names a single file by its file name and agrees with the same folder hashed', async () => {
    const dir = folder('single');
    writeFileSync(join(dir, 'corpus.jsonl'), '{"text":"hello"}\n');
    const single = await hashPath(join(dir, 'corpus.jsonl'));
    expect(single.kind).toBe('file');
    expect(single.entries.map((e) => e.path)).toEqual(['corpus.jsonl']);
    expect(single.contentRoot).toBe((await hashPath(dir)).contentRoot);
  });

  it('reports empty directories and refuses symlinks and empty datasets', async () => {
    const dir = folder('links');
    writeFileSync(join(dir, 'real.txt'), 'x');
    mkdirSync(join(dir, 'empty', 'deeper'), { recursive: true });
    expect((await hashPath(dir)).emptyDirectories).toEqual(['empty', 'empty/deeper']);
    symlinkSync(join(dir, 'real.txt'), join(dir, 'link.txt'));
    await expect(hashPath(dir)).rejects.toMatchObject({ code: 'SYMLINK_REFUSED' });
    await expect(hashPath(join(dir, 'link.txt'))).rejects.toMatchObject({ code: 'SYMLINK_REFUSED' });
    await expect(hashPath(join(dir, 'empty'))).rejects.toMatchObject({ code: 'EMPTY_DATASET' });
  });

  it('refuses a folder with a file name that cannot be a canonical path', async () => {
    const dir = folder('badname');
    writeFileSync(join(dir, 'line\nbreak.txt'), 'x');
    await expect(hashPath(dir)).rejects.toMatchObject({ code: 'INVALID_PATH' });
  });
});
