// Training-run ingestion benchmark: a 1,000,000-entry manifest accepted through the running API.
// Starts its own embedded PostgreSQL, runs the built service against it (`npm run build` first),
// creates 1,000,000 datasets and the lab's licenses with a bulk SQL fixture, then times
// POST /runs + 19 chunks of 50,000 + commit. Baseline in the same run: PostgreSQL's COPY of the same
// 1,000,000 entry rows (position, content root, weight) from this process into a plain table (no keys,
// no checks), `ratioToCopy` = acceptSeconds / copySeconds. Prints one JSON object and writes bench/results/runs.json.
//
// Two floors, measured in the same run, bound what any acceptance that keeps run_entries as it is can reach:
// - `floor.copyIndexedSeconds`: COPY of the same rows, as run_entries stores them (run uuid, position,
//   dataset uuid, weight), into a copy of run_entries with its indexes (a run's entries in order; which runs
//   used a dataset) and nothing else: no parsing, no checks, no hashing;
// - `floor.entriesRootSeconds`: rebuilding the signed entries root from the entries on one thread
//   (libs/provenance `buildRunEntriesTree`), which the service must do before it records a run as signed.
import { writeBenchResult } from './support/results';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Wallet } from 'ethers';
import { LocalChain } from '@upstream/chain';
import { EmbeddedPostgres } from '@upstream/database';
import { buildRunEntriesTree, type UpstreamDomain } from '@upstream/provenance';
import { insertActiveLicensesForOwner, insertDatasetsBulk, signRunManifest } from '../test/support/catalogue-fixtures';
import { freePort } from '../test/support/ports';
import { signInWith } from '../apps/cli/src/auth/authenticator';
import { spawnService, waitForHealth } from '../test/support/service-process';

const ENTRIES = Number(process.env.BENCH_RUN_ENTRIES ?? 1_000_000);
const CHUNK = 50_000;

const log = (message: string) => process.stderr.write(`[bench:runs] ${message}\n`);

function vmHwmMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round((kib / 1024) * 10) / 10;
}

/**
 * Seconds to COPY `count` rows, as text from this process (`line(i)`, built CHUNK rows at a time as they
 * are sent), into `table`, made by `create` before the clock starts and dropped after.
 */
async function copySeconds(
  databaseUrl: string,
  table: { name: string; create: string; columns: string },
  count: number,
  line: (i: number) => string,
): Promise<number> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(table.create);
    await c.query('CHECKPOINT');
    const started = performance.now();
    await pipeline(
      Readable.from(
        (function* () {
          for (let offset = 0; offset < count; offset += CHUNK) {
            let text = '';
            for (let i = offset; i < Math.min(count, offset + CHUNK); i++) text += line(i);
            yield text;
          }
        })(),
      ),
      c.query(copyFrom(`COPY ${table.name} (${table.columns}) FROM STDIN`)),
    );
    const seconds = (performance.now() - started) / 1000;
    await c.query(`DROP TABLE ${table.name}`);
    return seconds;
  } finally {
    await c.end();
  }
}

/**
 * Waits until the worker has batched every anchor item and sent every anchoring transaction, then gives the
 * fixture's tables their planner statistics and visibility map, as a catalogue built over months has them (in
 * a trial at 1,000,000 entries, a commit that began before autovacuum had analyzed the new licenses took 71 s
 * where the same copy took 23 s once it had).
 */
async function fixtureSettled(databaseUrl: string): Promise<void> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await waitForAnchoring(c);
    await c.query(`VACUUM ANALYZE datasets, dataset_owners, licenses, anchor_items`);
  } finally {
    await c.end();
  }
}

