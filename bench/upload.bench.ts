// Upload benchmark: the built service as a real process, started with the Node flags of
// `npm start`; a generated file (2 GiB, or UPLOAD_BENCH_BYTES) uploaded and registered through
// the API, then the same size through `upstream upload`'s resumable path, `sha256sum` on the same
// file in the same run, the service's peak RSS, and a folder of 10,000 small files through the
// CLI's upload path. Then the S3 phase: a second service with BLOB_STORE_URL=s3://… on s3rver
// (loopback, storing on this disk), the same PUT and resumable paths on a file of
// UPLOAD_BENCH_S3_BYTES (default 1 GiB), against `sha256sum` on that file in the same run.
// UPLOAD_BENCH_ONLY=s3 runs only that phase and updates the `s3` entry of the last results.
// Prints one JSON object and writes bench/results/upload.json.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Wallet, type Signer } from 'ethers';
import { buildContentTree, type FileEntry, type UpstreamDomain } from '@upstream/provenance';
import { listFiles } from '../apps/cli/src/contribution/file-list';
import { signRegistration } from '../apps/cli/src/contribution/registration';
import { signInWith } from '../apps/cli/src/auth/authenticator';
import { hashAndUpload, uploadAndHash, DEFAULT_RESUMABLE_THRESHOLD } from '../apps/cli/src/contribution/uploader';
import { Upload as MultipartUpload } from '@aws-sdk/lib-storage';
import { makeS3Client } from '../apps/api/src/contributions/storage/s3/s3-objects';
import { freePort } from '../test/support/ports';
import { S3RVER_CREDENTIALS, startTestS3 } from '../test/support/s3';
import { ROOT, spawnService, startFlags, waitForHealth, type ServiceProcess } from '../test/support/service-process';

const BIG_BYTES = Number(process.env.UPLOAD_BENCH_BYTES ?? 2 * 1024 ** 3);
const S3_BYTES = Number(process.env.UPLOAD_BENCH_S3_BYTES ?? 1024 ** 3);
const ONLY_S3 = process.env.UPLOAD_BENCH_ONLY === 's3';
const SMALL_FILES = Number(process.env.UPLOAD_BENCH_SMALL_FILES ?? 10_000);
const MB = 1_000_000;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function generate(path: string, bytes: number): Promise<void> {
  const block = randomBytes(1 << 20);
  const out = createWriteStream(path);
  for (let written = 0, i = 0; written < bytes; i++) {
    const chunk = Buffer.from(block.subarray(0, Math.min(block.length, bytes - written)));
    chunk.writeUInt32BE(i, 0); // no two MiB alike
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    written += chunk.length;
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return round(kib / 1024);
}

/** User and system CPU seconds the process has used so far. */
async function cpuSeconds(pid: number): Promise<{ user: number; system: number }> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /, '').split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** The service's peak RSS and CPU seconds spent since `before`, for one phase of the bench. */
async function phase(pid: number, before: { user: number; system: number }) {
  const now = await cpuSeconds(pid);
  return {
    peakRssMiB: await peakRssMiB(pid),
    serviceCpu: { user: round(now.user - before.user, 2), system: round(now.system - before.system, 2) },
  };
}

