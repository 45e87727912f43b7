import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPath } from '@upstream/provenance/node';
import { listFiles } from '../../../apps/cli/src/contribution/file-list';
import { run } from '../../../apps/cli/src/main';

const BAD_NAME = 'path "sub/bad\\xff" is not valid UTF-8: rename the file';

/** `upstream <args>` in-process; what it wrote to stderr and its exit code. */
async function upstream(args: string[]): Promise<{ stderr: string; exitCode: number }> {
  let stderr = '';
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    await run(['node', 'upstream', ...args]);
    return { stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    write.mockRestore();
    process.exitCode = undefined;
  }
}

describe('upstream upload/hash: file names that cannot be dataset paths', () => {
  let root: string;
  let dataset: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'upstream-names-'));
    dataset = join(root, 'dataset');
    mkdirSync(join(dataset, 'sub'), { recursive: true });
    writeFileSync(join(dataset, 'ok.txt'), 'fine');
    // sub/bad<0xff>: a name that is not UTF-8, as another system might leave on disk.
    writeFileSync(Buffer.concat([Buffer.from(join(dataset, 'sub')), Buffer.from([0x2f, 0x62, 0x61, 0x64, 0xff])]), 'x');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => vi.unstubAllEnvs());

  it('listFiles and hashPath refuse the name with INVALID_PATH, its bad byte escaped, not ENOENT', async () => {
    await expect(listFiles(dataset)).rejects.toMatchObject({ code: 'INVALID_PATH', field: 'path', reason: BAD_NAME });
    await expect(hashPath(dataset)).rejects.toMatchObject({ code: 'INVALID_PATH', field: 'path', reason: BAD_NAME });
  });

  it('upload refuses before it contacts the API, and prints the name escaped', async () => {
    vi.stubEnv('UPSTREAM_PRIVATE_KEY', '0x' + '11'.repeat(32));
    // Nothing listens on port 9: reaching the network would fail with a different error.
    const result = await upstream(['--api', 'http://127.0.0.1:9', 'upload', dataset, '--title', 'names']);
    expect(result).toEqual({ stderr: `upstream: INVALID_PATH path: ${BAD_NAME}\n`, exitCode: 1 });
  });

  it('hash prints the same refusal', async () => {
    expect(await upstream(['hash', dataset])).toEqual({
      stderr: `upstream: INVALID_PATH path: ${BAD_NAME}\n`,
      exitCode: 1,
    });
  });

  it('a file with a C1 control in its name is refused before upload, never printed raw', async () => {
    const dir = join(root, 'c1');
    mkdirSync(dir);
    writeFileSync(join(dir, 'next\u0085line.txt'), 'x');
    vi.stubEnv('UPSTREAM_PRIVATE_KEY', '0x' + '11'.repeat(32));
    const result = await upstream(['--api', 'http://127.0.0.1:9', 'upload', dir, '--title', 'names']);
    expect(result).toEqual({
      stderr: 'upstream: INVALID_PATH path: path "next\\u0085line.txt" contains the control character U+0085\n',
      exitCode: 1,
    });
  });
});
