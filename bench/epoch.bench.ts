// Settlement at scale: one epoch over 1,000,000 accounts and 5,000,000 ledger rows, end to end
// through the real services (the built dist/: `npm run build` first), then `upstream verify-epoch`.
//
// Fixture (set-based SQL, not the API): 1,000,000 datasets, one owner each (1,000,000 accounts), one
// training run over all of them with weight 1 each, and five payments of the run. Four are written
// as allocated (their ledger rows by INSERT … SELECT); the fifth is left unallocated and allocated by
// LedgerService.allocatePending, the path the worker takes (`allocate1M`). Every share is exact
// (net = accounts × k), so the ledger is what the published rules give and verify-epoch can rebuild it.
// The payments' chain events are stand-ins (no RunPaid log on the chain): verify-epoch reports them
// as payment problems; the figure that matters is rebuiltRoot = on-chain root.
//
// Each measured part runs in its own process (the service's Node flags), so each peak RSS is its own:
//   allocate  LedgerService.allocatePending()                    → allocate1M
//   epoch     SettlementService.settle(true): snapshot, tree,
//             proposeRoot queued                                 → epoch1M
//   verify    `upstream verify-epoch 1` (bin/upstream.js) under /usr/bin/time → verifyEpoch1M
// Baseline in the same run: PostgreSQL's own SUM … GROUP BY (token, account) over the same ledger; for
// allocate1M, PostgreSQL copying the ledger rows it wrote (CREATE TABLE … AS SELECT), `ratioToWriteRows`.
//
// BENCH_EPOCH_PARTS (default `allocate,epoch,verify`) runs some parts only, for a loaded machine: without
// `allocate` the fixture allocates the fifth payment by SQL too, and `allocate1M` is kept from the last
// result file; `verify` needs `epoch`. Each run also records its figures under `trend[accounts]`, keeping
// the other sizes' figures from the last result file.
import { RESULTS_DIR, writeBenchResult } from './support/results';
import { execFile, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Wallet } from 'ethers';
import { LocalChain, type UpstreamDeployment } from '@upstream/chain';
import { EmbeddedPostgres, migrate } from '@upstream/database';
import { insertDatasetsBulk } from '../test/support/catalogue-fixtures';
import { startTestChain } from '../test/support/chain';
import { freePort } from '../test/support/ports';
import { ROOT, startFlags } from '../test/support/service-process';

const ACCOUNTS = Number(process.env.BENCH_EPOCH_ACCOUNTS ?? 1_000_000);
const PAYMENTS = 5;
const PARTS = new Set((process.env.BENCH_EPOCH_PARTS ?? 'allocate,epoch,verify').split(',').map((p) => p.trim()));
for (const part of PARTS)
  if (!['allocate', 'epoch', 'verify'].includes(part)) throw new Error(`BENCH_EPOCH_PARTS: unknown part ${part}`);
if (PARTS.has('verify') && !PARTS.has('epoch')) throw new Error('BENCH_EPOCH_PARTS: verify needs epoch');
/**
 * `BENCH_EPOCH_PARTS=allocate` measures allocate1M alone: the fixture leaves out payments 1..4 (only the
 * epoch and verify-epoch read them), and the result keeps the other parts' figures from the last run.
 */
const ALLOCATE_ONLY = PARTS.size === 1 && PARTS.has('allocate');
/** Each account earns `k × UNIT` from payment k (1-based): net = ACCOUNTS × k × UNIT, split exactly. */
const UNIT = 10n ** 12n;

const log = (message: string) => process.stderr.write(`[bench:epoch] ${message}\n`);
const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
const round = (x: number) => Math.round(x * 1000) / 1000;
const seconds = (since: number) => (performance.now() - since) / 1000;

interface Setup {
  databaseUrl: string;
  rpcUrl: string;
  operatorPrivateKey: string;
  deployment: UpstreamDeployment;
}

type Part = 'allocate' | 'epoch';

/** A module of the built service (Nest's decorator metadata needs tsc's output, not tsx's). */
function dist<T>(path: string): T {
  return require(join(ROOT, 'dist/apps/api/src', path)) as T;
}

