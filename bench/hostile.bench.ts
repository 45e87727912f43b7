// Hostile-input benchmark (issue 12): the worst-case bodies of the limits table
// (apps/api/src/common/body/request-limits.ts) sent to the built service while a concurrent
// GET /health probe measures how long the event loop was held. Starts its own embedded PostgreSQL
// and runs the built service against it (`npm run build` first, which the npm script does). Prints
// one JSON object and writes bench/results/hostile.json.
import { writeBenchResult } from './support/results';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import zlib from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Wallet } from 'ethers';
import { LocalChain } from '@upstream/chain';
import { EmbeddedPostgres } from '@upstream/database';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../apps/cli/src/contribution/registration';
import { signInWith } from '../apps/cli/src/auth/authenticator';
import { freePort } from '../test/support/ports';
import { ROOT, spawnService, waitForHealth } from '../test/support/service-process';
import { byteLength, hostileRegistration, streamPost } from '../test/support/streamed-post';
import { MAX_OWNERS, MAX_PARENTS } from '../apps/api/src/common/body/request-limits';

const BASELINE_MS = Number(process.env.BENCH_HOSTILE_BASELINE_MS ?? 5_000);
const PROBE_INTERVAL_MS = 50;
/** Only the cases whose name matches (a regular expression), to look at one closely; all by default. */
const ONLY = process.env.BENCH_HOSTILE_CASES ? new RegExp(process.env.BENCH_HOSTILE_CASES, 'i') : undefined;
/** A directory for the service's V8 CPU profiles (--cpu-prof; one per thread, written when it stops). */
const CPU_PROFILE_DIR = process.env.BENCH_HOSTILE_CPU_PROF;
const log = (message: string) => process.stderr.write(`[bench:hostile] ${message}\n`);

function procStatusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return Math.round((kib / 1024) * 10) / 10;
}

/** GET /health one at a time, every PROBE_INTERVAL_MS, recording each latency; and the service's RSS. */
class Probe {
  latencies: number[] = [];
  failures = 0;
  peakRssMiB = 0;
  /** The peak since the last `windowPeak()`: one case's. */
  private windowRssMiB = 0;
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly pid: number,
  ) {}

  start(): void {
    this.running = true;
    this.latencies = [];
    this.peakRssMiB = procStatusMiB(this.pid, 'VmRSS');
    this.loops = [this.probeLoop(), this.rssLoop()];
  }

  /** The peak RSS since the last call (a last sample included), and a new window from now. */
  windowPeak(): number {
    const peak = Math.max(this.windowRssMiB, procStatusMiB(this.pid, 'VmRSS'));
    this.windowRssMiB = 0;
    return peak;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async probeLoop(): Promise<void> {
    while (this.running) {
      const started = performance.now();
      try {
        const res = await fetch(`${this.baseUrl}/health`);
        await res.arrayBuffer();
        if (res.status >= 500) this.failures++;
      } catch {
        this.failures++;
      }
      this.latencies.push(performance.now() - started);
      await sleep(PROBE_INTERVAL_MS);
    }
  }

  private async rssLoop(): Promise<void> {
    while (this.running) {
      if (!existsSync(`/proc/${this.pid}/status`)) return;
      const rss = procStatusMiB(this.pid, 'VmRSS');
      this.peakRssMiB = Math.max(this.peakRssMiB, rss);
      this.windowRssMiB = Math.max(this.windowRssMiB, rss);
      await sleep(20);
    }
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) };
}

/** What the bench records of an answer: its status, error code and first named field. */
interface Answer {
  status: number;
  error?: string;
  field?: string;
}

/** POSTs pieces one by one (chunked unless `contentLength`), stopping when the answer arrives. */
async function send(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  pieces: Iterable<Buffer>,
  contentLength?: number,
): Promise<Answer> {
  const { status, body } = await streamPost(baseUrl, path, headers, pieces, { contentLength });
  return { status, error: body.error, field: body.details?.[0]?.field };
}

