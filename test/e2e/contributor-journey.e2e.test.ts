import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Contract, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import { verifyBatchAnchorProof, verifyFileProof } from '@upstream/provenance';
import { startTestApp, type TestApp } from '../support/app';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin/upstream.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('a contributor hashes a folder, uploads it, registers it with co-owners and a parent, sees it anchored, and verifies it', () => {
  let t: TestApp;
  let work: string;
  let alice: Wallet;
  let bob: Wallet;
  let carol: Wallet;
  let dataset: string;
  let parentId: string;
  let datasetId: string;
  let contentRootFromCli: string;

  /** Runs the built `upstream` CLI against the test API, as a contributor would. */
  function upstream(args: string[], key?: string): Promise<CliResult> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [CLI, '--api', t.baseUrl, '--json', ...args], {
        cwd: ROOT,
        env: { ...process.env, UPSTREAM_PRIVATE_KEY: key ?? '', HOME: work },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr, json: () => JSON.parse(stdout) }));
    });
  }

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/apps/cli/src/main.js')))
      throw new Error('the CLI is not built: run `npx nest build cli` (npm test does)');
    work = await mkdtemp(join(tmpdir(), 'upstream-journey-'));
    t = await startTestApp({ DATA_DIR: join(work, 'data'), ANCHOR_INTERVAL_MS: '0' }, { validateResponses: true });
    [alice, bob, carol] = [3, 4, 5].map((i) => new Wallet(t.chain.privateKey(i)));

    dataset = join(work, 'street-cats');
    await mkdir(join(dataset, 'images'), { recursive: true });
    await writeFile(join(dataset, 'README.md'), '# Street cats of Lisbon\n');
    await writeFile(join(dataset, 'captions.csv'), 'file,caption\ncat-1.jpg,a cat on a wall\n');
    for (let i = 1; i <= 5; i++) await writeFile(join(dataset, 'images', `cat-${i}.jpg`), Buffer.alloc(1000 * i, i));
    // Big enough to go through the resumable (tus) path with the threshold used below.
    await writeFile(join(dataset, 'images', 'panorama.raw'), Buffer.alloc(300_000, 42));

    const parentDir = join(work, 'raw-cats');
    await mkdir(parentDir);
    await writeFile(join(parentDir, 'raw.bin'), Buffer.from('raw, unlabelled cat photos'));
    const parent = await upstream(
      ['upload', parentDir, '--title', 'Raw cats', '--license', 'research-only'],
      bob.privateKey,
    );
    expect(parent.code, parent.stderr).toBe(0);
    parentId = parent.json().id;
  });
  afterAll(async () => {
    await t?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('hashes the folder with the CLI: a content root and one SHA-256 per file', async () => {
    const hashed = await upstream(['hash', dataset]);
    expect(hashed.code, hashed.stderr).toBe(0);
    const body = hashed.json();
    expect(body.fileCount).toBe(8);
    expect(body.files.map((f: { path: string }) => f.path)).toContain('images/cat-3.jpg');
    expect(body.contentRoot).toMatch(/^0x[0-9a-f]{64}$/);
    contentRootFromCli = body.contentRoot;
  });

  it('uploads and registers it with co-owners and a parent; the server computes the same content root', async () => {
    const res = await upstream(
      [
        'upload',
        dataset,
        '--title',
        'Street cats of Lisbon',
        '--description',
        'Photos of cats with captions',
        '--owner',
        `${alice.address}:6000`,
        '--owner',
        `${carol.address}:4000`,
        '--parent',
        `${parentId}:1500`,
        '--license',
        'open-training',
        '--resumable-threshold',
        '100000',
      ],
      alice.privateKey,
    );
    expect(res.code, res.stderr).toBe(0);
    const out = res.json();
    expect(out).toMatchObject({
      contentRoot: contentRootFromCli,
      fileCount: 8,
      anchorState: 'pending',
      upload: { uploaded: 8, skipped: 0 },
    });
    datasetId = out.id;

    const detail = (await t.http.get(`/datasets/${datasetId}`).expect(200)).body;
    expect(detail).toMatchObject({
      contentRoot: contentRootFromCli,
      title: 'Street cats of Lisbon',
      storage: 'uploaded',
      registrant: alice.address.toLowerCase(),
      owners: [
        { account: alice.address.toLowerCase(), shareBps: 6000 },
        { account: carol.address.toLowerCase(), shareBps: 4000 },
      ],
      parents: [{ id: parentId, upstreamBps: 1500 }],
      license: { template: 'open-training', terms: { template: 'open-training', training: true } },
    });
  });

  it('is anchored on-chain in a batch, with a proof anyone can check against the registry', async () => {
    let detail;
    for (let i = 0; i < 5; i++) {
      await t.tick();
      detail = (await t.http.get(`/datasets/${datasetId}`).expect(200)).body;
      if (detail.anchorStatus.state === 'anchored') break;
    }
    const { anchorStatus, digest } = detail;
    expect(anchorStatus.state).toBe('anchored');
    expect(anchorStatus.leaf).toBe(digest);
    expect(anchorStatus.anchor.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await verifyBatchAnchorProof(anchorStatus.batch.root, digest, anchorStatus.batch.proof)).toBe(true);
    const registry = new Contract(anchorStatus.registry, artifacts.ProvenanceRegistry.abi, t.chain.provider);
    expect(await registry.getFunction('anchoredAt')(anchorStatus.batch.root)).toBeGreaterThan(0n);
  });

  it('serves each file with a content-root proof, and its bytes', async () => {
    const files = (await t.http.get(`/datasets/${datasetId}/files?limit=3`).expect(200)).body;
    expect(files.items).toHaveLength(3);
    expect(files.nextCursor).toBe(files.items[2].path);
    const rest = (
      await t.http
        .get(`/datasets/${datasetId}/files?limit=100&cursor=${encodeURIComponent(files.nextCursor)}`)
        .expect(200)
    ).body;
    expect(rest.items).toHaveLength(5);
    expect(rest.nextCursor).toBeNull();

    const proof = (await t.http.get(`/datasets/${datasetId}/files/proof?path=images/cat-2.jpg`).expect(200)).body;
    expect(proof.contentRoot).toBe(contentRootFromCli);
    expect(await verifyFileProof(proof.contentRoot, proof.file, proof.proof)).toBe(true);

    const content = await t.http
      .get(`/datasets/${datasetId}/files/content?path=images/cat-2.jpg`)
      .buffer(true)
      .expect(200);
    expect(Buffer.compare(content.body, Buffer.alloc(2000, 2))).toBe(0);
    const blob = await t.http.get(`/blobs/${proof.file.sha256}`).buffer(true).expect(200);
    expect(blob.body.length).toBe(2000);
  });

  it("shows lineage both ways, the catalogue filters and the co-owner's datasets", async () => {
    const lineage = (await t.http.get(`/datasets/${datasetId}/lineage`).expect(200)).body;
    expect(lineage.ancestors).toEqual([
      expect.objectContaining({ id: parentId, depth: 1, via: datasetId, upstreamBps: 1500 }),
    ]);
    expect(lineage.descendants).toEqual([]);
    const parentLineage = (await t.http.get(`/datasets/${parentId}/lineage`).expect(200)).body;
    expect(parentLineage.descendants).toEqual([expect.objectContaining({ id: datasetId, depth: 1 })]);

    const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((d) => d.id);
    expect(ids(await t.http.get(`/datasets?owner=${carol.address}`).expect(200))).toEqual([datasetId]);
    expect(ids(await t.http.get('/datasets?q=lisbon%20cat').expect(200))).toEqual([datasetId]);
    expect(ids(await t.http.get('/datasets?license=research-only').expect(200))).toEqual([parentId]);
    const page1 = await t.http.get('/datasets?limit=1').expect(200);
    expect(ids(page1)).toEqual([datasetId]);
    const page2 = await t.http.get(`/datasets?limit=1&cursor=${page1.body.nextCursor}`).expect(200);
    expect(ids(page2)).toEqual([parentId]);
    expect(page2.body.nextCursor).toBeNull();

    const carols = (await t.http.get(`/contributors/${carol.address}/datasets`).expect(200)).body;
    expect(carols.items).toEqual([expect.objectContaining({ id: datasetId, shareBps: 4000 })]);
  });

  it('verifies with the CLI: same content root, signed by an owner, anchored on-chain; and notices a changed file', async () => {
    const ok = await upstream(['verify', dataset, '--dataset', datasetId, '--rpc', t.chain.rpcUrl]);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.json()).toMatchObject({
      ok: true,
      contentRoot: { match: true },
      signature: { digestMatches: true, signerIsOwner: true },
      anchor: { state: 'anchored', proofValid: true },
    });

    await writeFile(join(dataset, 'captions.csv'), 'file,caption\ncat-1.jpg,a dog\n');
    const changed = await upstream(['verify', dataset, '--dataset', datasetId, '--rpc', t.chain.rpcUrl]);
    expect(changed.code).toBe(1);
    expect(changed.json()).toMatchObject({
      ok: false,
      contentRoot: { match: false },
      files: { changed: ['captions.csv'] },
    });
  });
});
