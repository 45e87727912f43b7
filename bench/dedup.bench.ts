// Exact-overlap benchmark (issue 15): the registration's overlap check (digest-bucket locks + the one
// set-based query, OverlapService.check as the registration runs it, in a transaction) of a 10,000-file
// dataset against 1,000,000 registered files, on its own embedded PostgreSQL. Baselines in the same run,
// on the same 10,000 files: the blob check the registration already makes (DatasetsRepository
// .entriesWithoutBlob, against 1,000,000 blobs), and the same overlap question asked one file at a time.
// Prints one JSON object and writes bench/results/dedup.json.
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const REGISTERED_DATASETS = Number(process.env.BENCH_DEDUP_DATASETS ?? 10_000);
const FILES_PER_DATASET = Number(process.env.BENCH_DEDUP_FILES_PER_DATASET ?? 100);
const NEW_FILES = Number(process.env.BENCH_DEDUP_NEW_FILES ?? 10_000);
/** Of the new dataset's files, how many are copies of registered ones (from FILES_PER_DATASET-file datasets). */
const COPIED_FILES = Number(process.env.BENCH_DEDUP_COPIED_FILES ?? 3_000);
const ROUNDS = Number(process.env.BENCH_DEDUP_ROUNDS ?? 30);
const LOOP_ROUNDS = Number(process.env.BENCH_DEDUP_LOOP_ROUNDS ?? 3);

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

    await dataSource.initialize();
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

    const result = {
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
      machine: { cores: (await import('node:os')).cpus().length, loadAverage: (await import('node:os')).loadavg() },
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'dedup.json'), JSON.stringify(result, null, 2) + '\n');
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
