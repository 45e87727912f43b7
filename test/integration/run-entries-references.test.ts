import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RoyaltyFixtures, type FixtureDataset, type FixtureRun } from '../support/royalty-fixtures';

const LAB = `0x${'1a'.repeat(20)}`;
const OWNER = `0x${'2b'.repeat(20)}`;

// run_entries' references are checked once per statement (triggers), not by per-row foreign keys: the same rules.
describe('run_entries references (real Postgres, every migration applied)', () => {
  let db: TestDatabase;
  let fx: RoyaltyFixtures;
  let dataset: FixtureDataset;
  let other: FixtureDataset;
  let run: FixtureRun;
  beforeAll(async () => {
    db = await createTestDatabase();
    fx = RoyaltyFixtures.connect(db.url);
    fx.pool.on('error', () => undefined); // its idle connections end when the database is dropped
    dataset = await fx.dataset({ owners: [{ account: OWNER, shareBps: 10_000 }] });
    other = await fx.dataset({ owners: [{ account: OWNER, shareBps: 10_000 }] });
    run = await fx.run({ lab: LAB, entries: [{ dataset, weight: 5n }] });
  });
  afterAll(async () => {
    await fx?.close();
    await db?.drop();
  });

  const insertEntries = (rows: { runId: string; position: number; datasetId: string }[]) =>
    fx.pool.query(
      `INSERT INTO run_entries (run_id, position, dataset_id, weight)
       SELECT r, p, d, 1 FROM unnest($1::uuid[], $2::int[], $3::uuid[]) AS t(r, p, d)`,
      [rows.map((r) => r.runId), rows.map((r) => r.position), rows.map((r) => r.datasetId)],
    );

  it('refuses a statement whose entries name a dataset that does not exist, whatever the others', async () => {
    await expect(
      insertEntries([
        { runId: run.id, position: 1, datasetId: other.id },
        { runId: run.id, position: 2, datasetId: randomUUID() },
      ]),
    ).rejects.toMatchObject({ code: '23503', constraint: 'run_entries_dataset_id_fkey' });
    const { rows } = await fx.pool.query(`SELECT count(*)::int AS n FROM run_entries WHERE run_id = $1`, [run.id]);
    expect(rows[0].n).toBe(1);
  });

  it('refuses entries of a run that does not exist, and an update that points an entry nowhere', async () => {
    await expect(insertEntries([{ runId: randomUUID(), position: 0, datasetId: dataset.id }])).rejects.toMatchObject({
      code: '23503',
      constraint: 'run_entries_run_id_fkey',
    });
    await expect(
      fx.pool.query(`UPDATE run_entries SET dataset_id = $2 WHERE run_id = $1`, [run.id, randomUUID()]),
    ).rejects.toMatchObject({ code: '23503', constraint: 'run_entries_dataset_id_fkey' });
  });

  it('refuses a dataset listed twice in one run', async () => {
    await expect(insertEntries([{ runId: run.id, position: 1, datasetId: dataset.id }])).rejects.toMatchObject({
      code: '23505',
      constraint: 'run_entries_dataset_run_key',
    });
  });

  it('keeps a dataset that a run names, and its id', async () => {
    await expect(fx.pool.query(`DELETE FROM datasets WHERE id = $1`, [dataset.id])).rejects.toMatchObject({
      code: '23503',
    });
    await expect(
      fx.pool.query(`UPDATE datasets SET id = $2 WHERE id = $1`, [dataset.id, randomUUID()]),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('deletes a run’s entries with the run (as ON DELETE CASCADE did)', async () => {
    const gone = await fx.run({ lab: LAB, entries: [{ dataset: other, weight: 2n }] });
    await fx.pool.query(`DELETE FROM training_runs WHERE id = $1`, [gone.id]);
    const { rows } = await fx.pool.query(`SELECT count(*)::int AS n FROM run_entries WHERE run_id = $1`, [gone.id]);
    expect(rows[0].n).toBe(0);
  });
});
