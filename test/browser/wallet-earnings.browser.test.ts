import { Contract, Wallet } from 'ethers';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import { startTestApp, type TestApp } from '../support/app';
import { checkPage, launchChromium, overflowsHorizontally } from '../support/browser';
import { injectWallet, type TestWallet } from '../support/browser-wallet';
import { RoyaltyFixtures } from '../support/royalty-fixtures';

/** The part of a page's <canvas> the test reads (the root tsconfig has no DOM types). */
interface PaintedCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

// A contributor with a wallet in Chromium: the wallet is found through EIP-6963, signs in with SIWE,
// and claims its royalties with one claimMany sent from the page; the chain's balance changes.
describe('web app with a wallet: sign in with Ethereum, see earnings, claim all (Chromium)', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wallet: TestWallet;
  let token: Contract;
  const CONTRIBUTOR = 3;
  const pageErrors: string[] = [];
  const addr = (i: number) => new Wallet(t.chain.privateKey(i)).address.toLowerCase();

  beforeAll(async () => {
    [t, browser] = await Promise.all([startTestApp({ EPOCH_INTERVAL_MS: '3600000' }), launchChromium()]);
    fx = RoyaltyFixtures.connect(t.database.url);
    const dataset = await fx.dataset({
      title: 'Field recordings',
      owners: [{ account: addr(CONTRIBUTOR), shareBps: 10_000 }],
    });
    const run = await fx.run({ lab: addr(7), entries: [{ dataset, weight: 1n }] });
    const tokenAddress = t.chain.deployment.contracts.PaymentToken!;
    const splitterAddress = t.chain.deployment.contracts.RoyaltySplitter;
    token = new Contract(tokenAddress, artifacts.LocalToken.abi, t.chain.provider);
    const payer = t.chain.wallet(7);
    await (
      await new Contract(tokenAddress, artifacts.LocalToken.abi, payer).approve(splitterAddress, 2_000_000n)
    ).wait();
    await (
      await new Contract(splitterAddress, artifacts.RoyaltySplitter.abi, payer).payRun(
        run.runId,
        tokenAddress,
        2_000_000n,
      )
    ).wait();
    // Index the payment, settle epoch 1, pass the root delay, accept it: the contributor can claim.
    await t.tick();
    await t.tick();
    await t.chain.provider.send('evm_increaseTime', [61]);
    await t.chain.provider.send('evm_mine', []);
    await t.tick();
    await t.tick();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    wallet = await injectWallet(page, { privateKey: t.chain.privateKey(CONTRIBUTOR), provider: t.chain.provider });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await fx?.close();
    await t?.close();
  });

  it('finds the wallet announced by EIP-6963 and connects to it', async () => {
    await page.goto(`${t.baseUrl}/app/earnings`);
    await page.getByRole('heading', { name: 'Earnings', level: 1 }).waitFor();
    expect(await page.getByText('Read-only').count()).toBe(0);
    await page.getByRole('button', { name: `Connect ${wallet.name}` }).click();
    await page.getByText(`Account ${addr(CONTRIBUTOR)} (your wallet).`).waitFor();
    expect(wallet.requests).toContain('eth_requestAccounts');
  });

  it('signs in with Ethereum: the wallet signs the SIWE message and the API opens a session for it', async () => {
    await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();
    await page.getByRole('status').filter({ hasText: 'Signed in' }).waitFor();
    expect(wallet.requests).toContain('personal_sign');
    const token = await page.evaluate<string | null>('sessionStorage.getItem("upstream.session")');
    expect(token).toMatch(/^ups_s_/);
    const caller = await t.http.get('/auth/session').set('Authorization', `Bearer ${token}`).expect(200);
    expect(caller.body.account).toBe(addr(CONTRIBUTOR));
  });

  it('shows what is claimable per token, with a gas estimate for Claim all', async () => {
    const balances = (await t.http.get(`/contributors/${addr(CONTRIBUTOR)}/balances`).expect(200)).body;
    const claimable = BigInt(balances.balances[0].claimable);
    expect(claimable).toBeGreaterThan(0n);
    const table = page.getByRole('region', { name: 'Balances' });
    await table
      .getByRole('cell', { name: claimable.toLocaleString('en') })
      .first()
      .waitFor();
    await page.getByText(/Estimated gas: [\d,]+/).waitFor();
    // The chart: epoch 1 settled the whole payment's share, all from the one dataset.
    const earned = BigInt(balances.balances[0].earned);
    const byEpoch = page.getByTestId('earnings-by-epoch');
    await byEpoch.getByRole('rowheader', { name: 'Field recordings' }).waitFor();
    expect(await byEpoch.getByRole('columnheader').allTextContents()).toEqual(['Dataset', 'epoch 1']);
    expect(await byEpoch.getByRole('cell').allTextContents()).toEqual([earned.toLocaleString('en')]);
    const chart = page.getByRole('img', { name: /^Stacked bars of earnings per epoch \(epoch 1\)/ });
    await chart.waitFor();
    // Chart.js drew bars on the canvas (not a blank one).
    await expect
      .poll(() =>
        chart.evaluate((canvas: PaintedCanvas) => {
          const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
          let painted = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
          return painted;
        }),
      )
      .toBeGreaterThan(1000);
    expect(await checkPage(page, 'earnings')).toEqual({});
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('claims all from the browser: confirmed with the transaction hash, and the on-chain balance grows by the claimable amount', async () => {
    const claimable = BigInt(
      (await t.http.get(`/contributors/${addr(CONTRIBUTOR)}/balances`).expect(200)).body.balances[0].claimable,
    );
    const before = (await token.balanceOf(addr(CONTRIBUTOR))) as bigint;
    await page.getByRole('button', { name: 'Claim all' }).click();
    const confirmed = page.getByText(/^Confirmed in block \d+: 0x[0-9a-f]{64}$/);
    await confirmed.waitFor({ timeout: 30_000 });
    const hash = ((await confirmed.textContent()) ?? '').split(': ')[1];
    const receipt = await t.chain.provider.getTransactionReceipt(hash);
    expect(receipt?.status).toBe(1);
    expect(receipt?.from.toLowerCase()).toBe(addr(CONTRIBUTOR));
    expect(receipt?.to?.toLowerCase()).toBe(t.chain.deployment.contracts.RoyaltySplitter.toLowerCase());
    expect((await token.balanceOf(addr(CONTRIBUTOR))) as bigint).toBe(before + claimable);
    expect(wallet.requests).toContain('eth_sendTransaction');
  });

  it('verifies epoch 1 reading the chain through the wallet', async () => {
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByText(`Through your wallet (${wallet.name}).`).waitFor();
    await page.getByRole('button', { name: 'Verify epoch 1 in this browser' }).click();
    const verdict = page.getByTestId('verdict-1');
    await verdict.waitFor({ timeout: 30_000 });
    // One balance leaf and, beside it, the contributor's earned votes leaf.
    expect(await verdict.textContent()).toMatch(/^MATCH — epoch 1 rebuilt in \d+ ms \(2 leaves from 1 payments\)/);
    expect(wallet.requests).toContain('eth_getLogs');
  });

  it('threw no uncaught error in the page on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