/** The real service (as `npm start` builds it) on the bench's database and chain, without the worker loop. */
async function startApp(setup: Setup) {
  const { loadConfig } = dist<typeof import('../apps/api/src/config/app-config')>('config/app-config');
  const { createApp } = dist<typeof import('../apps/api/src/create-app')>('create-app');
  const { toChainDeployment } = dist<typeof import('../apps/api/src/runtime/infrastructure')>('runtime/infrastructure');
  const config = loadConfig({ LOG_LEVEL: 'warn', WORKER_MODE: 'off', RATE_LIMIT_PER_MINUTE: '100000' });
  return createApp({
    config,
    infrastructure: {
      databaseUrl: setup.databaseUrl,
      rpcUrl: setup.rpcUrl,
      operatorPrivateKey: setup.operatorPrivateKey,
      deployment: toChainDeployment(setup.deployment),
      childPids: [],
    },
  });
}

async function measure(part: Part, setup: Setup): Promise<Record<string, unknown>> {
  const app = await startApp(setup);
  await app.init();
  const idleRssMiB = mib(process.resourceUsage().maxRSS);
  try {
    if (part === 'allocate') {
      const { LedgerService } =
        dist<typeof import('../apps/api/src/royalties/ledger.service')>('royalties/ledger.service');
      const started = performance.now();
      const allocated = await app.get(LedgerService).allocatePending();
      return { seconds: seconds(started), peakRssMiB: mib(process.resourceUsage().maxRSS), idleRssMiB, allocated };
    }
    const { SettlementService } =
      dist<typeof import('../apps/api/src/royalties/settlement.service')>('royalties/settlement.service');
    const { ChainSyncService } =
      dist<typeof import('../apps/api/src/worker/chain-sync.service')>('worker/chain-sync.service');
    await app.get(ChainSyncService).indexer.catchUp();
    const started = performance.now();
    const epoch = await app.get(SettlementService).settle(true);
    const result = { seconds: seconds(started), peakRssMiB: mib(process.resourceUsage().maxRSS), idleRssMiB, epoch };
    // Send the queued proposeRoot and index RootProposed, so verify-epoch has a root on chain to compare. Only
    // the outbox and the indexer: a full worker pass would also anchor the fixture's million datasets (~30 min).
    const sync = app.get(ChainSyncService);
    await sync.outbox.tick();
    await sync.indexer.catchUp();
    return result;
  } finally {
    await app.close();
  }
}

/** A part in its own process with the service's Node flags, so its peak RSS is its own. */
function inChild(part: Part, setup: Setup): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--part', part, JSON.stringify(setup)], {
      execArgv: [...process.execArgv, ...startFlags()],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m) => resolve(m as Record<string, unknown>));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`${part} part exited with ${code}`)));
  });
}

/**
 * The fixture: datasets, owners, one run over all of them, payments 1..4 allocated (1..5 without the
 * allocate part), the last pending. Set-based SQL with the foreign-key triggers off (every row it writes
 * references rows it wrote before): 1,000,000 accounts in minutes, not tens of minutes.
 */
async function fixture(databaseUrl: string, c: Client, deployment: UpstreamDeployment): Promise<void> {
  await c.query(`ALTER DATABASE upstream SET session_replication_role = replica`);
  try {
    await insertDatasetsBulk(databaseUrl, ACCOUNTS, '0x' + 'ee'.repeat(20), 'bench-epoch');
    await c.query(`SET session_replication_role = replica`);
    await ledgerFixture(c, deployment);
  } finally {
    await c.query(`ALTER DATABASE upstream RESET session_replication_role`);
    await c.query(`RESET session_replication_role`);
  }
  await c.query('ANALYZE');
}

