import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRunEntryProof } from '@upstream/provenance';
import { startTestApp, type TestApp } from '../support/app';
import { insertDataset, type FixtureDataset } from '../support/catalogue-fixtures';
import { ROOT } from '../support/service-process';

/** The lab's side through the built `upstream` CLI (run `npx nest build cli` first; npm test builds). */
describe('lab CLI: upstream license --pay, run record, run pay, provenance, runs', () => {
  let t: TestApp;
  let dir: string;
  let lab: Wallet;
  let paid: FixtureDataset;
  let free: FixtureDataset;

  function cli(
    args: string[],
    onTick?: () => Promise<void>,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['bin/upstream.js', '--api', t.baseUrl, '--json', ...args], {
        cwd: ROOT,
        env: { ...process.env, UPSTREAM_PRIVATE_KEY: lab.privateKey, UPSTREAM_RPC_URL: t.chain.rpcUrl },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // The background worker is off in tests: index on the CLI's behalf while it waits for activation.
      const timer = onTick ? setInterval(() => void onTick().catch(() => undefined), 500) : undefined;
      child.once('exit', (code) => {
        clearInterval(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  beforeAll(async () => {
    t = await startTestApp();
    dir = await mkdtemp(join(tmpdir(), 'upstream-lab-cli-'));
    lab = new Wallet(t.chain.privateKey(9));
    const token = t.chain.deployment.contracts.PaymentToken!;
    paid = await insertDataset(t.database.url, { template: 'paid-per-run', fee: { token, amount: 2_500_000n } });
    free = await insertDataset(t.database.url);
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('licenses a dataset with a fee and pays it in one command', async () => {
    const res = await cli(['license', paid.id, '--pay', '--wait', '30'], () => t.tick());
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.license).toMatchObject({ datasetId: paid.contentRoot, status: 'active' });
    expect(out.paid.payTx).toMatch(/^0x[0-9a-f]{64}$/);
    const free1 = await cli(['license', free.contentRoot]);
    expect(JSON.parse(free1.stdout).license.status).toBe('active');
  });

  it('records a manifest file, pays the run and answers the audit questions', async () => {
    const file = join(dir, 'manifest.json');
    await writeFile(
      file,
      JSON.stringify({
        modelName: 'cli-model',
        modelHash: '0x' + 'c1'.repeat(32),
        weightUnit: 'tokens',
        startedAt: '2026-10-01T00:00:00Z',
        endedAt: '2026-10-02T00:00:00Z',
        entries: [
          { datasetId: paid.contentRoot, weight: '700' },
          // By uuid, as every route takes it: the CLI signs the content root.
          { datasetId: free.id, weight: 300 },
        ],
      }),
    );
    const recorded = await cli(['run', 'record', file]);
    expect(recorded.code, recorded.stderr).toBe(0);
    const upload = JSON.parse(recorded.stdout);
    expect(upload).toMatchObject({ status: 'committed', entryCount: 2, run: { totalWeight: '1000' } });

    const payRes = await cli(['run', 'pay', upload.runId, '--amount', '1000000']);
    expect(payRes.code, payRes.stderr).toBe(0);
    expect(JSON.parse(payRes.stdout)).toMatchObject({ runId: upload.runId, amount: '1000000' });
    await t.tick();

    const prov = JSON.parse((await cli(['provenance', '--model', '0x' + 'c1'.repeat(32)])).stdout);
    const entries = prov.runs[0].entries as { datasetId: string; weight: string; proof: string[] }[];
    expect(entries.map((e) => e.weight)).toEqual(['700', '300']);
    expect(entries.map((e) => e.datasetId)).toEqual([paid.contentRoot, free.contentRoot]);
    for (const e of entries)
      expect(
        await verifyRunEntryProof(
          prov.runs[0].run.entriesRoot,
          { datasetId: e.datasetId, weight: BigInt(e.weight) },
          e.proof,
        ),
      ).toBe(true);

    const runs = JSON.parse((await cli(['runs', '--dataset', paid.contentRoot])).stdout);
    expect(runs.total).toBe(1);
    expect(runs.items).toEqual([
      expect.objectContaining({
        runId: upload.runId,
        weight: '700',
        paid: [expect.objectContaining({ amount: '1000000' })],
      }),
    ]);
    const croissant = JSON.parse((await cli(['provenance', '--run', upload.runId, '--croissant'])).stdout);
    expect(croissant.isBasedOn).toHaveLength(2);
  });

  it('reports API refusals with the field and a non-zero exit', async () => {
    const res = await cli(['provenance', '--run', '0x' + '00'.repeat(32)]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('RUN_NOT_FOUND');
  });
});
