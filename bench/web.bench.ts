// Web app benchmark (issue 14). Builds nothing itself (`npm run bench:web` builds first), then:
//  - initialJsGzipKiB: the JavaScript the catalogue's page loads before anything else (the entry script
//    and its modulepreloads in dist/apps/web/index.html), gzipped as the service sends it; every asset's
//    gzipped size beside it (pages past the catalogue load on demand);
//  - catalogueInteractiveMs: the built service (`npm start`'s way, embedded PostgreSQL and anvil) with
//    BENCH_WEB_DATASETS (10,000) datasets; a cold Chromium opens /app/datasets; the time from navigation
//    start (Chromium's performance timing) until the first page of datasets is rendered and its controls
//    live; baseline: the same page's API call (GET /datasets?limit=20) from Node in the same run;
//  - verifyEpochMs: "Verify epoch 1 in this browser" on an epoch of BENCH_WEB_LEAVES (10,000) leaves (one
//    dataset with that many owners, one paid run), as the page reports it (inputs rebuilt with
//    @upstream/royalties, payments and root read from the chain), and of it the rebuild alone
//    (browserRebuildMs); baseline: rebuildEpoch on the same inputs in Node in the same run;
//  - browserHashMBps: the contribute page hashing a BENCH_WEB_HASH_MIB (1,024) MiB file in its Web Worker
//    (the rate it shows, MB = 10^6 bytes), checked equal to sha256sum's digest; baseline: sha256sum on
//    the same file, page cache warm, in the same run (browserHashRatio, target >= 0.5).
// Prints one JSON object and writes bench/results/web.json.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Contract, JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import { Client } from 'pg';
import { artifacts, LocalChain } from '@upstream/chain';
import { EmbeddedPostgres } from '@upstream/database';
import { rebuildEpoch, type EpochInputs } from '@upstream/royalties';
import { launchChromium } from '../test/support/browser';
import { injectWallet } from '../test/support/browser-wallet';
import { insertDatasetsBulk } from '../test/support/catalogue-fixtures';
import { freePort } from '../test/support/ports';
import { RoyaltyFixtures } from '../test/support/royalty-fixtures';
import { ROOT, spawnService, waitForHealth } from '../test/support/service-process';

const DATASETS = Number(process.env.BENCH_WEB_DATASETS ?? 10_000);
const LEAVES = Number(process.env.BENCH_WEB_LEAVES ?? 10_000);
const HASH_MIB = Number(process.env.BENCH_WEB_HASH_MIB ?? 1024);
const WEB_DIR = join(ROOT, 'dist/apps/web');
const log = (message: string) => process.stderr.write(`[bench:web] ${message}\n`);
const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function bundleSizes(): { initialJsGzipKiB: number; initialFiles: string[]; assetsGzipKiB: Record<string, number> } {
  const html = readFileSync(join(WEB_DIR, 'index.html'), 'utf8');
  const initialFiles = [
    ...html.matchAll(/<script type="module"[^>]*src="\/assets\/([^"]+)"/g),
    ...html.matchAll(/<link rel="modulepreload"[^>]*href="\/assets\/([^"]+)"/g),
  ].map((m) => m[1]);
  const gz = (file: string) => gzipSync(readFileSync(join(WEB_DIR, 'assets', file))).length;
  const assetsGzipKiB = Object.fromEntries(
    readdirSync(join(WEB_DIR, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => [f, kib(gz(f))] as const)
      .sort((a, b) => b[1] - a[1]),
  );
  return { initialJsGzipKiB: kib(initialFiles.reduce((sum, f) => sum + gz(f), 0)), initialFiles, assetsGzipKiB };
}