async function ledgerFixture(c: Client, deployment: UpstreamDeployment): Promise<void> {
  // One owner per dataset: account i (1-based, by content root order).
  await c.query(
    `UPDATE dataset_owners o SET account = '0x' || lpad(to_hex(x.i), 40, '0')
     FROM (SELECT id, row_number() OVER (ORDER BY content_root) AS i FROM datasets) x WHERE o.dataset_id = x.id`,
  );
  const lab = new Wallet(LocalChain.devPrivateKey(7)).address.toLowerCase();
  const {
    rows: [run],
  } = await c.query<{ id: string; run_id: string }>(
    `WITH anchor AS (INSERT INTO anchor_items (kind, leaf) VALUES (1, '0x' || md5('run') || md5('run:b')) RETURNING id)
     INSERT INTO training_runs (run_id, lab, model_name, model_hash, run_ref, entries_root, entry_count, weight_unit, total_weight,
                                started_at, ended_at, nonce, deadline, signature, digest, anchor_item_id)
     SELECT '0x' || md5('run-id') || md5('run-id:b'), $1, 'bench-model', '0x' || md5('m') || md5('m:b'), '0x' || md5('r') || md5('r:b'),
            '0x' || md5('e') || md5('e:b'), $2::int, 'tokens', $2::numeric, now() - interval '1 hour', now(), 1, now() + interval '1 day', '0x',
            '0x' || md5('d') || md5('d:b'), anchor.id FROM anchor
     RETURNING id, run_id`,
    [lab, ACCOUNTS],
  );
  await c.query(
    `INSERT INTO run_entries (run_id, position, dataset_id, weight)
     SELECT $1, (row_number() OVER (ORDER BY content_root)) - 1, id, 1 FROM datasets`,
    [run.id],
  );
  const token = deployment.contracts.PaymentToken!.toLowerCase();
  const allocated: { id: string; k: number }[] = [];
  for (let k = ALLOCATE_ONLY ? PAYMENTS : 1; k <= PAYMENTS; k++) {
    const net = (BigInt(ACCOUNTS) * BigInt(k) * UNIT).toString();
    const tag = `payment-${k}`;
    const {
      rows: [payment],
    } = await c.query<{ id: string }>(
      `WITH ev AS (
         INSERT INTO chain_events (block_number, block_hash, tx_hash, log_index, address, event_name, args, block_time)
         VALUES (1, '0x' || md5($1 || ':block') || md5($1 || ':block:b'), '0x' || md5($1) || md5($1 || ':b'), 0, $2, 'RunPaid', '{}', now())
         RETURNING id, tx_hash)
       INSERT INTO royalty_payments (chain_event_id, run_id, token, payer, amount, fee, net, tx_hash, log_index, block_number, block_time)
       SELECT ev.id, $3, $4, $5, $6, 0, $6, ev.tx_hash, 0, 1, now() FROM ev RETURNING id`,
      [tag, deployment.contracts.RoyaltySplitter.toLowerCase(), run.run_id, token, lab, net],
    );
    if (k < PAYMENTS || !PARTS.has('allocate')) allocated.push({ id: payment.id, k });
  }
  // Every allocated payment's rows in one statement; the ledger's two indexes are built once afterwards
  // (millions of rows inserted into them one by one, in random account order, took most of the fixture).
  await c.query(`ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_pkey`);
  await c.query(`DROP INDEX ledger_entries_account_idx`);
  await c.query(
    `INSERT INTO ledger_entries (payment_id, dataset_id, account, token, amount)
     SELECT p.id, o.dataset_id, o.account, $1, p.k * $2::numeric
     FROM unnest($3::bigint[], $4::int[]) AS p(id, k)
     CROSS JOIN run_entries re JOIN dataset_owners o ON o.dataset_id = re.dataset_id
     WHERE re.run_id = $5`,
    [token, UNIT.toString(), allocated.map((p) => p.id), allocated.map((p) => p.k), run.id],
  );
  await c.query(`SET maintenance_work_mem = '512MB'`);
  await c.query(`ALTER TABLE ledger_entries ADD PRIMARY KEY (payment_id, dataset_id, account)`);
  await c.query(`CREATE INDEX ledger_entries_account_idx ON ledger_entries (account, token)`);
  for (const payment of allocated)
    await c.query(
      `UPDATE royalty_payments SET allocation_seq = nextval('royalty_allocation_seq'), source = 'run', training_run_id = $2,
              allocated_at = now() WHERE id = $1`,
      [payment.id, run.id],
    );
}

