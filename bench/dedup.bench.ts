// Exact-overlap benchmark (issue 15): the registration's overlap check (digest-bucket locks + the one
// set-based query, OverlapService.check as the registration runs it, in a transaction) of a 10,000-file
// dataset against 1,000,000 registered files, on its own embedded PostgreSQL. Baselines in the same run,
// on the same 10,000 files: the blob check the registration already makes (DatasetsRepository
// .entriesWithoutBlob, against 1,000,000 blobs), and the same overlap question asked one file at a time.
// Near-duplicates in the same run: MinHash signature speed (signatureOf, the worker's streaming reader)
// over BENCH_DEDUP_TEXT_MIB (default 1,024) MiB of generated text vs `sha256sum` of the same file, and the
// LSH lookup of one file (NearDuplicateService.nearFiles: band probes + candidate signatures + verification)
// against 1,000,000 indexed text signatures, with an exact SHA-256 lookup in the same table as baseline.
// BENCH_DEDUP_ONLY=overlap,minhash,lsh (any of them) runs those phases and keeps the others' last figures.
// Prints one JSON object and writes bench/results/dedup.json.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EmbeddedPostgres, migrate, postgresOptions } from '@upstream/database';
import type { Address } from '@upstream/api-contract';
import type { FileEntry } from '@upstream/provenance';
import { insertDatasetsBulk } from '../test/support/catalogue-fixtures';
import { freePort } from '../test/support/ports';
import { OverlapRepository } from '../apps/api/src/integrity/overlap.repository';
import { OverlapService } from '../apps/api/src/integrity/overlap.service';
import { DatasetReadRepository } from '../apps/api/src/catalogue/dataset-read.repository';
import { DatasetsRepository } from '../apps/api/src/contributions/datasets/datasets.repository';
import { fileColumnsOf } from '../apps/api/src/contributions/datasets/file-list/file-columns';
import type { Runtime } from '../apps/api/src/runtime/runtime';
import type { Tx } from '../apps/api/src/common/persistence/unit-of-work';
import { LSH_BANDS, minhashOf, signatureToBytes, textBands } from '../apps/api/src/integrity/near-duplicates/minhash';
import { NearDuplicateRepository } from '../apps/api/src/integrity/near-duplicates/near-duplicate.repository';
import {
  decode,
  NearDuplicateService,
  signatureOf,
} from '../apps/api/src/integrity/near-duplicates/near-duplicate.service';

const REGISTERED_DATASETS = Number(process.env.BENCH_DEDUP_DATASETS ?? 10_000);
const FILES_PER_DATASET = Number(process.env.BENCH_DEDUP_FILES_PER_DATASET ?? 100);
const NEW_FILES = Number(process.env.BENCH_DEDUP_NEW_FILES ?? 10_000);
/** Of the new dataset's files, how many are copies of registered ones (from FILES_PER_DATASET-file datasets). */
const COPIED_FILES = Number(process.env.BENCH_DEDUP_COPIED_FILES ?? 3_000);
const ROUNDS = Number(process.env.BENCH_DEDUP_ROUNDS ?? 30);
const LOOP_ROUNDS = Number(process.env.BENCH_DEDUP_LOOP_ROUNDS ?? 3);
/** Comma-separated phases to run (overlap, minhash, lsh); the others keep their figures from the last results file. */
const ONLY = process.env.BENCH_DEDUP_ONLY?.split(',');
const RESULTS = join(__dirname, 'results', 'dedup.json');
const TEXT_MIB = Number(process.env.BENCH_DEDUP_TEXT_MIB ?? 1024);
const TEXT_ROUNDS = Number(process.env.BENCH_DEDUP_TEXT_ROUNDS ?? 3);
const INDEXED_FILES = Number(process.env.BENCH_DEDUP_INDEXED_FILES ?? 1_000_000);
/** Query files, each with a lightly edited near-duplicate among the indexed ones. */
const LSH_QUERIES = Number(process.env.BENCH_DEDUP_LSH_QUERIES ?? 300);