async function register(
  api: string,
  authorization: string,
  domain: UpstreamDomain,
  signer: Signer,
  title: string,
  entries: FileEntry[],
) {
  const tree = await buildContentTree(entries);
  const body = await signRegistration(signer, { entries: [...tree.entries], contentRoot: tree.root, title, domain });
  const res = await fetch(new URL('/datasets', api), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

/** `sha256sum` of a file: its digest and seconds. */
function sha256sum(path: string): { sha256: string; seconds: number } {
  const started = performance.now();
  const sum = spawnSync('sha256sum', [path], { encoding: 'utf8' });
  if (sum.status !== 0) throw new Error(`sha256sum failed: ${sum.stderr}`);
  return { sha256: sum.stdout.split(/\s+/)[0], seconds: (performance.now() - started) / 1000 };
}

/**
 * The service with its blobs in S3 (s3rver on loopback, in this process): PUT /blobs (a multipart
 * upload, hashed on the way, copied to its hash's key when complete) and the CLI's resumable path
 * (tus PATCHes into a multipart upload, published by a copy), each followed by POST /datasets.
 */
async function s3Phase(work: string) {
  const s3 = await startTestS3();
  let service: ServiceProcess | undefined;
  try {
    const bucket = await s3.createBucket('upstream-bench');
    const [port, pgPort, chainPort] = [await freePort(), await freePort(), await freePort()];
    const api = `http://127.0.0.1:${port}`;
    service = spawnService({
      DATA_DIR: join(work, 'data-s3'),
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      LOCAL_CHAIN_PORT: String(chainPort),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '10000000',
      UPLOAD_RATE_LIMIT_PER_MINUTE: '10000000',
      MAX_FILE_BYTES: String(Math.max(S3_BYTES, 1) * 2),
      BLOB_STORE_URL: `s3://${bucket}/bench`,
      S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    });
    await waitForHealth(api, service, 120_000);
    const pid = service.child.pid!;
    const domain = ((await (await fetch(`${api}/chain`)).json()) as { eip712Domain: UpstreamDomain }).eip712Domain;
    const signer = Wallet.createRandom();
    const authorization = `Bearer ${(await signInWith(api, signer)).token}`;

    const file = join(work, 's3.bin');
    await generate(file, S3_BYTES);
    const sum = sha256sum(file);
    // The S3 server's own ceiling in this run: the same file straight into it with lib-storage
    // (the same part size and parallelism as the service), no API in between.
    const direct = makeS3Client({ bucket, prefix: '', endpoint: s3.endpoint }, S3RVER_CREDENTIALS);
    const directStarted = performance.now();
    await new MultipartUpload({
      client: direct,
      params: { Bucket: bucket, Key: 'direct/s3.bin', Body: createReadStream(file) },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
    }).done();
    const directSeconds = (performance.now() - directStarted) / 1000;
    direct.destroy();
    const idleRssMiB = await peakRssMiB(pid);
    const putCpu = await cpuSeconds(pid);
    const started = performance.now();
    const uploaded = await uploadAndHash(file, { api, authorization });
    await register(api, authorization, domain, signer, 'bench: s3 put', [
      { path: basename(file), size: uploaded.size, sha256: uploaded.sha256 },
    ]);
    const putSeconds = (performance.now() - started) / 1000;
    if (uploaded.sha256 !== sum.sha256)
      throw new Error(`S3 upload hashed to ${uploaded.sha256}, sha256sum says ${sum.sha256}`);
    const putPhase = await phase(pid, putCpu);
    await rm(file);

    const file2 = join(work, 's3-resumable.bin');
    await generate(file2, S3_BYTES);
    const tusCpu = await cpuSeconds(pid);
    const tusStarted = performance.now();
    const sent = await hashAndUpload((await listFiles(file2)).files, {
      api,
      authorization,
      resumableThreshold: Math.min(DEFAULT_RESUMABLE_THRESHOLD, S3_BYTES),
      resumeStore: join(work, 'uploads-s3.json'),
    });
    await register(api, authorization, domain, signer, 'bench: s3 resumable', sent.entries);
    const tusSeconds = (performance.now() - tusStarted) / 1000;
    if (sent.uploaded !== 1) throw new Error(`the resumable path uploaded ${sent.uploaded} files, expected 1`);
    const tusPhase = await phase(pid, tusCpu);
    await rm(file2);

    const sha256sumMBps = S3_BYTES / MB / sum.seconds;
    const directMBps = S3_BYTES / MB / directSeconds;
    const putMBps = S3_BYTES / MB / putSeconds;
    const tusMBps = S3_BYTES / MB / tusSeconds;
    return {
      fileBytes: S3_BYTES,
      uploadAndRegisterMBps: round(putMBps),
      sha256sumMBps: round(sha256sumMBps),
      ratioToSha256sum: round(putMBps / sha256sumMBps, 2),
      cliResumableMBps: round(tusMBps),
      cliResumableRatioToSha256sum: round(tusMBps / sha256sumMBps, 2),
      s3rverDirectMBps: round(directMBps),
      ratioToS3rverDirect: round(putMBps / directMBps, 2),
      cliResumableRatioToS3rverDirect: round(tusMBps / directMBps, 2),
      peakRssMiB: await peakRssMiB(pid),
      idleRssMiB,
      phases: { put: putPhase, cliResumable: tusPhase },
      notes:
        'The service with BLOB_STORE_URL=s3://… on s3rver 3.7 over loopback; s3rver runs in the bench process and ' +
        'writes every part to this disk (and md5s it), then writes the assembled object again on completion and ' +
        'once more for the copy to its hash: a ceiling set by s3rver and the disk, not by S3. ' +
        's3rverDirectMBps: the same file put straight into s3rver with lib-storage in the same run (no API), the ' +
        'ceiling the ratios to it are measured against.',
    };
  } finally {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await s3.stop();
  }
}

async function writeResult(result: object): Promise<void> {
  const json = JSON.stringify(result, null, 2);
  process.stdout.write(json + '\n');
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(join(ROOT, 'bench/results/upload.json'), json + '\n');
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'upstream-upload-bench-'));
  if (ONLY_S3) {
    try {
      const previous = (await readFile(join(ROOT, 'bench/results/upload.json'), 'utf8').then(
        (text) => JSON.parse(text) as object,
        () => ({ bench: 'upload' }),
      )) as Record<string, unknown>;
      await writeResult({ ...previous, s3: await s3Phase(work) });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return;
  }
  let service: ServiceProcess | undefined;
  try {
    const [port, pgPort, chainPort] = [await freePort(), await freePort(), await freePort()];
    const api = `http://127.0.0.1:${port}`;
    service = spawnService({
      DATA_DIR: join(work, 'data'),
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      LOCAL_CHAIN_PORT: String(chainPort),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '10000000',
      UPLOAD_RATE_LIMIT_PER_MINUTE: '10000000',
      MAX_FILE_BYTES: String(Math.max(BIG_BYTES, 1) * 2),
    });
    await waitForHealth(api, service, 120_000);
    const pid = service.child.pid!;
    const idleRssMiB = await peakRssMiB(pid);
    const domain = ((await (await fetch(`${api}/chain`)).json()) as { eip712Domain: UpstreamDomain }).eip712Domain;
    const signer = Wallet.createRandom(); // any key: it signs in and signs; no funds needed
    const authorization = `Bearer ${(await signInWith(api, signer)).token}`;

    // One big file: streamed and registered in one pass (client and server each hash while the bytes flow).
    const big = join(work, 'big.bin');
    await generate(big, BIG_BYTES);
    const sumStarted = performance.now();
    const sum = spawnSync('sha256sum', [big], { encoding: 'utf8' });
    const sha256sumSeconds = (performance.now() - sumStarted) / 1000;
    if (sum.status !== 0) throw new Error(`sha256sum failed: ${sum.stderr}`);
    const expected = sum.stdout.split(/\s+/)[0];

    const putCpu = await cpuSeconds(pid);
    const started = performance.now();
    const uploaded = await uploadAndHash(big, { api, authorization });
    await register(api, authorization, domain, signer, 'bench: one big file', [
      { path: basename(big), size: uploaded.size, sha256: uploaded.sha256 },
    ]);
    const uploadSeconds = (performance.now() - started) / 1000;
    if (uploaded.sha256 !== expected)
      throw new Error(`upload hashed to ${uploaded.sha256}, sha256sum says ${expected}`);
    const putPhase = await phase(pid, putCpu);

    // The same size through `upstream upload`'s path for big files: tus, hashed while it is sent (one read).
    const big2 = join(work, 'big-resumable.bin');
    await generate(big2, BIG_BYTES);
    const cliCpu = await cpuSeconds(pid);
    const cliStarted = performance.now();
    const listing = await listFiles(big2);
    const sent = await hashAndUpload(listing.files, {
      api,
      authorization,
      resumableThreshold: Math.min(DEFAULT_RESUMABLE_THRESHOLD, BIG_BYTES),
      resumeStore: join(work, 'uploads.json'),
    });
    await register(api, authorization, domain, signer, 'bench: resumable', sent.entries);
    const cliSeconds = (performance.now() - cliStarted) / 1000;
    if (sent.uploaded !== 1) throw new Error(`the resumable path uploaded ${sent.uploaded} files, expected 1`);
    const cliPhase = await phase(pid, cliCpu);
    await rm(big2);

    // Many small files: hash, upload what is missing, register (bulk insert), as `upstream upload` does.
    const folder = join(work, 'small');
    for (let d = 0; d < Math.ceil(SMALL_FILES / 1000); d++) {
      await mkdir(join(folder, `d${d}`), { recursive: true });
      const count = Math.min(1000, SMALL_FILES - d * 1000);
      await Promise.all(
        Array.from({ length: count }, (_, i) =>
          writeFile(join(folder, `d${d}`, `f${i}.txt`), `small file ${d}/${i} ${randomBytes(8).toString('hex')}\n`),
        ),
      );
    }
    const smallCpu = await cpuSeconds(pid);
    const smallStarted = performance.now();
    const small = await hashAndUpload((await listFiles(folder)).files, { api, authorization });
    await register(api, authorization, domain, signer, 'bench: small files', small.entries);
    const smallSeconds = (performance.now() - smallStarted) / 1000;
    const smallPhase = await phase(pid, smallCpu);

    const uploadAndRegisterMBps = BIG_BYTES / MB / uploadSeconds;
    const sha256sumMBps = BIG_BYTES / MB / sha256sumSeconds;
    const cliResumableMBps = BIG_BYTES / MB / cliSeconds;
    const result = {
      bench: 'upload',
      fileBytes: BIG_BYTES,
      uploadAndRegisterMBps: round(uploadAndRegisterMBps),
      sha256sumMBps: round(sha256sumMBps),
      ratioToSha256sum: round(uploadAndRegisterMBps / sha256sumMBps, 2),
      cliResumableMBps: round(cliResumableMBps),
      cliResumableRatioToSha256sum: round(cliResumableMBps / sha256sumMBps, 2),
      peakRssMiB: await peakRssMiB(pid),
      idleRssMiB,
      smallFiles: SMALL_FILES,
      smallFilesPerSecond: round(SMALL_FILES / smallSeconds),
      phases: { put: putPhase, cliResumable: cliPhase, smallFiles: smallPhase },
      targets: { ratioToSha256sum: 0.8, cliResumableRatioToSha256sum: 0.8, peakRssMiB: 200 },
      serviceNodeFlags: startFlags().join(' '),
      notes:
        'uploadAndRegisterMBps: PUT /blobs, client and server each hash while streaming, then POST /datasets. ' +
        "cliResumable: `upstream upload`'s path for files >= 256 MiB: list, tus upload hashed while sent (one read; the server confirms the digest with Upload-Sha256), then POST /datasets. " +
        'peakRssMiB: VmHWM of the API process (PostgreSQL and anvil are separate processes); idleRssMiB: the same right after start-up. ' +
        'phases: VmHWM after each phase (it only grows) and the CPU seconds the service spent in it.',
    };
    // The local-disk service stops before the S3 phase starts its own.
    service.child.kill('SIGTERM');
    await service.exited;
    service = undefined;
    await writeResult({ ...result, s3: await s3Phase(work) });
  } finally {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`upload bench failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