/** The last `bench/results/epoch.json`, for the figures of parts and sizes this run does not measure. */
function lastResult(): Record<string, unknown> {
  const file = join(RESULTS_DIR, 'epoch.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

/** Runs `upstream verify-epoch` as a user would, under /usr/bin/time for its wall time and peak RSS. */
function verifyEpoch(apiUrl: string, rpcUrl: string, epoch: number) {
  return new Promise<{ seconds: number; peakRssMiB: number; report: Record<string, unknown> }>((resolve, reject) => {
    execFile(
      '/usr/bin/time',
      [
        '-f',
        'TIME %e %M',
        process.execPath,
        join(ROOT, 'bin/upstream.js'),
        '--api',
        apiUrl,
        '--json',
        'verify-epoch',
        String(epoch),
        '--rpc',
        rpcUrl,
      ],
      {
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, UPSTREAM_HOME: mkdtempSync(join(tmpdir(), 'bench-cli-')) },
      },
      (error, stdout, stderr) => {
        const time = /TIME ([\d.]+) (\d+)/.exec(stderr);
        if (!time) return reject(new Error(`verify-epoch: ${error?.message ?? ''}\n${stderr.slice(-2000)}`));
        let report: Record<string, unknown>;
        try {
          report = JSON.parse(stdout) as Record<string, unknown>;
        } catch {
          report = { unparsed: stdout.slice(0, 500), stderr: stderr.slice(-1000) };
        }
        resolve({ seconds: Number(time[1]), peakRssMiB: mib(Number(time[2])), report });
      },
    );
  });
}

async function main(): Promise<void> {
  const partArg = process.argv.indexOf('--part');
  if (partArg >= 0) {
    const result = await measure(process.argv[partArg + 1] as Part, JSON.parse(process.argv[partArg + 2]) as Setup);
    process.send!(result, () => process.exit(0));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'upstream-bench-epoch-'));
  const pg = await EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: await freePort(), fsync: false });
  const chain = await startTestChain();
  try {
    const admin = new Client({ connectionString: pg.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE upstream');
    await admin.end();
    const databaseUrl = pg.url('upstream');
    await migrate(databaseUrl);
    const setup: Setup = {
      databaseUrl,
      rpcUrl: chain.rpcUrl,
      operatorPrivateKey: chain.privateKey(0),
      deployment: chain.deployment,
    };
    const c = new Client({ connectionString: databaseUrl });
    c.on('error', () => undefined); // the server stops in `finally`, maybe before this client ends
    await c.connect();
    let started = performance.now();
    await fixture(databaseUrl, c, chain.deployment);
    log(
      `fixture: ${ACCOUNTS} accounts, ${ALLOCATE_ONLY ? 0 : PARTS.has('allocate') ? PAYMENTS - 1 : PAYMENTS} allocated payments in ${seconds(started).toFixed(1)} s`,
    );

    const allocate = PARTS.has('allocate') ? await inChild('allocate', setup) : undefined;
    let allocate1M;
    if (allocate) {
      log(`allocate: ${JSON.stringify(allocate)}`);
      // Its own baseline: PostgreSQL copying the ledger rows the allocation wrote, set-based, nothing computed.
      const writeStarted = performance.now();
      await c.query(
        `CREATE TEMP TABLE allocate_baseline AS SELECT * FROM ledger_entries
         WHERE payment_id = (SELECT id FROM royalty_payments ORDER BY allocation_seq DESC NULLS LAST LIMIT 1)`,
      );
      const writeSeconds = seconds(writeStarted);
      allocate1M = {
        seconds: round(allocate.seconds as number),
        ratioToWriteRows: round((allocate.seconds as number) / writeSeconds),
        writeRowsSeconds: round(writeSeconds),
        peakRssMiB: allocate.peakRssMiB,
        idleRssMiB: allocate.idleRssMiB,
        entries: ACCOUNTS,
      };
    }
    if (ALLOCATE_ONLY) {
      writeBenchResult('epoch', {
        ...lastResult(),
        allocate1M: { ...allocate1M, loadAverage: loadavg().map(round), part: 'BENCH_EPOCH_PARTS=allocate' },
      });
      return;
    }
    const {
      rows: [{ n: ledgerRows }],
    } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_entries`);

    // Baseline: PostgreSQL summing the same ledger per (token, account), nothing written.
    started = performance.now();
    await c.query(
      `SELECT count(*) FROM (SELECT token, account, SUM(amount) FROM ledger_entries GROUP BY token, account) x`,
    );
    const baselineSeconds = seconds(started);
    log(`baseline: ${baselineSeconds.toFixed(1)} s over ${ledgerRows} ledger rows`);

    const epoch = PARTS.has('epoch') ? await inChild('epoch', setup) : undefined;
    if (epoch) log(`epoch: ${JSON.stringify(epoch)}`);
    const {
      rows: [storage],
    } = await c.query<{ bytes: string; rows: number }>(
      `SELECT pg_total_relation_size('epoch_balances')::text AS bytes, (SELECT count(*)::int FROM epoch_balances WHERE epoch = 1) AS rows`,
    );
    const {
      rows: [{ changed }],
    } = await c.query<{ changed: number }>(
      `SELECT count(DISTINCT (token, account))::int AS changed FROM ledger_entries`,
    );
    await c.end();

    let verify;
    if (PARTS.has('verify')) {
      const app = await startApp(setup);
      await app.listen(0, '127.0.0.1');
      const address = app.getHttpServer().address();
      const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      try {
        verify = await verifyEpoch(apiUrl, chain.rpcUrl, 1);
      } finally {
        await app.close();
      }
      log(`verify-epoch: ${verify.seconds} s, ${verify.peakRssMiB} MiB`);
    }
    const report = verify?.report;
    const previous = lastResult();
    const figures = {
      epoch1M: epoch && {
        seconds: round(epoch.seconds as number),
        ratioToBaseline: round((epoch.seconds as number) / baselineSeconds),
        peakRssMiB: epoch.peakRssMiB,
        idleRssMiB: epoch.idleRssMiB,
        epoch: epoch.epoch,
      },
      verifyEpoch1M: verify &&
        report && {
          seconds: verify.seconds,
          ratioToBaseline: round(verify.seconds / baselineSeconds),
          peakRssMiB: verify.peakRssMiB,
          rebuiltRoot: report.rebuiltRoot,
          chainRoot: report.chainRoot,
          rootsMatch: report.rebuiltRoot !== undefined && report.rebuiltRoot === report.chainRoot,
          leaves: report.leaves,
          ...(report.rebuiltRoot === undefined ? { failure: report } : {}),
        },
      allocate1M:
        allocate && allocate1M
          ? { ...allocate1M, ratioToBaseline: round((allocate.seconds as number) / baselineSeconds) }
          : { ...(previous.allocate1M as object), keptFromLastRun: true },
    };
    const machine = { node: process.version, loadAverage: loadavg().map(round) };
    const trend = (previous.trend ?? {}) as Record<string, unknown>;
    trend[String(ACCOUNTS)] = {
      machine,
      parts: [...PARTS],
      ledgerRows,
      baselineSeconds: round(baselineSeconds),
      ...(figures.epoch1M && {
        epochSeconds: figures.epoch1M.seconds,
        epochRatioToBaseline: figures.epoch1M.ratioToBaseline,
        epochPeakRssMiB: figures.epoch1M.peakRssMiB,
      }),
      ...(figures.verifyEpoch1M && {
        verifySeconds: figures.verifyEpoch1M.seconds,
        verifyPeakRssMiB: figures.verifyEpoch1M.peakRssMiB,
        rootsMatch: figures.verifyEpoch1M.rootsMatch,
      }),
    };

    writeBenchResult('epoch', {
      machine,
      accounts: ACCOUNTS,
      ledgerRows,
      payments: PAYMENTS,
      parts: [...PARTS],
      baseline: {
        what: 'SELECT SUM(amount) … GROUP BY token, account over the ledger',
        seconds: round(baselineSeconds),
      },
      ...figures,
      epochStorageBytesPerChangedBalance: Math.round(Number(storage.bytes) / changed),
      epochBalanceRowsStored: storage.rows,
      changedBalances: changed,
      targets: { epoch1MSecondsMax: 60, epoch1MPeakRssMiBMax: 1024, allocate1MPeakRssMiBMax: 600 },
      trend,
    });
  } catch (error) {
    log(`failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  } finally {
    await chain.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