async function main(): Promise<void> {
  const sizes = bundleSizes();
  log(`initial JS ${sizes.initialJsGzipKiB} KiB gzipped (${sizes.initialFiles.join(', ')})`);

  const dir = mkdtempSync(join(tmpdir(), 'upstream-bench-web-'));
  const pg = await EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: await freePort() });
  const admin = new Client({ connectionString: pg.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE upstream');
  await admin.end();
  const databaseUrl = pg.url('upstream');
  const port = await freePort();
  const chainPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const rpcUrl = `http://127.0.0.1:${chainPort}`;
  const service = spawnService({
    DATA_DIR: join(dir, 'data'),
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    LOCAL_CHAIN_PORT: String(chainPort),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000',
    EPOCH_INTERVAL_MS: '1000',
  });
  const browser = await launchChromium();
  const fx = RoyaltyFixtures.connect(databaseUrl);
  try {
    await waitForHealth(baseUrl, service, 120_000);

    // ---- the catalogue with DATASETS datasets ----
    await insertDatasetsBulk(databaseUrl, DATASETS, new Wallet(LocalChain.devPrivateKey(8)).address, 'bench-web');
    const apiTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const res = await fetch(`${baseUrl}/datasets?limit=20`);
      await res.json();
      apiTimes.push(performance.now() - started);
    }
    const interactive: number[] = [];
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${baseUrl}/app/datasets`);
      await page.getByRole('list', { name: 'Datasets' }).getByRole('listitem').nth(19).waitFor();
      await page.getByRole('button', { name: 'Next page' }).isEnabled();
      // performance.now() counts from the navigation's start (Chromium's navigation timing origin).
      interactive.push(await page.evaluate<number>('performance.now()'));
      await context.close();
    }
    const catalogueInteractiveMs = Math.round(median(interactive));
    const catalogueApiMs = Math.round(median(apiTimes) * 10) / 10;
    log(`catalogue interactive ${catalogueInteractiveMs} ms (API alone ${catalogueApiMs} ms)`);

    // ---- an epoch of LEAVES leaves ----
    const chain = (await (await fetch(`${baseUrl}/chain`)).json()) as { royaltySplitter: string; paymentToken: string };
    const owners = Array.from({ length: LEAVES }, () => ({
      account: Wallet.createRandom().address.toLowerCase(),
      shareBps: 10_000 / LEAVES,
    }));
    if (!Number.isInteger(10_000 / LEAVES)) throw new Error('BENCH_WEB_LEAVES must divide 10,000');
    const dataset = await fx.dataset({ title: 'bench epoch dataset', owners });
    const lab = new Wallet(LocalChain.devPrivateKey(7));
    const run = await fx.run({ lab: lab.address, entries: [{ dataset, weight: 1n }] });
    const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 });
    const payer = new NonceManager(lab.connect(provider));
    await (
      await new Contract(chain.paymentToken, artifacts.LocalToken.abi, payer).approve(chain.royaltySplitter, 10n ** 12n)
    ).wait();
    await (
      await new Contract(chain.royaltySplitter, artifacts.RoyaltySplitter.abi, payer).payRun(
        run.runId,
        chain.paymentToken,
        10n ** 12n,
      )
    ).wait();
    const deadline = Date.now() + 180_000;
    for (;;) {
      const res = await fetch(`${baseUrl}/epochs/1`);
      if (res.ok && ((await res.json()) as { proposeTx: string | null }).proposeTx) break;
      if (Date.now() > deadline) throw new Error(`epoch 1 was not proposed in 3 minutes:\n${service.output()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Let the indexer see RootProposed before the page looks for it.
    await new Promise((r) => setTimeout(r, 3000));
    const inputs = (await (await fetch(`${baseUrl}/epochs/1/inputs`)).json()) as EpochInputs;
    const nodeTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await rebuildEpoch(inputs);
      nodeTimes.push(performance.now() - started);
    }
    const browserTimes: number[] = [];
    const rebuildTimes: number[] = [];
    let leaves = 0;
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${baseUrl}/app/audit`);
      await page.getByRole('textbox', { name: /JSON-RPC endpoint/ }).fill(rpcUrl);
      await page.getByRole('button', { name: 'Verify epoch 1 in this browser' }).click();
      const verdict = page.getByTestId('verdict-1');
      await verdict.waitFor({ timeout: 120_000 });
      const text = (await verdict.textContent()) ?? '';
      const match = /^MATCH — epoch 1 rebuilt in (\d+) ms \((\d+) leaves/.exec(text);
      if (!match) throw new Error(`the page did not say MATCH: ${text}`);
      browserTimes.push(Number(match[1]));
      rebuildTimes.push(Number(await page.getByTestId('rebuild-ms-1').getAttribute('data-rebuild-ms')));
      leaves = Number(match[2]);
      await context.close();
    }
    const verifyEpochMs = median(browserTimes);
    const nodeRebuildMs = Math.round(median(nodeTimes));
    log(
      `verify epoch (${leaves} leaves) ${verifyEpochMs} ms in Chromium (rebuild ${median(rebuildTimes)} ms), rebuild ${nodeRebuildMs} ms in Node`,
    );

    // ---- the contribute page hashing a HASH_MIB file, vs sha256sum on the same file ----
    const bigFile = join(dir, 'big.bin');
    const fd = openSync(bigFile, 'w');
    const block = randomBytes(64 * 1024 * 1024);
    for (let written = 0; written < HASH_MIB; written += 64)
      writeSync(fd, block, 0, Math.min(64, HASH_MIB - written) * 1024 * 1024);
    closeSync(fd);
    const bytesHashed = HASH_MIB * 1024 * 1024;
    spawnSync('sha256sum', [bigFile]); // warm the page cache for both
    const started = performance.now();
    const summed = spawnSync('sha256sum', [bigFile], { encoding: 'utf8' });
    const sha256sumMBps = Math.round((bytesHashed / 1e6 / ((performance.now() - started) / 1000)) * 10) / 10;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await injectWallet(page, { privateKey: LocalChain.devPrivateKey(5), provider });
    await page.goto(`${baseUrl}/app/contribute`);
    await page.getByRole('button', { name: /^Connect / }).click();
    await page.getByRole('button', { name: 'Sign in with Ethereum' }).click();
    await page.getByLabel('Or files').setInputFiles(bigFile);
    const rootShown = page.getByTestId('content-root');
    await rootShown.waitFor({ timeout: 600_000 });
    const statusText = (await page.getByText(/file hashed at [\d.]+ MB\/s/).textContent()) ?? '';
    const browserHashMBps = Number(/at ([\d.]+) MB\/s/.exec(statusText)?.[1]);
    const shownSha = await page.getByRole('region', { name: 'Picked files' }).locator('code').getAttribute('title');
    if (shownSha !== summed.stdout.split(' ')[0])
      throw new Error(`the page's SHA-256 ${shownSha} is not sha256sum's ${summed.stdout}`);
    await context.close();
    provider.destroy();
    log(`hashing ${HASH_MIB} MiB: ${browserHashMBps} MB/s in Chromium, sha256sum ${sha256sumMBps} MB/s`);

    const result = {
      initialJsGzipKiB: sizes.initialJsGzipKiB,
      initialJsTargetKiB: 250,
      initialFiles: sizes.initialFiles,
      datasets: DATASETS,
      catalogueInteractiveMs,
      catalogueApiMs,
      catalogueInteractiveToApiRatio: Math.round((catalogueInteractiveMs / catalogueApiMs) * 10) / 10,
      epochLeaves: leaves,
      verifyEpochMs,
      browserRebuildMs: median(rebuildTimes),
      nodeRebuildMs,
      browserToNodeRebuildRatio: Math.round((median(rebuildTimes) / nodeRebuildMs) * 100) / 100,
      hashedMiB: HASH_MIB,
      browserHashMBps,
      sha256sumMBps,
      browserHashRatio: Math.round((browserHashMBps / sha256sumMBps) * 100) / 100,
      assetsGzipKiB: sizes.assetsGzipKiB,
    };
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/web.json'), JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await browser.close();
    await fx.close();
    service.child.kill('SIGTERM');
    await service.exited;
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
