import { Wallet } from 'ethers';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamDomain, verifyRunEntryProof, type UpstreamDomain } from '@upstream/provenance';
import { OffLoopPool } from '../../apps/api/src/common/off-loop/off-loop.pool';
import { startTestApp, type TestApp } from '../support/app';
import {
  insertActiveLicensesBulk,
  insertDatasetsBulk,
  signRunManifest,
  withClient,
} from '../support/catalogue-fixtures';

const N = 100_000;
const CHUNK = 50_000;

describe(`a ${N.toLocaleString('en')}-entry run manifest, uploaded in chunks`, () => {
  let t: TestApp;
  let domain: UpstreamDomain;
  let lab: Wallet;
  /** The lab's signed-in client: a run is recorded by its lab. */
  let asLab: TestAgent;
  let roots: string[];
  let signed: Awaited<ReturnType<typeof signRunManifest>>;
  const weightOf = (i: number) => BigInt(1 + (i % 997));

  async function upload(): Promise<{ status: number; body: Record<string, unknown> }> {
    const body = roots.slice(0, CHUNK).map((datasetId, i) => ({ datasetId, weight: weightOf(i).toString() }));
    const open = await asLab
      .post('/runs')
      .send({ ...signed.body, entries: body })
      .expect(201);
    for (let offset = CHUNK; offset < N; offset += CHUNK) {
      const entries = roots
        .slice(offset, offset + CHUNK)
        .map((datasetId, i) => ({ datasetId, weight: weightOf(offset + i).toString() }));
      await asLab.post(`/runs/${open.body.id}/entries`).send({ offset, entries }).expect(200);
    }
    return asLab.post(`/runs/${open.body.id}/commit`);
  }

  beforeAll(async () => {
    t = await startTestApp();
    domain = upstreamDomain(31337, t.chain.deployment.contracts.ProvenanceRegistry);
    lab = new Wallet(t.chain.privateKey(7));
    asLab = await t.as(7);
    roots = await insertDatasetsBulk(t.database.url, N, new Wallet(t.chain.privateKey(8)).address);
    await insertActiveLicensesBulk(t.database.url, lab.address, roots);
    signed = await signRunManifest(lab, domain, {
      entries: roots.map((datasetId, i) => ({ datasetId, weight: weightOf(i) })),
      modelName: 'big-run',
    });
  }, 180_000);
  afterAll(() => t?.close());

  it('names the unlicensed datasets among 100,000 entries, with one set-based check', async () => {
    const revoked = [17, 50_001, 99_998];
    await withClient(t.database.url, (c) =>
      c.query(
        `UPDATE licenses SET status = 'revoked' WHERE licensee = $1 AND dataset_id IN (SELECT id FROM datasets WHERE content_root = ANY($2::text[]))`,
        [lab.address.toLowerCase(), revoked.map((i) => roots[i])],
      ),
    );
    const res = await upload();
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: 'UNLICENSED_DATASETS', count: 3 });
    expect((res.body.details as { field: string }[]).map((d) => d.field)).toEqual(
      revoked.map((i) => `entries[${i}].datasetId`),
    );
    await withClient(t.database.url, (c) => c.query(`UPDATE licenses SET status = 'active' WHERE status = 'revoked'`));
  }, 120_000);

  it('checks each 50,000-entry chunk in a worker thread and names a refused entry by its place in the manifest', async () => {
    const pool = t.app.get(OffLoopPool);
    const before = pool.ran.get('runEntriesOfBody') ?? 0;
    const first = roots.slice(0, CHUNK).map((datasetId, i) => ({ datasetId, weight: weightOf(i).toString() }));
    const open = await asLab
      .post('/runs')
      .send({ ...signed.body, entries: first })
      .expect(201);
    const second = roots
      .slice(CHUNK, 2 * CHUNK)
      .map((datasetId, i) => ({ datasetId, weight: weightOf(CHUNK + i).toString() }));
    second[12_345] = { ...second[12_345], weight: '0' };
    second[40_000] = { ...second[40_000], datasetId: second[3].datasetId };
    const refused = await asLab.post(`/runs/${open.body.id}/entries`).send({ offset: CHUNK, entries: second });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: [
        { field: `entries[${CHUNK + 12_345}].weight`, reason: 'must be greater than zero' },
        { field: `entries[${CHUNK + 40_000}].datasetId` },
      ],
    });
    expect(refused.body.details[1].reason).toContain(`entries[${CHUNK + 3}]`);
    // Both chunks were parsed and checked off the event loop; the refused one staged nothing.
    expect(pool.ran.get('runEntriesOfBody')).toBe(before + 2);
    const [{ staged }] = await withClient(t.database.url, async (c) => {
      const result = await c.query<{ staged: number }>(
        `SELECT count(*)::int AS staged FROM run_upload_entries WHERE upload_id = $1`,
        [open.body.id],
      );
      return result.rows;
    });
    expect(staged).toBe(CHUNK);
  }, 120_000);

  it('accepts the manifest, all at once, and proves any entry', async () => {
    const started = Date.now();
    const res = await upload();
    const seconds = (Date.now() - started) / 1000;
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    expect(res.body).toMatchObject({ status: 'committed', runId: signed.runId, received: N });
    expect(seconds).toBeLessThan(60);

    const [{ n }] = await withClient(t.database.url, (c) =>
      c.query(`SELECT count(*)::int AS n FROM run_entries`).then((r) => r.rows),
    );
    expect(n).toBe(N);
    const page = (await t.http.get(`/runs/${signed.runId}/entries?offset=99990&limit=20`).expect(200)).body;
    expect(page).toMatchObject({ total: N, limit: 20, offset: 99_990 });
    expect(page.items).toHaveLength(10);
    expect(page.items[9]).toMatchObject({
      position: N - 1,
      datasetId: roots[N - 1],
      weight: weightOf(N - 1).toString(),
    });
    const proof = (await t.http.get(`/runs/${signed.runId}/entries/proof?datasetId=${roots[54_321]}`).expect(200)).body;
    expect(
      await verifyRunEntryProof(
        signed.entriesRoot,
        { datasetId: roots[54_321], weight: weightOf(54_321) },
        proof.proof,
      ),
    ).toBe(true);
    const provenance = (await t.http.get(`/runs/${signed.runId}/provenance?limit=5&offset=1000`).expect(200)).body;
    expect(provenance.total).toBe(N);
    expect(provenance.entries.map((e: { position: number }) => e.position)).toEqual([1000, 1001, 1002, 1003, 1004]);
  }, 120_000);
});
