import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { CLI_BUILT, runCli } from '../support/cli';

/** Every file under `dir`, as relative path -> bytes. */
async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path));
  }
  return files;
}

/**
 * A lab fetches a contributor's licensed dataset through the built `upstream` CLI, as a user would:
 * refused until it licenses, then a verified download that survives interruption and corruption,
 * an API key for its training cluster, and the session commands (`npm test` builds the CLI first).
 */
describe.skipIf(!CLI_BUILT)('lab CLI: upstream download of a licensed dataset', () => {
  let t: TestApp;
  let work: string;
  let source: string;
  let datasetId: string;
  /** Someone with a signing key: the CLI signs in with it by itself. */
  type Signer = { address: string; privateKey: string };
  const contributor = Wallet.createRandom();
  const lab = Wallet.createRandom();

  /** `upstream <args>` as `who`, each with a home of its own (sessions.json), against the test API. */
  const as = (who: Signer | null, args: string[], env: Record<string, string> = {}) =>
    runCli(['--api', t.baseUrl, '--json', ...args], {
      UPSTREAM_HOME: join(work, 'home', who ? who.address : 'nobody'),
      UPSTREAM_PRIVATE_KEY: who ? who.privateKey : '',
      UPSTREAM_API_KEY: '',
      ...env,
    });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'upstream-cli-download-'));
    t = await startTestApp({ DATA_DIR: join(work, 'data') });
    source = join(work, 'corpus');
    await mkdir(join(source, 'shards'), { recursive: true });
    await writeFile(join(source, 'README.txt'), 'street cats, research only\n');
    await writeFile(join(source, 'shards', 'a.bin'), randomBytes(3 * 1024 * 1024 + 7));
    await writeFile(join(source, 'shards', 'b.bin'), randomBytes(1024 * 1024));
    await writeFile(join(source, 'shards', 'c.bin'), randomBytes(200_001));
  });
  afterAll(async () => {
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the contributor uploads a folder as research-only, which makes it licensed', async () => {
    const res = await as(contributor, ['upload', source, '--title', 'Street cats', '--license', 'research-only']);
    expect(res.code, res.stderr).toBe(0);
    datasetId = (JSON.parse(res.stdout) as { id: string }).id;
    const detail = await t.http.get(`/datasets/${datasetId}`).expect(200);
    expect(detail.body).toMatchObject({ accessPolicy: 'licensed', fileCount: 4 });
  });

  it('refuses the lab with exit code 3, naming the license to acquire', async () => {
    const res = await as(lab, ['download', datasetId, '--out', join(work, 'refused')]);
    expect(res.code, res.stderr).toBe(3);
    expect(res.stderr).toContain('LICENSE_REQUIRED');
    expect(res.stderr).toContain(`upstream license ${datasetId}`);
  });

  it('after `upstream license`, downloads every file byte for byte', async () => {
    const licensed = await as(lab, ['license', datasetId]);
    expect(licensed.code, licensed.stderr).toBe(0);
    expect((JSON.parse(licensed.stdout) as { license: { status: string } }).license.status).toBe('active');

    const out = join(work, 'out');
    const res = await as(lab, ['download', datasetId, '--out', out, '--concurrency', '2']);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ datasetId, files: 4, alreadyThere: 0, resumed: 0 });
    expect(await readTree(out)).toEqual(await readTree(source));
  });

  it('resumes a truncated .part and re-fetches a corrupted file', async () => {
    const out = join(work, 'out');
    const a = join(out, 'shards', 'a.bin');
    const b = join(out, 'shards', 'b.bin');
    const full = await readFile(a);
    // An interrupted run: a.bin only got its first MiB into a.bin.part.
    await rm(a);
    await writeFile(`${a}.part`, full.subarray(0, 1024 * 1024));
    // A complete-looking b.bin with one byte flipped.
    const corrupted = await readFile(b);
    corrupted[1000] ^= 0xff;
    await writeFile(b, corrupted);

    const res = await as(lab, ['download', datasetId, '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      files: 4,
      resumed: 1,
      alreadyThere: 2,
      fetchedBytes: full.length - 1024 * 1024 + corrupted.length,
    });
    expect(await readTree(out)).toEqual(await readTree(source));
    await expect(stat(`${a}.part`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('downloads with an API key of scope download, and not once it is revoked', async () => {
    const created = await as(lab, ['keys', 'create', '--scope', 'download', '--expires', '1', '--label', 'cluster']);
    expect(created.code, created.stderr).toBe(0);
    const { key, apiKey } = JSON.parse(created.stdout) as { key: string; apiKey: { id: string } };

    // The cluster has the key only: no signing key, no session.
    const out = join(work, 'with-key');
    const withKey = await as(null, ['download', datasetId, '--out', out], { UPSTREAM_API_KEY: key });
    expect(withKey.code, withKey.stderr).toBe(0);
    expect(await readTree(out)).toEqual(await readTree(source));

    const listed = await as(lab, ['keys', 'list']);
    expect(JSON.parse(listed.stdout)).toMatchObject({ items: [expect.objectContaining({ id: apiKey.id })] });
    const revoked = await as(lab, ['keys', 'revoke', apiKey.id]);
    expect(revoked.code, revoked.stderr).toBe(0);

    const after = await as(null, ['download', datasetId, '--out', join(work, 'after-revoke')], {
      UPSTREAM_API_KEY: key,
    });
    expect(after.code).toBe(3);
    expect(after.stderr).toMatch(/401 CREDENTIAL_INVALID: authorization: the credential was revoked/);
  });

  it('login, whoami and logout round trip through the saved session', async () => {
    const login = await as(lab, ['login']);
    expect(login.code, login.stderr).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ account: lab.address.toLowerCase() });

    // No signing key: whoami answers from the session login saved.
    const me = await as(lab, ['whoami'], { UPSTREAM_PRIVATE_KEY: '' });
    expect(me.code, me.stderr).toBe(0);
    expect(JSON.parse(me.stdout)).toMatchObject({ account: lab.address.toLowerCase(), via: 'session' });

    const logout = await as(lab, ['logout'], { UPSTREAM_PRIVATE_KEY: '' });
    expect(logout.code, logout.stderr).toBe(0);
    expect(JSON.parse(logout.stdout)).toEqual({ revoked: 1 });

    const gone = await as(lab, ['whoami'], { UPSTREAM_PRIVATE_KEY: '' });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('401');
  });
});