/** 256 MiB of `a` inside a JSON string, gzip-compressed (about 250 KiB on the wire). */
function gzipBomb(): Buffer {
  const block = Buffer.alloc(1 << 20, 'a');
  const parts = [Buffer.from('{"title":"'), ...Array.from({ length: 256 }, () => block), Buffer.from('"}')];
  return zlib.gzipSync(Buffer.concat(parts), { level: 9 });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upstream-bench-hostile-'));
  const pg = await EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: await freePort() });
  const admin = new Client({ connectionString: pg.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE upstream');
  await admin.end();

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const loopLog = join(dir, 'event-loop.log');
  /** The service's own event-loop delay (bench/support/event-loop-monitor.cjs): worst of [from, to]. */
  const loopMaxBetween = (from: number, to: number) => {
    if (!existsSync(loopLog)) return 0;
    let max = 0;
    for (const line of readFileSync(loopLog, 'utf8').split('\n')) {
      const [at, ms] = line.split(' ').map(Number);
      if (at >= from && at <= to) max = Math.max(max, ms);
    }
    return max;
  };
  const service = spawnService({
    DATA_DIR: join(dir, 'data'),
    PORT: String(port),
    DATABASE_URL: pg.url('upstream'),
    LOCAL_CHAIN_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000',
    NODE_OPTIONS:
      `--require ${join(ROOT, 'bench/support/event-loop-monitor.cjs')}` +
      (CPU_PROFILE_DIR ? ` --cpu-prof --cpu-prof-dir=${CPU_PROFILE_DIR}` : ''),
    EVENT_LOOP_LOG: loopLog,
  });
  const pid = service.child.pid!;
  try {
    await waitForHealth(baseUrl, service, 120_000);
    const domain = ((await (await fetch(`${baseUrl}/chain`)).json()) as { eip712Domain: UpstreamDomain }).eip712Domain;
    const wallet = new Wallet(LocalChain.devPrivateKey(3));
    const auth = { authorization: `Bearer ${(await signInWith(baseUrl, wallet)).token}` };

    // What the client prepares beforehand, so the hostile phase measures only the service.
    log('preparing bodies');
    const treeOf = async (n: number, salt: string) =>
      buildContentTree(
        Array.from({ length: n }, (_, i) => ({
          path: `${salt}/shard-${String(i).padStart(6, '0')}.bin`,
          size: BigInt(1_000 + i),
          sha256: (i + 1).toString(16).padStart(64, 'c'),
        })),
      );
    const valid = async (n: number, salt: string) => {
      const tree = await treeOf(n, salt);
      return Buffer.from(
        JSON.stringify(
          await signRegistration(wallet, {
            title: `valid ${n}`,
            entries: tree.entries,
            contentRoot: tree.root,
            externalUri: 'https://example.org/bench/',
            domain,
          }),
        ),
      );
    };
    const valid100k = await valid(100_000, 'a');
    // Signed by a key that is not among the owners: refused after all the hashing (400 INVALID_SIGNATURE).
    const badSignature = await (async () => {
      const tree = await treeOf(100_000, 'a');
      const body = await signRegistration(new Wallet(LocalChain.devPrivateKey(4)), {
        title: 'valid 100000',
        entries: tree.entries,
        contentRoot: tree.root,
        externalUri: 'https://example.org/bench/',
        owners: [{ account: wallet.address, shareBps: 10_000 }],
        domain,
      });
      return Buffer.from(JSON.stringify(body));
    })();
    const badLastDigest = (() => {
      const body = JSON.parse(valid100k.toString('utf8')) as { files: { sha256: string }[] };
      body.files[body.files.length - 1].sha256 = 'zz';
      return Buffer.from(JSON.stringify(body));
    })();
    const owners = Array.from({ length: MAX_OWNERS }, (_, i) => ({
      account: '0x' + (i + 1).toString(16).padStart(40, '0'),
      shareBps: 1,
    }));
    const parents = Array.from({ length: MAX_PARENTS }, (_, i) => ({
      datasetId: '0x' + (i + 1).toString(16).padStart(64, '0'),
      upstreamBps: 1,
    }));
    const manyOwners = Buffer.from(
      JSON.stringify({
        ...(JSON.parse((await valid(10, 'o')).toString('utf8')) as object),
        owners,
        parents,
      }),
    );
    const runEntries = Array.from({ length: 50_000 }, (_, i) => ({
      datasetId: '0x' + (i + 1).toString(16).padStart(64, '0'),
      weight: '1' + '0'.repeat(60),
    }));
    const run = Buffer.from(
      JSON.stringify({
        lab: wallet.address,
        runRef: '0x' + '01'.repeat(32),
        modelName: 'hostile',
        modelHash: '0x' + '02'.repeat(32),
        entriesRoot: '0x' + '03'.repeat(32),
        entryCount: 50_000,
        weightUnit: 'tokens',
        startedAt: 1790000000,
        endedAt: 1790086400,
        nonce: '1',
        deadline: 1893456000,
        signature: '0x' + '1b'.repeat(65),
        entries: runEntries,
      }),
    );
    const runChunk = Buffer.from(JSON.stringify({ offset: 0, entries: runEntries }));
    const missing = Buffer.from(
      JSON.stringify({ sha256s: Array.from({ length: 100_000 }, (_, i) => i.toString(16).padStart(64, 'e')) }),
    );
    const bomb = gzipBomb();
    const wideObject = function* (): Generator<Buffer> {
      yield Buffer.from('{"title":{');
      for (let i = 0; i < 1_000_000; i += 10_000)
        yield Buffer.from(Array.from({ length: 10_000 }, (_, k) => `${i + k === 0 ? '' : ','}"k${i + k}":0`).join(''));
      yield Buffer.from('}}');
    };
    const longString = function* (): Generator<Buffer> {
      yield Buffer.from('{"title":"');
      const block = Buffer.alloc(1 << 20, 'x');
      for (let i = 0; i < 15; i++) yield block;
      yield Buffer.from('"}');
    };

    type Case = { name: string; expected: number; run: () => Promise<Answer> };
    const cases: Case[] = [
      {
        name: 'registration: 400,000 files streamed (chunked), fake signature',
        expected: 413,
        run: () => send(baseUrl, '/datasets', auth, hostileRegistration(400_000)),
      },
      {
        name: 'registration: 400,000 files with Content-Length',
        expected: 413,
        run: () =>
          send(baseUrl, '/datasets', auth, hostileRegistration(400_000), byteLength(hostileRegistration(400_000))),
      },
      {
        name: 'registration: 100,000 files, valid (external)',
        expected: 201,
        run: () => send(baseUrl, '/datasets', auth, [valid100k], valid100k.length),
      },
      {
        name: 'registration: 100,000 files, wrong signature',
        expected: 400,
        run: () => send(baseUrl, '/datasets', auth, [badSignature], badSignature.length),
      },
      {
        name: 'registration: 100,000 files, last digest malformed',
        expected: 400,
        run: () => send(baseUrl, '/datasets', auth, [badLastDigest], badLastDigest.length),
      },
      {
        name: `registration: ${MAX_OWNERS} owners and ${MAX_PARENTS} parents`,
        expected: 400,
        run: () => send(baseUrl, '/datasets', auth, [manyOwners], manyOwners.length),
      },
      { name: 'registration: 15 MiB title', expected: 413, run: () => send(baseUrl, '/datasets', auth, longString()) },
      {
        name: 'registration: one object of 1,000,000 keys',
        expected: 413,
        run: () => send(baseUrl, '/datasets', auth, wideObject()),
      },
      {
        name: 'registration: gzip bomb (256 MiB inflated)',
        expected: 413,
        run: () => send(baseUrl, '/datasets', { ...auth, 'content-encoding': 'gzip' }, [bomb], bomb.length),
      },
      {
        name: 'run: 50,000 entries, fake signature',
        expected: 400,
        run: () => send(baseUrl, '/runs', auth, [run], run.length),
      },
      {
        name: 'run chunk: 50,000 entries, unknown run',
        expected: 404,
        run: () => send(baseUrl, `/runs/${randomUUID()}/entries`, auth, [runChunk], runChunk.length),
      },
      {
        name: 'blobs/missing: 100,000 digests',
        expected: 200,
        run: () => send(baseUrl, '/blobs/missing', auth, [missing], missing.length),
      },
      {
        name: 'any route: nested 60,000 deep',
        expected: 400,
        run: () => send(baseUrl, '/auth/nonce', {}, [Buffer.from('['.repeat(60_000))], 60_000),
      },
      {
        name: 'any route: __proto__ key',
        expected: 400,
        run: () =>
          send(baseUrl, '/auth/keys', auth, [
            Buffer.from('{"__proto__":{"admin":true},"label":"k","scopes":["read"]}'),
          ]),
      },
      {
        name: 'any route: repeated key',
        expected: 400,
        run: () => send(baseUrl, '/auth/keys', auth, [Buffer.from('{"label":"a","label":"b"}')]),
      },
    ];

    log(`baseline: GET /health for ${BASELINE_MS} ms on the idle service`);
    const probe = new Probe(baseUrl, pid);
    const baselineFrom = Date.now();
    probe.start();
    await sleep(BASELINE_MS);
    await probe.stop();
    const baselineLoopMaxMs = loopMaxBetween(baselineFrom + 100, Date.now());
    const baseline = summary(probe.latencies);
    const baselineRssMiB = probe.peakRssMiB;

    log('hostile phase');
    const hostileFrom = Date.now();
    probe.start();
    await sleep(200);
    const results: {
      name: string;
      expected: number;
      status: number;
      error?: string;
      field?: string;
      ms: number;
      eventLoopMaxMs: number;
      /** The service's peak RSS while this case ran (RSS falls slowly: the case that first raises it is the one to look at). */
      peakRssMiB: number;
      from: number;
      to: number;
    }[] = [];
    for (const c of cases.filter((c) => !ONLY || ONLY.test(c.name))) {
      probe.windowPeak();
      const started = performance.now();
      if (service.child.exitCode !== null) throw new Error(`the service exited:\n${service.output().slice(-4000)}`);
      const answer = await c.run().catch((error: Error) => {
        throw new Error(`${c.name}: ${error.message}\n${service.output().slice(-4000)}`);
      });
      results.push({
        name: c.name,
        expected: c.expected,
        ...answer,
        ms: round(performance.now() - started),
        eventLoopMaxMs: 0,
        peakRssMiB: 0,
        from: Date.now() - (performance.now() - started),
        to: Date.now(),
      });
      log(
        `${c.name}: ${answer.status} ${answer.error ?? ''} ${answer.field ?? ''} (${round(performance.now() - started)} ms)`,
      );
      await sleep(200);
      results[results.length - 1].peakRssMiB = probe.windowPeak();
    }
    await sleep(500);
    await probe.stop();
    const hostile = summary(probe.latencies);
    await sleep(200);
    const hostileLoopMaxMs = loopMaxBetween(hostileFrom, Date.now());
    for (const r of results) r.eventLoopMaxMs = loopMaxBetween(r.from, r.to + 200);

    const result = {
      // The service's own measure (monitorEventLoopDelay); the GET /health probe's view is beside it.
      maxEventLoopBlockMs: hostileLoopMaxMs,
      maxHealthLatencyOverBaselineMs: round(Math.max(0, hostile.max - baseline.p50)),
      peakRssMiB: probe.peakRssMiB,
      fuzzCases: results.length,
      fiveHundreds: results.filter((r) => r.status >= 500).length,
      // GET /health answers of 5xx or no answer during the hostile phase (a loaded machine's PostgreSQL can time out).
      healthProbeFailures: probe.failures,
      unexpectedStatuses: results.filter((r) => r.status !== r.expected).length,
      baseline: { eventLoopMaxMs: baselineLoopMaxMs, healthLatencyMs: baseline, rssMiB: baselineRssMiB },
      hostile: { healthLatencyMs: hostile },
      ratios: {
        eventLoopMaxToBaseline: round(hostileLoopMaxMs / Math.max(1, baselineLoopMaxMs)),
        maxHealthLatencyToBaselineP50: round(hostile.max / Math.max(0.1, baseline.p50)),
        maxHealthLatencyToBaselineMax: round(hostile.max / Math.max(0.1, baseline.max)),
        peakRssToBaselineRss: round(probe.peakRssMiB / Math.max(1, baselineRssMiB)),
      },
      serviceVmHwmMiB: procStatusMiB(pid, 'VmHWM'),
      cases: results.map(({ from: _from, to: _to, ...r }) => r),
      targets: { maxEventLoopBlockMs: 100, peakRssMiB: 300, fiveHundreds: 0 },
    };
    // A subset is for looking closely, not a result to keep.
    if (ONLY) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else writeBenchResult('hostile', result);
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
