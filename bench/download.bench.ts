// Download benchmark: the built service as a real process, started with the Node flags of
// `npm start`. A contributor uploads a dataset (2 GiB in 8 files, or BENCH_DOWNLOAD_MIB /
// BENCH_DOWNLOAD_FILES) as `research-only` (licensed); a lab licenses it and fetches it with the
// spawned `upstream download` (sign-in, the delivery guard, receipts and the client's SHA-256
// checks included). Beside it, in the same run: `sha256sum` over the same files, and the same
// download from a `public` dataset of the same shape. The guard's cost alone: p50 of 10,000
// `Range: bytes=0-0` requests (BENCH_AUTH_REQUESTS) on the licensed dataset minus the same on the
// public one. Prints one JSON object and writes bench/results/download.json.
import { writeBenchResult } from './support/results';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { runCli } from '../test/support/cli';
import { freePort } from '../test/support/ports';
import { spawnService, startFlags, waitForHealth, type ServiceProcess } from '../test/support/service-process';

const MIB = 1024 * 1024;
const TOTAL_BYTES = Number(process.env.BENCH_DOWNLOAD_MIB ?? 2048) * MIB;
const FILES = Number(process.env.BENCH_DOWNLOAD_FILES ?? 8);
const AUTH_REQUESTS = Number(process.env.BENCH_AUTH_REQUESTS ?? 10_000);
/** Each download is timed this many times, alternating licensed and public; the best of each counts. */
const ROUNDS = Number(process.env.BENCH_DOWNLOAD_ROUNDS ?? 2);
const MB = 1_000_000;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** `count` files of `bytes` each under `dir`; `seed` makes every set (and every MiB) different. */
async function generate(dir: string, count: number, bytes: number, seed: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const block = randomBytes(MIB);
  const paths: string[] = [];
  for (let f = 0; f < count; f++) {
    const path = join(dir, `shard-${String(f).padStart(3, '0')}.bin`);
    const out = createWriteStream(path);
    for (let written = 0, i = 0; written < bytes; i++) {
      const chunk = Buffer.from(block.subarray(0, Math.min(block.length, bytes - written)));
      chunk.writeUInt32BE(seed, 0);
      chunk.writeUInt32BE(f, 4);
      chunk.writeUInt32BE(i, 8);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      written += chunk.length;
    }
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    paths.push(path);
  }
  return paths;
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

/** Starts the process's peak RSS (VmHWM) over from its current RSS, so a phase's own peak can be read. */
async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

/** User + system CPU seconds the process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const loadStart = loadavg().map((l) => round(l, 2));
  const work = await mkdtemp(join(tmpdir(), 'upstream-download-bench-'));
  let service: ServiceProcess | undefined;
  try {
    const [port, pgPort, chainPort] = [await freePort(), await freePort(), await freePort()];
    const api = `http://127.0.0.1:${port}`;
    const fileBytes = Math.ceil(TOTAL_BYTES / FILES);
    service = spawnService({
      DATA_DIR: join(work, 'data'),
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      LOCAL_CHAIN_PORT: String(chainPort),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '10000000',
      UPLOAD_RATE_LIMIT_PER_MINUTE: '10000000',
      MAX_FILE_BYTES: String(fileBytes * 2),
      UPLOAD_QUOTA_BYTES: String(TOTAL_BYTES * 4),
    });
    await waitForHealth(api, service, 120_000);
    const pid = service.child.pid!;
    const idleRssMiB = await peakRssMiB(pid);

    // Everyone uses the CLI as a user would, each with a home (sessions.json) of its own.
    const as = async (who: { address: string; privateKey: string }, args: string[]) => {
      const res = await runCli(['--api', api, '--json', ...args], {
        UPSTREAM_HOME: join(work, 'home', who.address),
        UPSTREAM_PRIVATE_KEY: who.privateKey,
        UPSTREAM_API_KEY: '',
      });
      if (res.code !== 0) throw new Error(`upstream ${args.join(' ')} exited ${res.code}: ${res.stderr}`);
      return JSON.parse(res.stdout) as Record<string, unknown>;
    };
    const contributor = Wallet.createRandom();
    const openContributor = Wallet.createRandom();
    const lab = Wallet.createRandom();

    // Two datasets of the same shape. Their bytes differ: a blob is served under the most
    // permissive dataset holding it, so identical bytes would make the licensed copy public.
    const licensedFiles = await generate(join(work, 'licensed'), FILES, fileBytes, 1);
    await generate(join(work, 'public'), FILES, fileBytes, 2);
    const licensed = (
      await as(contributor, [
        'upload',
        join(work, 'licensed'),
        '--title',
        'bench: licensed',
        '--license',
        'research-only',
      ])
    ).id as string;
    const open = (
      await as(openContributor, [
        'upload',
        join(work, 'public'),
        '--title',
        'bench: public',
        '--license',
        'research-only',
        '--access',
        'public',
      ])
    ).id as string;
    await as(lab, ['license', licensed]);

    const setupPeakRssMiB = await peakRssMiB(pid);
    await resetPeakRss(pid);

    const sumStarted = performance.now();
    const sum = spawnSync('sha256sum', licensedFiles, { encoding: 'utf8' });
    const sha256sumSeconds = (performance.now() - sumStarted) / 1000;
    if (sum.status !== 0) throw new Error(`sha256sum failed: ${sum.stderr}`);

    const download = async (datasetId: string) => {
      const out = join(work, 'out');
      await rm(out, { recursive: true, force: true });
      const cpuBefore = await cpuSeconds(pid);
      const started = performance.now();
      const summary = await as(lab, ['download', datasetId, '--out', out]);
      const seconds = (performance.now() - started) / 1000;
      if (summary.fetchedBytes !== FILES * fileBytes)
        throw new Error(`download fetched ${String(summary.fetchedBytes)} bytes, expected ${FILES * fileBytes}`);
      return { seconds, serviceCpuSeconds: round((await cpuSeconds(pid)) - cpuBefore, 2) };
    };
    // The first read of each dataset comes from disk (uploads bypass the page cache): not timed.
    await download(licensed);
    await download(open);
    const runs: { licensed: { seconds: number; serviceCpuSeconds: number }[]; public: typeof runs.licensed } = {
      licensed: [],
      public: [],
    };
    for (let r = 0; r < ROUNDS; r++) {
      runs.licensed.push(await download(licensed));
      runs.public.push(await download(open));
    }
    await rm(join(work, 'out'), { recursive: true, force: true });
    const best = (list: { seconds: number }[]) => Math.min(...list.map((x) => x.seconds));
    const downloadPeakRssMiB = await peakRssMiB(pid);

    // Every byte-serving response leaves a receipt (written in batches, within a second).
    await new Promise((r) => setTimeout(r, 1500));
    const sessions = JSON.parse(await readFile(join(work, 'home', lab.address, 'sessions.json'), 'utf8')) as Record<
      string,
      { token: string }
    >;
    const authorization = `Bearer ${sessions[new URL(api).origin].token}`;
    const receipts = (await (
      await fetch(`${api}/datasets/${licensed}/deliveries?limit=1`, { headers: { authorization } })
    ).json()) as { total: number };
    if (receipts.total < FILES * (ROUNDS + 1))
      throw new Error(`only ${receipts.total} delivery receipts for ${FILES * (ROUNDS + 1)} files fetched`);

    // The guard alone: one-byte ranges, interleaved, so both sides see the same machine.
    const path = encodeURIComponent('shard-000.bin');
    const rangeOf = async (datasetId: string, headers: Record<string, string>) => {
      const started = performance.now();
      const res = await fetch(`${api}/datasets/${datasetId}/files/content?path=${path}`, {
        headers: { range: 'bytes=0-0', ...headers },
      });
      await res.arrayBuffer();
      const micros = (performance.now() - started) * 1000;
      if (res.status !== 206) throw new Error(`range request answered ${res.status}`);
      return micros;
    };
    const latencies = { licensed: [] as number[], public: [] as number[], publicWithSession: [] as number[] };
    for (let i = 0; i < 200; i++) {
      await rangeOf(licensed, { authorization });
      await rangeOf(open, {});
    }
    for (let i = 0; i < AUTH_REQUESTS; i++) {
      latencies.licensed.push(await rangeOf(licensed, { authorization }));
      latencies.public.push(await rangeOf(open, {}));
      if (i % 10 === 0) latencies.publicWithSession.push(await rangeOf(open, { authorization }));
    }
    const p = (list: number[], q: number) =>
      round(
        percentile(
          [...list].sort((a, b) => a - b),
          q,
        ),
      );

    const bytes = FILES * fileBytes;
    const licensedMBps = bytes / MB / best(runs.licensed);
    const publicMBps = bytes / MB / best(runs.public);
    const sha256sumMBps = bytes / MB / sha256sumSeconds;
    const result = {
      bench: 'download',
      datasetBytes: bytes,
      files: FILES,
      licensedMBps: round(licensedMBps),
      publicMBps: round(publicMBps),
      sha256sumMBps: round(sha256sumMBps),
      ratioToSha256sum: round(licensedMBps / sha256sumMBps, 2),
      licensedVsPublicRatio: round(licensedMBps / publicMBps, 2),
      authMicrosP50: round(p(latencies.licensed, 50) - p(latencies.public, 50)),
      rangeMicros: {
        licensed: { p50: p(latencies.licensed, 50), p99: p(latencies.licensed, 99) },
        public: { p50: p(latencies.public, 50), p99: p(latencies.public, 99) },
        publicWithSession: { p50: p(latencies.publicWithSession, 50), p99: p(latencies.publicWithSession, 99) },
        requests: AUTH_REQUESTS,
      },
      peakRssMiB: Math.max(setupPeakRssMiB, await peakRssMiB(pid)),
      phasePeakRssMiB: {
        uploads: setupPeakRssMiB,
        downloads: downloadPeakRssMiB,
        rangeRequests: await peakRssMiB(pid),
      },
      idleRssMiB,
      loadAverage: { start: loadStart, end: loadavg().map((l) => round(l, 2)) },
      downloads: {
        licensed: runs.licensed.map((r) => ({ ...r, seconds: round(r.seconds, 2) })),
        public: runs.public.map((r) => ({ ...r, seconds: round(r.seconds, 2) })),
      },
      receipts: receipts.total,
      targets: { ratioToSha256sum: 0.8, licensedVsPublicRatio: 0.95, authMicrosP50: 1000, peakRssMiB: 200 },
      serviceNodeFlags: startFlags().join(' '),
      notes:
        "licensedMBps / publicMBps: the spawned `upstream download` (default concurrency, sign-in, the delivery guard, receipts, every file's SHA-256 and the content root checked), best of the timed rounds after an untimed first read; the two datasets have the same shape but different bytes. " +
        'sha256sumMBps: `sha256sum` over the licensed files in the same run. ' +
        'authMicrosP50: p50 of `Range: bytes=0-0` on the licensed dataset with the lab session minus p50 anonymously on the public one (publicWithSession: the same with the session, every tenth round). ' +
        'peakRssMiB: VmHWM of the API process over the whole run (PostgreSQL and anvil are separate processes); phasePeakRssMiB: the uploads that set the bench up, then the downloads, then the range requests (VmHWM reset after the uploads; the range phase includes the downloads). ' +
        "loadAverage: the machine's 1/5/15-minute load at start and end (2 cores; other work on the machine shows here).",
    };
    writeBenchResult('download', result);
  } finally {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`download bench failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
