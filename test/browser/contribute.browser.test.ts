import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentRoot } from '@upstream/provenance';
import { startTestApp, type TestApp } from '../support/app';
import { checkPage, launchChromium, overflowsHorizontally } from '../support/browser';
import { injectWallet, type TestWallet } from '../support/browser-wallet';

// A contributor in Chromium picks files, hashes them in a Web Worker, uploads them with tus, signs the
// EIP-712 Contribution in its wallet and registers: the API then holds the dataset and its bytes.
describe('web app, contribute: pick, hash in a worker, upload, sign, register (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wallet: TestWallet;
  let dir: string;
  const files: { name: string; bytes: Buffer }[] = [
    { name: 'notes.txt', bytes: Buffer.from('field notes, day one\n') },
    { name: 'recording.bin', bytes: randomBytes(3 * 1024 * 1024 + 17) },
    { name: 'README.md', bytes: Buffer.from('# Field recordings\n') },
  ];
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const pageErrors: string[] = [];
  const CONTRIBUTOR = 4;

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    dir = await mkdtemp(join(tmpdir(), 'upstream-web-contribute-'));
    for (const f of files) await writeFile(join(dir, f.name), f.bytes);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    wallet = await injectWallet(page, { privateKey: t.chain.privateKey(CONTRIBUTOR), provider: t.chain.provider });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('asks for a wallet and a sign-in first', async () => {
    await page.goto(`${t.baseUrl}/app/contribute`);
    await page.getByText('Contributing needs a wallet').waitFor();
    await page.getByRole('button', { name: `Connect ${wallet.name}` }).click();
    await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();
    await page.getByRole('heading', { name: '1. Pick the data' }).waitFor();
  });

  it('hashes the picked files in a Web Worker to the content root Node computes', async () => {
    await page.getByLabel('Or files').setInputFiles(files.map((f) => join(dir, f.name)));
    const root = page.getByTestId('content-root');
    await root.waitFor({ timeout: 30_000 });
    const expected = await contentRoot(
      files.map((f) => ({ path: f.name, size: f.bytes.length, sha256: sha256(f.bytes) })),
    );
    expect(await root.textContent()).toBe(expected);
    expect(await page.getByRole('region', { name: 'Picked files' }).getByRole('row').count()).toBe(4);
    expect(await checkPage(page, 'contribute')).toEqual({});
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('uploads the bytes, signs the Contribution in the wallet and registers the dataset', async () => {
    await page.getByLabel('Title').fill('Field recordings, day one');
    await page.getByLabel('Description').fill('Three files from the browser.');
    await page.getByRole('button', { name: 'Upload, sign and register' }).click();
    await page.getByRole('heading', { name: 'Registered' }).waitFor({ timeout: 60_000 });
    expect(wallet.requests).toContain('eth_signTypedData_v4');

    const root = await contentRoot(files.map((f) => ({ path: f.name, size: f.bytes.length, sha256: sha256(f.bytes) })));
    const detail = (await t.http.get(`/datasets/${root}`).expect(200)).body;
    expect(detail).toMatchObject({
      title: 'Field recordings, day one',
      description: 'Three files from the browser.',
      storage: 'uploaded',
      accessPolicy: 'public',
      fileCount: 3,
      owners: [{ account: new Wallet(t.chain.privateKey(CONTRIBUTOR)).address.toLowerCase(), shareBps: 10_000 }],
    });
    for (const f of files) {
      const blob = await t.http
        .get(`/blobs/${sha256(f.bytes)}`)
        .buffer(true)
        .expect(200);
      expect(sha256(blob.body as Buffer)).toBe(sha256(f.bytes));
    }
    await page.getByRole('link', { name: 'Field recordings, day one' }).click();
    await page.getByRole('heading', { name: 'Field recordings, day one', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'recording.bin', exact: true }).waitFor();
  });

  it('checks a local file against the dataset: VERIFIED for its bytes, NOT IN THIS DATASET for changed ones', async () => {
    await page.getByLabel('Your file').setInputFiles(join(dir, 'notes.txt'));
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText(/^VERIFIED: notes\.txt/).waitFor();
    const changed = join(dir, 'changed');
    await mkdir(changed);
    await writeFile(join(changed, 'notes.txt'), 'field notes, day two\n');
    await page.getByLabel('Your file').setInputFiles(join(changed, 'notes.txt'));
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText(/^NOT IN THIS DATASET: the dataset's notes\.txt has SHA-256/).waitFor();
    expect(await checkPage(page, 'dataset-with-files')).toEqual({});
  });

  it('threw no uncaught error in the page on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