async function waitForAnchoring(c: Client): Promise<void> {
  for (;;) {
    const { rows } = await c.query<{ waiting: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM anchor_items WHERE batch_id IS NULL)
             OR EXISTS (SELECT 1 FROM outbox_transactions WHERE status IN ('pending', 'signed')) AS waiting`,
    );
    if (!rows[0].waiting) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The lab's session (runs need the signed-in lab). */
let session = '';

async function post(baseUrl: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${session}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upstream-bench-runs-'));
  const pg = await EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: await freePort() });
  const admin = new Client({ connectionString: pg.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE upstream');
  await admin.end();
  const databaseUrl = pg.url('upstream');

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const service = spawnService({
    DATA_DIR: join(dir, 'data'),
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    LOCAL_CHAIN_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000',
    // The fixture's registrations are anchored in a few large batches before the timed phase (a catalogue of
    // 1,000,000 datasets was anchored long before a lab records a run): at the default 100 a batch, the worker
    // would be building 10,000 batches and sending their transactions while the run is timed.
    ANCHOR_BATCH_SIZE: '100000',
  });
  try {
    await waitForHealth(baseUrl, service, 120_000);
    const domain = ((await (await fetch(`${baseUrl}/chain`)).json()) as { eip712Domain: UpstreamDomain }).eip712Domain;
    const lab = new Wallet(LocalChain.devPrivateKey(7));
    session = (await signInWith(baseUrl, lab)).token;
    const owner = new Wallet(LocalChain.devPrivateKey(8)).address;

    let started = Date.now();
    const roots = await insertDatasetsBulk(databaseUrl, ENTRIES, owner, 'bench');
    await insertActiveLicensesForOwner(databaseUrl, lab.address, owner);
    await fixtureSettled(databaseUrl);
    log(
      `fixture: ${ENTRIES} datasets and licenses, anchored and analyzed, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const weights = roots.map((_, i) => BigInt(1 + (i % 4096)));
    started = Date.now();
    const signed = await signRunManifest(lab, domain, {
      entries: roots.map((datasetId, i) => ({ datasetId, weight: weights[i] })),
      modelName: 'bench-model',
    });
    log(`client: entries root and signature in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const chunk = (offset: number) =>
      roots
        .slice(offset, offset + CHUNK)
        .map((datasetId, i) => ({ datasetId, weight: weights[offset + i].toString() }));

    started = Date.now();
    const open = await post(baseUrl, '/runs', { ...signed.body, entries: chunk(0) });
    for (let offset = CHUNK; offset < ENTRIES; offset += CHUNK)
      await post(baseUrl, `/runs/${String(open.id)}/entries`, { offset, entries: chunk(offset) });
    const uploaded = Date.now();
    // A manifest that fits in the first request is committed by it (BENCH_RUN_ENTRIES ≤ 50,000).
    const committed = open.status === 'committed' ? open : await post(baseUrl, `/runs/${String(open.id)}/commit`);
    const acceptSeconds = Math.round((Date.now() - started) / 100) / 10;
    if (committed.status !== 'committed' || committed.runId !== signed.runId)
      throw new Error(`unexpected commit answer ${JSON.stringify(committed).slice(0, 300)}`);
    log(
      `upload ${((uploaded - started) / 1000).toFixed(1)} s, commit ${((Date.now() - uploaded) / 1000).toFixed(1)} s`,
    );

    const peakRssMiB = vmHwmMiB(service.child.pid!);
    const copy = await copySeconds(
      databaseUrl,
      {
        name: 'bench_copy_entries',
        create: `CREATE TABLE bench_copy_entries (position integer, dataset text, weight numeric(78,0))`,
        columns: 'position, dataset, weight',
      },
      ENTRIES,
      (i) => `${i}\t${roots[i]}\t${weights[i]}\n`,
    );
    log(`baseline: COPY of the same ${ENTRIES} entry rows in ${copy.toFixed(1)} s`);
    const runUuid = randomUUID();
    const datasetUuids = roots.map(() => randomUUID()); // dataset ids are random uuids (gen_random_uuid)
    const copyIndexed = await copySeconds(
      databaseUrl,
      {
        name: 'bench_copy_run_entries',
        create: `CREATE TABLE bench_copy_run_entries (LIKE run_entries INCLUDING INDEXES)`,
        columns: 'run_id, position, dataset_id, weight',
      },
      ENTRIES,
      (i) => `${runUuid}\t${i}\t${datasetUuids[i]}\t${weights[i]}\n`,
    );
    const rootStarted = performance.now();
    await buildRunEntriesTree(roots.map((datasetId, i) => ({ datasetId, weight: weights[i] })));
    const entriesRoot = (performance.now() - rootStarted) / 1000;
    log(
      `floor: COPY into run_entries' shape with its indexes ${copyIndexed.toFixed(1)} s, entries root ${entriesRoot.toFixed(1)} s`,
    );
    const round2 = (x: number) => Math.round(x * 100) / 100;
    const result = {
      manifestEntries: ENTRIES,
      acceptSeconds,
      copySeconds: round2(copy),
      ratioToCopy: round2(acceptSeconds / copy),
      peakRssMiB,
      floor: {
        copyIndexedSeconds: round2(copyIndexed),
        copyIndexedRatioToCopy: round2(copyIndexed / copy),
        entriesRootSeconds: round2(entriesRoot),
        entriesRootRatioToCopy: round2(entriesRoot / copy),
      },
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      targets: { ratioToCopyMax: 2.5 },
    };
    writeBenchResult('runs', result);
  } finally {
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
