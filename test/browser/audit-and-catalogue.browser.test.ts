import { Contract, Wallet } from 'ethers';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import { startTestApp, type TestApp } from '../support/app';
import { checkPage, launchChromium, overflowsHorizontally } from '../support/browser';
import { insertDatasetsBulk } from '../support/catalogue-fixtures';
import { openDisputeWith } from '../support/chain';
import { RoyaltyFixtures, type FixtureDataset } from '../support/royalty-fixtures';

// The read-only web app in Chromium, without a wallet, against the real service: the catalogue with
// its filters and paging, a dataset page, and the audit page rebuilding an epoch in the browser.
describe('web app, read-only: catalogue, dataset page, audit (Chromium)', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let parent: FixtureDataset, derived: FixtureDataset;
  const pageErrors: string[] = [];
  const addr = (i: number) => new Wallet(t.chain.privateKey(i)).address.toLowerCase();

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp({ EPOCH_INTERVAL_MS: '3600000' }), launchChromium()]);
    fx = RoyaltyFixtures.connect(t.database.url);
    const [A, B, P, LAB] = [3, 4, 6, 7].map(addr);
    // 25 datasets first, so the three named ones are the newest and a second page exists.
    await insertDatasetsBulk(t.database.url, 25, addr(8));
    parent = await fx.dataset({ title: 'Harbour photographs 1990–2000', owners: [{ account: P, shareBps: 10_000 }] });
    derived = await fx.dataset({
      title: 'Harbour photographs, captioned',
      owners: [
        { account: A, shareBps: 6_000 },
        { account: B, shareBps: 4_000 },
      ],
      parents: [{ dataset: parent, upstreamBps: 1_000 }],
    });
    const run = await fx.run({ lab: LAB, entries: [{ dataset: derived, weight: 3n }] });
    // The lab pays the run on the chain; the worker indexes it and settles epoch 1 (proposeRoot sent).
    const payer = t.chain.wallet(7);
    const tokenAddress = t.chain.deployment.contracts.PaymentToken!;
    const splitterAddress = t.chain.deployment.contracts.RoyaltySplitter;
    await (
      await new Contract(tokenAddress, artifacts.LocalToken.abi, payer).approve(splitterAddress, 1_000_001n)
    ).wait();
    await (
      await new Contract(splitterAddress, artifacts.RoyaltySplitter.abi, payer).payRun(
        run.runId,
        tokenAddress,
        1_000_001n,
      )
    ).wait();
    await t.tick();
    await t.tick();
    // Someone disputes the captioned photographs (after epoch 1 is settled): its page shows the dispute.
    await openDisputeWith(t.chain.deployment, t.chain.wallet(5), {
      datasetId: derived.contentRoot,
      label: 1,
      evidenceHash: `0x${'ab'.repeat(32)}`,
      evidenceUri: 'https://evidence.example/harbour',
      claimedOwners: [addr(5)],
      bond: 10_000_000n,
    });
    await t.tick();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await fx?.close();
    await t?.close();
  });

  it('opens the catalogue at /, says it is read-only without a wallet, and pages through datasets', async () => {
    await page.goto(`${t.baseUrl}/`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/app/datasets');
    await page.getByRole('heading', { name: 'Catalogue', level: 1 }).waitFor();
    await page.getByText('Read-only: no wallet found').waitFor();
    const cards = page.getByRole('list', { name: 'Datasets' }).getByRole('listitem');
    await expect.poll(() => cards.count()).toBe(20);
    expect(await cards.first().getByRole('heading').textContent()).toBe('Harbour photographs, captioned');

    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => cards.count()).toBe(7);
    expect(new URL(page.url()).searchParams.get('cursor')).toBeTruthy();
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => cards.count()).toBe(20);
  });

  it('filters by words and by owner, keeping the filters in the URL', async () => {
    await page.getByRole('searchbox', { name: 'Words' }).fill('harbour');
    await page.getByRole('button', { name: 'Search' }).click();
    const cards = page.getByRole('list', { name: 'Datasets' }).getByRole('listitem');
    await expect.poll(() => cards.count()).toBe(2);
    expect(new URL(page.url()).searchParams.get('q')).toBe('harbour');

    await page.getByRole('textbox', { name: 'Owner' }).fill(addr(6));
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => cards.count()).toBe(1);
    expect(await cards.first().getByRole('heading').textContent()).toBe('Harbour photographs 1990–2000');
  });

  it('shows a refused filter with the field the API names', async () => {
    await page.goto(`${t.baseUrl}/app/datasets?owner=not-an-address`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/400 VALIDATION_FAILED.*owner/s);
  });

  it('catalogue: no serious or critical axe violations, light and dark, at 1280 and 390 px', async () => {
    await page.goto(`${t.baseUrl}/app/datasets`);
    await page.getByRole('list', { name: 'Datasets' }).getByRole('listitem').first().waitFor();
    expect(await checkPage(page, 'catalogue')).toEqual({});
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('dataset page: owners and shares, lineage with the upstream share, the run that used it, anchoring', async () => {
    await page.getByRole('link', { name: 'Harbour photographs, captioned' }).click();
    await page.getByRole('heading', { name: 'Harbour photographs, captioned', level: 1 }).waitFor();
    const owners = page.getByRole('table', { name: 'Owners in signed order with their shares' });
    await expect.poll(() => owners.getByRole('row').count()).toBe(3);
    expect(await owners.textContent()).toContain(addr(3));
    expect(await owners.textContent()).toContain('60 %');
    expect(await owners.textContent()).toContain('40 %');
    const lineage = page.locator('section', { has: page.getByRole('heading', { name: 'Lineage' }) });
    await lineage.getByRole('link', { name: 'Harbour photographs 1990–2000' }).waitFor();
    expect(await lineage.textContent()).toContain('upstream share 10 %');
    // The lineage graph: this dataset and its parent, joined by an edge carrying the 10 % upstream share.
    const graph = page.getByTestId('lineage-graph');
    await graph.locator('.react-flow__node').nth(1).waitFor();
    expect(await graph.locator('.react-flow__node').allTextContents()).toEqual([
      'Harbour photographs, captioned',
      'Harbour photographs 1990–2000',
    ]);
    expect(await graph.locator('.react-flow__edge').count()).toBe(1);
    expect(await graph.locator('.react-flow__edge-text').textContent()).toBe('10 %');
    expect(await graph.getAttribute('aria-label')).toBe(
      'Lineage graph of Harbour photographs, captioned: 1 ancestor and 0 derived datasets, listed below.',
    );
    const runs = page.locator('section', { has: page.getByRole('heading', { name: 'Training runs that used it' }) });
    await runs.getByRole('cell', { name: 'fixture-model' }).waitFor();
    expect(await runs.textContent()).toContain('1,000,001');
    expect(await page.getByRole('heading', { name: 'Anchor status' }).isVisible()).toBe(true);
    // The open dispute: a badge under the title, and the dispute with its evidence link in its section.
    expect(await page.getByTestId('dataset-tags').textContent()).toBe('disputedopen dispute 1');
    const disputes = page.locator('section', { has: page.getByRole('heading', { name: 'Disputes' }) });
    await disputes.getByRole('link', { name: 'https://evidence.example/harbour' }).waitFor();
    expect(await disputes.textContent()).toContain('INFRINGEMENT');
    expect(await checkPage(page, 'dataset')).toEqual({});
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('dataset page: a click on a node of the lineage graph opens that dataset, whose graph shows what derives from it', async () => {
    await page
      .getByTestId('lineage-graph')
      .locator('.react-flow__node', { hasText: 'Harbour photographs 1990' })
      .click();
    await page.getByRole('heading', { name: 'Harbour photographs 1990–2000', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/app/datasets/${parent.id}`);
    const graph = page.getByTestId('lineage-graph');
    await graph.locator('.react-flow__node').nth(1).waitFor();
    expect(await graph.getAttribute('aria-label')).toContain('0 ancestors and 1 derived dataset');
    expect(await graph.locator('.react-flow__edge-text').textContent()).toBe('10 %');
  });

  it('audit: verifies epoch 1 in the browser against the chain and says MATCH, with the time taken', async () => {
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    await page.getByRole('textbox', { name: /JSON-RPC endpoint/ }).fill(t.chain.rpcUrl);
    await page.getByRole('button', { name: 'Verify epoch 1 in this browser' }).click();
    const verdict = page.getByTestId('verdict-1');
    await verdict.waitFor({ timeout: 30_000 });
    const text = (await verdict.textContent()) ?? '';
    expect(text).toMatch(/^MATCH — epoch 1 rebuilt in \d+ ms \(\d+ leaves from 1 payments\)/);
    const splitter = new Contract(
      t.chain.deployment.contracts.RoyaltySplitter,
      artifacts.RoyaltySplitter.abi,
      t.chain.provider,
    );
    const [proposed] = await splitter.queryFilter(splitter.filters.RootProposed(1));
    expect(text).toContain(String((proposed as unknown as { args: { root: string } }).args.root).toLowerCase());
    expect(await checkPage(page, 'audit')).toEqual({});
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('audit: says MISMATCH, and what differs, when the served epoch inputs are tampered with', async () => {
    // The owners' shares of the derived dataset are swapped in what the page receives.
    await page.route('**/epochs/1/inputs', async (route) => {
      const response = await route.fetch();
      const inputs = (await response.json()) as {
        datasets: Record<string, { owners: { account: string; shareBps: number }[] }>;
      };
      for (const owner of inputs.datasets[derived.contentRoot].owners) owner.shareBps = 10_000 - owner.shareBps;
      await route.fulfill({ response, json: inputs });
    });
    await page.reload();
    await page.getByRole('textbox', { name: /JSON-RPC endpoint/ }).fill(t.chain.rpcUrl);
    await page.getByRole('button', { name: 'Verify epoch 1 in this browser' }).click();
    const verdict = page.getByTestId('verdict-1');
    await verdict.waitFor({ timeout: 30_000 });
    const text = (await verdict.textContent()) ?? '';
    expect(text).toMatch(/^MISMATCH — epoch 1 rebuilt in \d+ ms/);
    expect(text).toContain("differs from the chain's");
    expect(text).toContain("differs from the API's root");
    await page.screenshot({ path: '.data/screenshots/audit-mismatch-1280-light.png', fullPage: true });
    await page.unroute('**/epochs/1/inputs');
  });

  it('threw no uncaught error in the page on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