const log = (message: string) => process.stderr.write(`[bench:dedup] ${message}\n`);
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 100) / 100;

async function timed(rounds: number, work: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 2; i++) await work(); // warm the caches and the plan
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'upstream-bench-dedup-'));
  const pg = await EmbeddedPostgres.start({ dataDir: join(dir, 'postgres'), port: await freePort() });
  const dataSource = new DataSource(postgresOptions(pg.url('upstream')));
  try {
    const admin = new Client({ connectionString: pg.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE upstream');
    await admin.end();
    const url = pg.url('upstream');
    await migrate(url);
    await dataSource.initialize();
    const result: Record<string, unknown> =
      ONLY && existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
    if (!ONLY || ONLY.includes('minhash')) Object.assign(result, await minhashSpeed(dir));
    if (!ONLY || ONLY.includes('lsh')) Object.assign(result, await lshQuery(url, dataSource));
    if (!ONLY || ONLY.includes('overlap')) Object.assign(result, await overlapCheck(url, dataSource));
    // Each phase records the load average when it ended (other sessions share this machine).
    result.machine = { cores: cpus().length };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function overlapCheck(url: string, dataSource: DataSource): Promise<Record<string, unknown>> {
  {
    const started = Date.now();
    const owner = '0x' + '11'.repeat(20);
    await insertDatasetsBulk(url, REGISTERED_DATASETS, owner, 'dedup');
    const db = new Client({ connectionString: url });
    await db.connect();
    // FILES_PER_DATASET files per dataset, each its own digest; the same digests are uploaded blobs.
    await db.query(
      `INSERT INTO dataset_files (dataset_id, path, size, sha256)
       SELECT d.id, 'file-' || i, 1000 + (hashtext(d.id::text || i) & 65535), md5(d.id::text || ':' || i) || md5(i || ':' || d.id::text)
       FROM datasets d, generate_series(1, $1) AS i`,
      [FILES_PER_DATASET],
    );
    await db.query(`INSERT INTO blobs (sha256, size) SELECT sha256, size FROM dataset_files ON CONFLICT DO NOTHING`);
    await db.query(`VACUUM ANALYZE`);
    const {
      rows: [{ files }],
    } = await db.query<{ files: number }>(`SELECT count(*)::int AS files FROM dataset_files`);
    log(
      `fixture: ${REGISTERED_DATASETS} datasets, ${files} files and blobs in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    // The new dataset: COPIED_FILES files of registered datasets (whole datasets), the rest new digests.
    const { rows: copied } = await db.query<{ sha256: string; size: string }>(
      `SELECT f.sha256, f.size::text AS size FROM dataset_files f
       WHERE f.dataset_id IN (SELECT id FROM datasets ORDER BY created_at, id LIMIT $1) LIMIT $2`,
      [Math.ceil(COPIED_FILES / FILES_PER_DATASET), COPIED_FILES],
    );
    const { rows: fresh } = await db.query<{ sha256: string; size: string }>(
      `SELECT sha256, size::text AS size FROM (
         SELECT md5('new' || i) || md5(i || 'new') AS sha256, 1000 + (hashtext('new' || i) & 65535) AS size
         FROM generate_series(1, $1) AS i) t`,
      [NEW_FILES - copied.length],
    );
    // The new digests as uploaded blobs too, so the blob check finds every file (the registration's case).
    await db.query(
      `INSERT INTO blobs (sha256, size) SELECT h, s::numeric FROM unnest($1::text[], $2::text[]) AS t(h, s) ON CONFLICT DO NOTHING`,
      [fresh.map((f) => f.sha256), fresh.map((f) => f.size)],
    );
    await db.end();
    const entries: FileEntry[] = [...copied, ...fresh].map((f, i) => ({
      path: `new/${i}`,
      size: BigInt(f.size),
      sha256: f.sha256,
    }));
    const totalBytes = entries.reduce((sum, e) => sum + e.size, 0n);

    const runtime = { config: { overlapRefusePpm: 500_000 } } as unknown as Runtime;
    const overlaps = new OverlapService(
      new OverlapRepository(dataSource),
      new DatasetReadRepository(dataSource),
      runtime,
    );
    const datasets = new DatasetsRepository(dataSource);
    const newOwner = ('0x' + '22'.repeat(20)) as Address;
    const columns = fileColumnsOf(entries);
    // A registration writes its files first and checks them where they are: so does the bench (once, kept).
    const [newRoot] = await insertDatasetsBulk(url, 1, newOwner, 'dedup-new');
    const [{ id: datasetId }] = await dataSource.query<{ id: string }[]>(
      `SELECT id FROM datasets WHERE content_root = $1`,
      [newRoot],
    );
    await datasets.insertFiles(datasetId, columns);
    const candidate = { datasetId, sha256s: columns.sha256s, totalBytes, owners: [newOwner], parentIds: [] };

    // Each check in its own transaction, as in a registration (rolled back: nothing is written here).
    const rollback = new Error('rollback');
    const inTransaction = (work: (tx: Tx) => Promise<unknown>) =>
      dataSource
        .transaction(async (tx) => {
          await work(tx);
          throw rollback;
        })
        .catch((error: unknown) => {
          if (error !== rollback) throw error;
        });

    let finding: Awaited<ReturnType<OverlapService['check']>> | undefined;
    const overlapTimes = await timed(ROUNDS, () =>
      inTransaction(async (tx) => {
        finding = await overlaps.check(tx, candidate);
      }),
    );
    log(`overlap check p50 ${round(p50(overlapTimes))} ms (${finding?.rows.length} overlapping datasets)`);

    const blobTimes = await timed(ROUNDS, () => inTransaction((tx) => datasets.in(tx).entriesWithoutBlob(datasetId)));
    log(`blob check p50 ${round(p50(blobTimes))} ms`);

    // The same question one file at a time: what the set-based query replaces.
    const loopTimes = await timed(LOOP_ROUNDS, () =>
      inTransaction(async (tx) => {
        for (const e of entries)
          await tx.query(`SELECT DISTINCT dataset_id FROM dataset_files WHERE sha256 = $1`, [e.sha256]);
      }),
    );
    log(`per-file loop p50 ${round(p50(loopTimes))} ms`);

    return {
      registeredFiles: files,
      registeredDatasets: REGISTERED_DATASETS,
      newDatasetFiles: entries.length,
      copiedFiles: copied.length,
      overlappingDatasets: finding?.rows.length ?? 0,
      undeclaredBytes: finding?.undeclaredBytes.toString(),
      totalBytes: totalBytes.toString(),
      rounds: ROUNDS,
      overlapCheckMsP50: round(p50(overlapTimes)),
      overlapCheckMsMax: round(Math.max(...overlapTimes)),
      targetMs: 200,
      baseline: {
        blobCheckMsP50: round(p50(blobTimes)),
        perFileLoopMsP50: round(p50(loopTimes)),
        perFileLoopRounds: LOOP_ROUNDS,
      },
      ratioToBlobCheck: round(p50(overlapTimes) / p50(blobTimes)),
      speedupOverPerFileLoop: round(p50(loopTimes) / p50(overlapTimes)),
      overlapLoadAverage: loadavg(),
    };
  }
}

/** A fast PRNG (xorshift32) for the generated text: reproducible, and not the thing measured. */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** Prose-like words (2-10 lowercase letters) from a 50,000-word vocabulary, sentences and line breaks. */
function vocabulary(random: () => number): Buffer[] {
  return Array.from({ length: 50_000 }, () =>
    Buffer.from(Array.from({ length: 2 + (random() % 9) }, () => String.fromCharCode(97 + (random() % 26))).join('')),
  );
}

function proseBlock(words: Buffer[], random: () => number, bytes: number): Buffer {
  const out = Buffer.alloc(bytes + 32);
  let at = 0;
  let n = 0;
  while (at < bytes) {
    at += words[random() % words.length].copy(out, at);
    n++;
    out[at++] = n % 97 === 0 ? 0x0a : n % 13 === 0 ? 0x2e : 0x20;
  }
  return out.subarray(0, at);
}

/** MinHash over TEXT_MIB of text, read from disk by the worker's streaming reader, vs sha256sum of the same file. */
async function minhashSpeed(dir: string): Promise<Record<string, unknown>> {
  const file = join(dir, 'text.txt');
  const random = xorshift(42);
  const words = vocabulary(random);
  const out = createWriteStream(file);
  let written = 0;
  while (written < TEXT_MIB * 2 ** 20) {
    const block = proseBlock(words, random, Math.min(4 * 2 ** 20, TEXT_MIB * 2 ** 20 - written));
    written += block.length;
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  log(`text: ${(written / 2 ** 20).toFixed(0)} MiB written`);
  const mbps = (ms: number) => written / 1e6 / (ms / 1000);
  const minhashMs: number[] = [];
  const shaMs: number[] = [];
  // Alternated, so both see the same page cache and the same moments of the machine's load.
  for (let i = 0; i < TEXT_ROUNDS; i++) {
    let t0 = performance.now();
    execFileSync('sha256sum', [file], { stdio: 'ignore' });
    shaMs.push(performance.now() - t0);
    t0 = performance.now();
    const signature = await signatureOf(createReadStream(file, { highWaterMark: 1 << 20 }));
    minhashMs.push(performance.now() - t0);
    if (signature.kind !== 'text') throw new Error(`the generated text was read as ${signature.kind}`);
    log(`round ${i + 1}: minhash ${mbps(minhashMs[i]).toFixed(1)} MB/s, sha256sum ${mbps(shaMs[i]).toFixed(1)} MB/s`);
  }
  rmSync(file);
  const minhashMBps = round(mbps(p50(minhashMs)));
  const sha256sumMBps = round(mbps(p50(shaMs)));
  return {
    textBytes: written,
    textRounds: TEXT_ROUNDS,
    minhashMBps,
    sha256sumMBps,
    ratioToSha256sum: round(minhashMBps / sha256sumMBps),
    ratioTarget: 0.5,
    minhashLoadAverage: loadavg(),
  };
}

/**
 * INDEXED_FILES text signatures in content_signatures and lsh_bands: LSH_QUERIES of them are real signatures
 * of lightly edited copies of the query texts; the rest are random signatures with random band hashes
 * (what distinct documents look like to the index), written by PostgreSQL itself.
 */
async function lshQuery(url: string, dataSource: DataSource): Promise<Record<string, unknown>> {
  const started = Date.now();
  const random = xorshift(7);
  const words = vocabulary(random);
  const queries = Array.from({ length: LSH_QUERIES }, () => proseBlock(words, random, 4000 + (random() % 20000)));
  const edited = queries.map((q) => {
    const copy = Buffer.from(q);
    for (let at = 50; at < copy.length; at += 400) if (copy[at] !== 0x20 && copy[at] !== 0x0a) copy[at] = 0x71;
    return copy;
  });
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const planted = edited.map((bytes, i) => ({ sha256: sha256Hex(`planted:${i}`), sig: minhashOf(bytes)! }));
    await db.query(
      `INSERT INTO content_signatures (sha256, kind, minhash) SELECT h, 'text', m FROM unnest($1::text[], $2::bytea[]) AS t(h, m)`,
      [planted.map((p) => p.sha256), planted.map((p) => signatureToBytes(p.sig))],
    );
    await db.query(
      `INSERT INTO lsh_bands (band_hash, signature_id)
       SELECT t.b, s.id FROM unnest($1::text[], $2::int[]) AS t(h, b) JOIN content_signatures s ON s.sha256 = t.h`,
      [planted.flatMap((p) => textBands(p.sig).map(() => p.sha256)), planted.flatMap((p) => textBands(p.sig))],
    );
    const rest = INDEXED_FILES - planted.length;
    // 512 random bytes per signature: 32 md5s.
    await db.query(
      `INSERT INTO content_signatures (sha256, kind, minhash)
       SELECT md5('sig' || i) || md5(i || 'sig'), 'text',
              decode(md5(i || ':1') || md5(i || ':2') || md5(i || ':3') || md5(i || ':4'), 'hex')
              || decode(repeat(md5(i || ':5'), 28), 'hex')
       FROM generate_series(1, $1) AS i`,
      [rest],
    );
    await db.query(`DROP INDEX lsh_bands_hash_idx`);
    await db.query(`DROP INDEX lsh_bands_signature_idx`);
    await db.query(
      `INSERT INTO lsh_bands (band_hash, signature_id)
       SELECT hashtext(s.id || ':' || b), s.id FROM content_signatures s, generate_series(1, $1) AS b
       WHERE s.id > $2`,
      [LSH_BANDS, planted.length],
    );
    await db.query(`CREATE INDEX lsh_bands_hash_idx ON lsh_bands (band_hash, signature_id)`);
    await db.query(`CREATE INDEX lsh_bands_signature_idx ON lsh_bands (signature_id)`);
    await db.query(`VACUUM ANALYZE content_signatures, lsh_bands`);
    const {
      rows: [{ signatures, bands }],
    } = await db.query<{ signatures: number; bands: number }>(
      `SELECT (SELECT count(*)::int FROM content_signatures) AS signatures, (SELECT count(*)::int FROM lsh_bands) AS bands`,
    );
    log(`lsh fixture: ${signatures} signatures, ${bands} band rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const runtime = { config: { nearDuplicateSimilarity: 0.5 } } as unknown as Runtime;
    const service = new NearDuplicateService(
      new NearDuplicateRepository(dataSource),
      null as never,
      null as never,
      null as never,
      null as never,
      runtime,
    );
    const files = queries.map((bytes, i) =>
      decode({
        signature_id: 0,
        sha256: sha256Hex(`query:${i}`),
        kind: 'text',
        minhash: signatureToBytes(minhashOf(bytes)!),
        phash: null,
        files: 1,
        bytes: String(bytes.length),
      }),
    );
    let found = 0;
    let i = 0;
    const lookupTimes = await timed(LSH_QUERIES - 2, async () => {
      const [matches] = await service.nearFiles([files[i % files.length]]);
      if (matches.has(planted[i % files.length].sha256)) found++;
      i++;
    });
    log(`lsh lookup p50 ${round(p50(lookupTimes))} ms; ${found} of ${LSH_QUERIES} planted near-duplicates found`);
    let j = 0;
    const exactTimes = await timed(LSH_QUERIES - 2, () =>
      db.query(`SELECT id FROM content_signatures WHERE sha256 = $1`, [planted[j++ % planted.length].sha256]),
    );
    log(`exact lookup p50 ${round(p50(exactTimes))} ms`);
    return {
      indexedFiles: signatures,
      lshBandRows: bands,
      lshQueries: LSH_QUERIES,
      lshPlantedFound: found,
      lshQueryMsP50: round(p50(lookupTimes)),
      lshQueryMsMax: round(Math.max(...lookupTimes)),
      lshTargetMs: 50,
      lshBaseline: { exactSha256LookupMsP50: round(p50(exactTimes)) },
      lshRatioToExactLookup: round(p50(lookupTimes) / p50(exactTimes)),
      lshLoadAverage: loadavg(),
    };
  } finally {
    await db.end();
  }
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
