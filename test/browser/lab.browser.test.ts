import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, Wallet } from 'ethers';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import { buildContentTree, buildRunEntriesTree, verifyRunEntryProof, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import { checkPage, launchChromium, overflowsHorizontally } from '../support/browser';
import { injectWallet, type TestWallet } from '../support/browser-wallet';

// A lab in Chromium with its wallet: licenses a dataset whose terms carry a fee (signs the terms, approves
// and pays through the wallet, sees it activate) and a free one, records a run from a dropped manifest
// (checked before signing, signed, uploaded in chunks), pays the run and checks its provenance.
describe('web app, lab: a lab licenses, pays and records a run (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wallet: TestWallet;
  let dir: string;
  let domain: UpstreamDomain;
  let token: Contract;
  let paid: { id: string; contentRoot: string };
  let free: { id: string; contentRoot: string };
  let runPath: string;
  const FEE = 250n * 10n ** 6n;
  const ROYALTY = 4_000n * 10n ** 6n;
  const LAB = 6;
  const MODEL_HASH = '0x' + '7e'.repeat(32);
  const pageErrors: string[] = [];
  const runRequests: string[] = [];
  const lab = () => new Wallet(t.chain.privateKey(LAB)).address.toLowerCase();

  async function register(
    ownerIndex: number,
    title: string,
    license: Parameters<typeof signRegistration>[1]['license'],
  ) {
    const owner = new Wallet(t.chain.privateKey(ownerIndex));
    const tree = await buildContentTree([
      { path: `${title}.jsonl`, size: 4096n, sha256: createHash('sha256').update(title).digest('hex') },
    ]);
    const body = await signRegistration(owner, {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title,
      domain,
      license,
      externalUri: `s3://datasets/${title.toLowerCase().replace(/\W+/g, '-')}/`,
    });
    const res = await (await t.as(owner)).post('/datasets').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.id as string, contentRoot: tree.root };
  }

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp({ EPOCH_INTERVAL_MS: '3600000' }), launchChromium()]);
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    const tokenAddress = t.chain.deployment.contracts.PaymentToken!;
    token = new Contract(tokenAddress, artifacts.LocalToken.abi, t.chain.provider);
    paid = await register(3, 'Paid news corpus', {
      template: 'paid-per-run',
      fee: { token: tokenAddress, amount: FEE.toString() },
    });
    free = await register(4, 'Open recipes', { template: 'open-training' });
    dir = await mkdtemp(join(tmpdir(), 'upstream-web-lab-'));
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname.startsWith('/runs'))
        runRequests.push(new URL(request.url()).pathname);
    });
    wallet = await injectWallet(page, { privateKey: t.chain.privateKey(LAB), provider: t.chain.provider });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('goes from the dataset page to the Lab, signs the terms and waits for the fee', async () => {
    await page.goto(`${t.baseUrl}/app/datasets/${paid.id}`);
    await page.getByRole('link', { name: 'License it in the Lab' }).click();
    await page.getByRole('heading', { name: 'Lab', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Paid news corpus' }).waitFor();
    await page.getByText(/a fee of 250,000,000/).waitFor();
    await page.getByRole('button', { name: `Connect ${wallet.name}` }).click();
    await page.getByRole('button', { name: 'Sign the terms and license' }).click();
    await page.getByTestId('license-status').getByText('pending_payment').waitFor();
    expect(wallet.requests).toContain('eth_signTypedData_v4');
    const licenses = (await t.http.get(`/labs/${lab()}/licenses`).expect(200)).body;
    expect(licenses.items).toHaveLength(1);
    expect(licenses.items[0]).toMatchObject({ datasetId: paid.contentRoot, status: 'pending_payment' });
  });

  it('approves and pays the fee through the wallet; the license turns active once the indexer sees it', async () => {
    const before = (await token.balanceOf(lab())) as bigint;
    await page.getByRole('button', { name: 'Approve and pay the fee' }).click();
    const done = page.getByTestId('paid');
    await done.waitFor({ timeout: 30_000 });
    const hash = ((await done.textContent()) ?? '').split(': ')[1];
    const receipt = await t.chain.provider.getTransactionReceipt(hash);
    expect(receipt?.status).toBe(1);
    expect(receipt?.to?.toLowerCase()).toBe(t.chain.deployment.contracts.RoyaltySplitter.toLowerCase());
    expect((await token.balanceOf(lab())) as bigint).toBe(before - FEE);
    await t.tick();
    await page.getByTestId('license-status').getByText('active', { exact: true }).waitFor({ timeout: 15_000 });
    const license = (await t.http.get(`/labs/${lab()}/licenses`).expect(200)).body.items[0];
    expect(license).toMatchObject({ status: 'active', activationTx: hash });
  });

  it('licenses a free dataset at once, and lists both under "My licenses"', async () => {
    await page.getByLabel('Dataset (content root or id)').fill(free.contentRoot);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('link', { name: 'Open recipes' }).waitFor();
    await page.getByRole('button', { name: 'Sign the terms and license' }).click();
    await page.getByTestId('license-status').getByText('active', { exact: true }).waitFor();
    const mine = page.getByRole('region', { name: 'My licenses' });
    await expect.poll(() => mine.getByText('active', { exact: true }).count()).toBe(2);
  });

  it('drops a JSON manifest and names its problems before anything is signed', async () => {
    await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();
    await page.getByRole('status').filter({ hasText: 'Signed in' }).waitFor();
    const manifest = {
      modelName: 'newsroom-lm',
      modelHash: MODEL_HASH,
      weightUnit: 'tokens',
      startedAt: '2026-11-20T08:00:00Z',
      endedAt: '2026-11-22T18:00:00Z',
      entries: [
        { datasetId: paid.contentRoot, weight: 900 },
        { datasetId: free.id, weight: 0 },
      ],
    };
    // A real drag and drop: a File in a DataTransfer, dropped on the zone.
    const transfer = await page.evaluateHandle(
      `(() => { const data = new DataTransfer(); data.items.add(new File([${JSON.stringify(JSON.stringify(manifest))}], 'run.json', { type: 'application/json' })); return data; })()`,
    );
    await page.getByTestId('manifest-drop').dispatchEvent('drop', { dataTransfer: transfer });
    await page.getByText('Read run.json: 2 entries.').waitFor();
    expect(await page.getByLabel('Model name').inputValue()).toBe('newsroom-lm');
    const problems = page.getByRole('alert').filter({ hasText: 'The manifest cannot be signed yet' });
    await problems.getByText('entries[1].weight').waitFor();
    expect(await problems.textContent()).toContain('entries[1].weight: must be a positive integer');
    expect(await page.getByRole('button', { name: 'Check the manifest' }).isDisabled()).toBe(true);
    expect(await checkPage(page, 'lab')).toEqual({});
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('takes the entries from a CSV instead, builds the entries root Node builds, signs and uploads it in chunks', async () => {
    const csv = join(dir, 'entries.csv');
    // The free dataset by its id: the page signs its content root, as the CLI does.
    await writeFile(csv, `datasetId,weight\n${paid.contentRoot},900\n${free.id},300\n`);
    await page.getByLabel('Or pick the manifest file').setInputFiles(csv);
    await page.getByText('Read entries.csv: 2 entries.').waitFor();
    expect(await page.getByText('The manifest cannot be signed yet').count()).toBe(0);
    await page.getByRole('button', { name: 'Check the manifest' }).click();
    const root = page.getByTestId('entries-root');
    await root.waitFor();
    const expected = await buildRunEntriesTree([
      { datasetId: paid.contentRoot, weight: 900n },
      { datasetId: free.contentRoot, weight: 300n },
    ]);
    expect(await root.textContent()).toBe(expected.root);
    await page.getByText('total weight 1,200 tokens').waitFor();

    await page.getByRole('button', { name: 'Sign and record the run' }).click();
    const recorded = page.getByRole('link', { name: /^run 0x/ });
    await recorded.waitFor({ timeout: 30_000 });
    // Two entries go up in two chunks: POST /runs with the first, POST /runs/:id/entries with the second,
    // then the commit.
    expect(runRequests).toEqual([
      '/runs',
      expect.stringMatching(/^\/runs\/[0-9a-f-]{36}\/entries$/),
      expect.stringMatching(/^\/runs\/[0-9a-f-]{36}\/commit$/),
    ]);
    runPath = new URL((await recorded.getAttribute('href'))!, t.baseUrl).pathname;
    const runs = (await t.http.get(`/datasets/${free.id}/runs`).expect(200)).body;
    expect(runs.items).toHaveLength(1);
    expect(runs.items[0]).toMatchObject({ lab: lab(), modelName: 'newsroom-lm', weight: '300', totalWeight: '1200' });
    expect(runPath).toBe(`/app/runs/${runs.items[0].id}`);
  });

  it('opens the run: a refused amount names its field, then the run is paid through the wallet', async () => {
    await page.getByRole('link', { name: /^run 0x/ }).click();
    await page.getByRole('heading', { name: 'Run of newsroom-lm', level: 1 }).waitFor();
    await page.getByText('Nothing paid for this run yet.').waitFor();
    await page.getByLabel('Royalty (smallest token units)').fill('12abc');
    await page.getByRole('button', { name: 'Prepare the payment' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The payment could not be prepared' });
    await refusal.waitFor();
    expect(await refusal.getByRole('listitem').first().textContent()).toMatch(/^amount: /);

    await page.getByLabel('Royalty (smallest token units)').fill(ROYALTY.toString());
    await page.getByRole('button', { name: 'Prepare the payment' }).click();
    await page.getByRole('button', { name: 'Approve and pay the run' }).click();
    const done = page.getByTestId('paid');
    await done.waitFor({ timeout: 30_000 });
    const hash = ((await done.textContent()) ?? '').split(': ')[1];
    expect((await t.chain.provider.getTransactionReceipt(hash))?.status).toBe(1);
    await t.tick();
    const payments = page.getByRole('region', { name: 'Payments' });
    await payments.getByRole('cell', { name: ROYALTY.toLocaleString('en') }).waitFor({ timeout: 15_000 });
    const run = (await t.http.get(`/runs/${runPath.split('/').at(-1)}`).expect(200)).body;
    expect(run.paid).toMatchObject([{ amount: ROYALTY.toString(), payments: 1 }]);
  });

  it('shows which data trained it, checks the entry proofs in the browser and offers the Croissant', async () => {
    const id = runPath.split('/').at(-1)!;
    const table = page.getByRole('region', { name: 'Datasets of the run' });
    await table.getByRole('link', { name: 'Paid news corpus', exact: true }).waitFor();
    await table.getByRole('link', { name: 'Open recipes', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Check these entry proofs in this browser' }).click();
    await page.getByText('VALID: all 2 entries are in the signed entries root.').waitFor();
    // The proof the page links to verifies in Node too.
    const proofHref = await table.getByRole('link', { name: /entry proof of Open recipes/ }).getAttribute('href');
    const proof = (await t.http.get(proofHref!).expect(200)).body;
    const run = (await t.http.get(`/runs/${id}`).expect(200)).body;
    expect(await verifyRunEntryProof(run.entriesRoot, { datasetId: free.contentRoot, weight: 300n }, proof.proof)).toBe(
      true,
    );
    const croissant = page.getByRole('link', { name: 'Download the Croissant (JSON-LD) of its datasets' });
    expect(await croissant.getAttribute('download')).toMatch(/\.croissant\.json$/);
    const doc = (await t.http.get((await croissant.getAttribute('href'))!).expect(200)).body;
    expect(JSON.stringify(doc)).toContain('Open recipes');
    expect(await checkPage(page, 'run')).toEqual({});
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('threw no uncaught error in the page on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
