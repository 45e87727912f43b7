import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, contentRoot, licenseTerms, licenseTermsHash, takedownTypedData } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import { checkPage, launchChromium, overflowsHorizontally } from '../support/browser';
import { insertDataset, type FixtureDataset } from '../support/catalogue-fixtures';
import { injectWallet, type TestWallet } from '../support/browser-wallet';

// A contributor in Chromium picks a folder (the directory picker, or a drop), hashes it in a Web Worker,
// names a co-owner and a parent, sets paid terms with a license duration, is refused by field for a duration
// out of range and shares that do not add up, uploads with tus, signs the EIP-712 Contribution in its wallet,
// registers, and follows the anchoring to its transaction.
describe('web app, contribute: pick or drop, hash in a worker, co-own, derive, sign, register, anchor (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wallet: TestWallet;
  let dir: string;
  const files: { name: string; bytes: Buffer }[] = [
    { name: 'notes.txt', bytes: Buffer.from('field notes, day one\n') },
    { name: 'audio/recording.bin', bytes: randomBytes(3 * 1024 * 1024 + 17) },
    { name: 'README.md', bytes: Buffer.from('# Field recordings\n') },
  ];
  let parent: FixtureDataset;
  let remix: { id: string; contentRoot: string };
  const CO_OWNER = 5;
  const FEE = 2_500_000n;
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const pageErrors: string[] = [];
  const CONTRIBUTOR = 4;
  const address = (i: number) => new Wallet(t.chain.privateKey(i)).address;
  const expectedRoot = () =>
    contentRoot(files.map((f) => ({ path: f.name, size: f.bytes.length, sha256: sha256(f.bytes) })));

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp(), launchChromium()]);
    dir = await mkdtemp(join(tmpdir(), 'upstream-web-contribute-'));
    await mkdir(join(dir, 'field', 'audio'), { recursive: true });
    for (const f of files) await writeFile(join(dir, 'field', f.name), f.bytes);
    parent = await insertDataset(t.database.url, { title: 'Upstream field notes' });
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

  it('hashes a folder from the directory picker in a Web Worker to the content root Node computes', async () => {
    await page.getByLabel('A folder').setInputFiles(join(dir, 'field'));
    const root = page.getByTestId('content-root');
    await root.waitFor({ timeout: 30_000 });
    expect(await root.textContent()).toBe(await expectedRoot());
    expect(await page.getByRole('region', { name: 'Picked files' }).getByRole('row').count()).toBe(4);
    await page.getByRole('cell', { name: 'audio/recording.bin', exact: true }).waitFor();
    expect(await checkPage(page, 'contribute')).toEqual({});
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('a drop on the page (a DataTransfer of files) is hashed the same way, by name', async () => {
    const dropped = [
      { name: 'a.txt', text: 'first\n' },
      { name: 'b.txt', text: 'second\n' },
    ];
    const transfer = await page.evaluateHandle(
      `(() => { const data = new DataTransfer(); for (const f of ${JSON.stringify(dropped)}) data.items.add(new File([f.text], f.name)); return data; })()`,
    );
    await page.getByTestId('folder-drop').dispatchEvent('drop', { dataTransfer: transfer });
    await page.getByText('2 files hashed').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('content-root').textContent()).toBe(
      await contentRoot(
        dropped.map((f) => ({ path: f.name, size: f.text.length, sha256: sha256(Buffer.from(f.text)) })),
      ),
    );
    // Back to the folder for the rest of the journey.
    await page.getByLabel('A folder').setInputFiles(join(dir, 'field'));
    await page.getByText('3 files hashed').waitFor({ timeout: 30_000 });
  });

  it('refuses a duration out of range and shares that do not add up by field, before anything is uploaded or signed', async () => {
    await page.getByLabel('Title').fill('Field recordings, day one');
    await page.getByLabel('Description').fill('Three files from the browser.');
    await page.getByRole('button', { name: 'Add a co-owner' }).click();
    await page.getByRole('textbox', { name: 'Owner 2', exact: true }).fill(address(CO_OWNER));
    await page.getByLabel('Share 1 (%)').fill('70');
    await page.getByLabel('Share 2 (%)').fill('40');
    await page.getByRole('button', { name: 'Add a parent' }).click();
    await page.getByRole('textbox', { name: 'Parent dataset (content root or id) 1', exact: true }).fill(parent.id);
    await page.getByLabel('Upstream share 1 (%)').fill('12.5');
    await page.locator('select[name="license"]').selectOption('paid-per-run');
    await page.getByLabel('Fee per run (smallest token units)').fill(FEE.toString());
    await page.getByLabel('License duration in days').fill('3651');
    await page.getByLabel('Who may fetch the bytes').selectOption('public');
    await page.getByRole('button', { name: 'Upload, sign and register' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Contributing failed' });
    await refusal.waitFor();
    // The duration by the terms' own rule (libs/provenance checkLicenseDuration), the shares by the API's.
    expect(await refusal.getByRole('listitem').allTextContents()).toEqual([
      'license.durationDays: durationDays must be an integer from 1 to 3650',
      'owners: shareBps must sum to 10000, got 11000',
    ]);
    expect(wallet.requests).not.toContain('eth_signTypedData_v4');
  });

  it('uploads the bytes, signs the Contribution in the wallet, registers and follows the anchoring', async () => {
    await page.getByLabel('Share 2 (%)').fill('30');
    await page.getByLabel('License duration in days').fill('365');
    await page.getByRole('button', { name: 'Upload, sign and register' }).click();
    await page.getByRole('heading', { name: 'Registered' }).waitFor({ timeout: 60_000 });
    expect(wallet.requests).toContain('eth_signTypedData_v4');
    await page
      .getByTestId('anchor-state')
      .getByText(/^Pending|^Batched/)
      .waitFor();

    const root = await expectedRoot();
    const { paymentToken } = (await t.http.get('/chain').expect(200)).body as { paymentToken: string };
    const detail = (await t.http.get(`/datasets/${root}`).expect(200)).body;
    expect(detail).toMatchObject({
      title: 'Field recordings, day one',
      description: 'Three files from the browser.',
      storage: 'uploaded',
      accessPolicy: 'public',
      fileCount: 3,
      owners: [
        { account: address(CONTRIBUTOR).toLowerCase(), shareBps: 7_000 },
        { account: address(CO_OWNER).toLowerCase(), shareBps: 3_000 },
      ],
      parents: [{ contentRoot: parent.contentRoot, upstreamBps: 1_250 }],
      license: {
        template: 'paid-per-run',
        terms: {
          fee: { kind: 'per-run', token: paymentToken.toLowerCase(), amount: FEE.toString() },
          durationDays: 365,
        },
      },
    });
    // The signed terms hash is the one the libs compute for these terms, duration included.
    expect(detail.license.termsHash).toBe(
      licenseTermsHash(licenseTerms('paid-per-run', { token: paymentToken, amount: FEE }, { durationDays: 365 })),
    );
    for (const f of files) {
      const blob = await t.http
        .get(`/blobs/${sha256(f.bytes)}`)
        .buffer(true)
        .expect(200);
      expect(sha256(blob.body as Buffer)).toBe(sha256(f.bytes));
    }

    // The worker batches it and sends the root; the page follows until the registry holds it.
    const anchored = page.getByTestId('anchor-state').getByText(/^Anchored in block \d+ \(.+\): 0x[0-9a-f]{64}$/);
    for (let i = 0; i < 10 && !(await anchored.isVisible()); i++) {
      await t.tick();
      await page.waitForTimeout(1_600);
    }
    await anchored.waitFor({ timeout: 10_000 });
    const txHash = ((await anchored.textContent()) ?? '').split(': ')[1];
    expect((await t.chain.provider.getTransactionReceipt(txHash))?.status).toBe(1);
    expect(await checkPage(page, 'contribute-anchored')).toEqual({});

    await page.getByRole('link', { name: 'Field recordings, day one' }).click();
    await page.getByRole('heading', { name: 'Field recordings, day one', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'audio/recording.bin', exact: true }).waitFor();
    expect(await page.getByTestId('license-duration').textContent()).toBe(
      'A license lasts 365 days from when it becomes active.',
    );
  }, 120_000);

  it('checks a local file against the dataset: VERIFIED for its bytes, NOT IN THIS DATASET for changed ones', async () => {
    await page.getByLabel('Your file').setInputFiles(join(dir, 'field', 'notes.txt'));
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

  it('a later dataset sharing its recording shows on its page with the shared bytes; its near-duplicate check has run', async () => {
    // The co-owner derives a remix from it through the API (as the CLI would), declaring it as the parent.
    const signer = new Wallet(t.chain.privateKey(CO_OWNER));
    const http = await t.as(signer);
    const take = Buffer.from('a second take, same recording\n');
    await http.put('/blobs').set('content-type', 'application/octet-stream').send(take).expect(200);
    const recording = files.find((f) => f.name === 'audio/recording.bin')!.bytes;
    const tree = await buildContentTree([
      { path: 'recording.bin', size: BigInt(recording.length), sha256: sha256(recording) },
      { path: 'take.txt', size: BigInt(take.length), sha256: sha256(take) },
    ]);
    const domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    const body = await signRegistration(signer, {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title: 'Field recordings, remix',
      parents: [{ datasetId: await expectedRoot(), upstreamBps: 2_000 }],
      domain,
    });
    remix = (await http.post('/datasets').send(body).expect(201)).body;
    await t.tick();

    await page.reload();
    const shared = page.getByRole('region', { name: 'Shared files' });
    await shared.getByRole('radio', { name: 'datasets registered since' }).check();
    const row = shared.getByRole('row').filter({ hasText: 'Field recordings, remix' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      expect.stringContaining('Field recordings, remix'),
      'declared lineage',
      '1',
      expect.stringMatching(/^3 MiB \(\d+(\.\d)? %\)$/),
      expect.any(String),
    ]);
    await page
      .getByTestId('similarity-status')
      .getByText(/^Compared /)
      .waitFor({ timeout: 15_000 });
    expect(await checkPage(page, 'dataset-integrity')).toEqual({});
  });

  it("the remix's owner takes it down: its page says so, with the reason and the signer", async () => {
    const signer = new Wallet(t.chain.privateKey(CO_OWNER));
    const domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    const message = {
      datasetId: remix.contentRoot,
      reason: 'consent withdrawn',
      deleteBytes: false,
      nonce: BigInt('0x' + randomBytes(8).toString('hex')),
      deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
    };
    const td = takedownTypedData(domain, message);
    await t.http
      .post(`/datasets/${remix.id}/takedown`)
      .send({
        reason: message.reason,
        deleteBytes: false,
        signer: signer.address,
        nonce: message.nonce.toString(),
        deadline: Number(message.deadline),
        signature: await signer.signTypedData(td.domain, td.types, td.message),
      })
      .expect(201);
    await page.goto(`${t.baseUrl}/app/datasets/${remix.id}`);
    const status = page.getByRole('region', { name: 'Taken down' });
    await status.waitFor();
    const text = (await status.textContent()) ?? '';
    expect(text).toContain('consent withdrawn');
    expect(text.toLowerCase()).toContain(signer.address.toLowerCase());
    expect(text).toContain('Its bytes were kept.');
    // Registered without a duration: its licenses never end.
    expect(await page.getByTestId('license-duration').textContent()).toBe('A license does not expire.');
    expect(await checkPage(page, 'dataset-taken-down')).toEqual({});
  });

  it('threw no uncaught error in the page on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
