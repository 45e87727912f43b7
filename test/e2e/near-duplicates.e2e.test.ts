import { createHash } from 'node:crypto';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import sharp from 'sharp';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration, type RegistrationInput } from '../../apps/cli/src/contribution/registration';
import { imageSimilarity, perceptualHash } from '../../apps/api/src/integrity/near-duplicates/image-hash';
import { exactJaccard } from '../../apps/api/src/integrity/near-duplicates/minhash';
import { startTestApp, type TestApp } from '../support/app';
import { CLI_BUILT, runCli } from '../support/cli';
import { seededRandom } from '../support/seeded-random';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
type Files = Record<string, Buffer>;

/**
 * The texts and pictures come from a fixed seed (`NEAR_DUPLICATES_SEED` to try another): what the test checks is
 * judged by estimates (MinHash, a perceptual hash after a JPEG re-encode), and with fresh random data each run a CI
 * run once found 2 of the 3 edited files instead of 3.
 */
const random = seededRandom(Number(process.env.NEAR_DUPLICATES_SEED ?? 20_261_201));

/** Prose-like text: `n` words drawn from a vocabulary of random words, with sentences and line breaks. */
function prose(vocabulary: readonly string[], n: number): string {
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    const word = vocabulary[random.int(vocabulary.length)];
    words.push(i % 12 === 0 ? word[0].toUpperCase() + word.slice(1) : word);
    if (i % 12 === 11) words[words.length - 1] += '.';
    if (i % 60 === 59) words[words.length - 1] += '\n';
  }
  return words.join(' ');
}

/** A light edit: one word in fifty replaced, the rest re-cased and re-spaced (which normalisation ignores). */
const lightlyEdited = (text: string) =>
  text
    .split(' ')
    .map((w, i) => (i % 50 === 25 ? 'changed' : w))
    .join('  ')
    .toUpperCase();

/** A picture of random rectangles: different seeds give unrelated pictures. */
async function picture(): Promise<Buffer> {
  const rects = Array.from({ length: 12 }, () => {
    const [x, y, w, h] = [random.int(200), random.int(150), 20 + random.int(100), 20 + random.int(80)];
    return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="rgb(${random.int(256)},${random.int(256)},${random.int(256)})"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="192"><rect width="256" height="192" fill="#888"/>${rects}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe('near-duplicates: a lightly edited copy is flagged with its similarity, never refused', () => {
  let t: TestApp;
  let dataDir: string;
  let domain: UpstreamDomain;
  let alice: Wallet;
  let bob: Wallet;
  let carol: Wallet;
  let as: Map<Wallet, TestAgent>;
  const vocabulary = Array.from({ length: 3000 }, () => random.bytes(2 + random.int(4)).toString('hex'));

  let aliceFiles: Files;
  let bobFiles: Files;
  let original: { id: string; contentRoot: string; createdAt: string };
  let copy: { id: string; contentRoot: string; overlaps: { count: number } };
  let unrelated: { id: string };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-near-'));
    t = await startTestApp({ DATA_DIR: dataDir }, { validateResponses: true });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    [alice, bob, carol] = [3, 4, 5].map((i) => new Wallet(t.chain.privateKey(i)));
    as = new Map(await Promise.all([alice, bob, carol].map(async (w) => [w, await t.as(w)] as const)));
  });
  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function register(signer: Wallet, files: Files, input: Partial<RegistrationInput> = {}) {
    const http = as.get(signer)!;
    for (const bytes of Object.values(files))
      await http.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200);
    const tree = await buildContentTree(
      Object.entries(files).map(([path, bytes]) => ({ path, size: BigInt(bytes.length), sha256: sha256(bytes) })),
    );
    const body = await signRegistration(signer, {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title: `${Object.keys(files)[0]} and more`,
      domain,
      ...input,
    });
    const res = await http.post('/datasets').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  const similar = (id: string, query = '') => t.http.get(`/datasets/${id}/similar${query}`).expect(200);

  /** Worker passes until every uploaded dataset is checked (the job reads each blob once, after upload). */
  async function workerCatchesUp(...ids: string[]) {
    for (let pass = 0; pass < 20; pass++) {
      const statuses = await Promise.all(ids.map(async (id) => (await similar(id)).body.status));
      if (statuses.every((s) => s === 'checked')) return;
      await t.tick();
    }
    throw new Error('the worker did not check the datasets in 20 passes');
  }

  it('registers an original and a lightly edited copy of it by another owner (no exact overlap: nothing refused)', async () => {
    aliceFiles = {
      'stories/one.txt': Buffer.from(prose(vocabulary, 1500)),
      'stories/two.txt': Buffer.from(prose(vocabulary, 900)),
      'cover.png': await picture(),
      'notes.bin': random.bytes(2000),
    };
    original = await register(alice, aliceFiles);
    // Before the worker runs, the flags are pending.
    const pending = await similar(original.id);
    expect(pending.body).toMatchObject({ status: 'pending', checkedAt: null, items: [], total: 0 });

    bobFiles = {
      'mine/one.txt': Buffer.from(lightlyEdited(aliceFiles['stories/one.txt'].toString())),
      'mine/two.txt': Buffer.from(lightlyEdited(aliceFiles['stories/two.txt'].toString())),
      // Re-encoded as JPEG at 90 % of the size: other bytes, the same picture.
      'mine/cover.jpg': await sharp(aliceFiles['cover.png']).resize(230).jpeg({ quality: 80 }).toBuffer(),
    };
    copy = await register(bob, bobFiles);
    expect(copy.overlaps).toMatchObject({ count: 0, undeclaredFraction: 0 });
    unrelated = await register(carol, {
      'carol/essay.txt': Buffer.from(prose(vocabulary, 1500)),
      'carol/photo.png': await picture(),
    });
    await workerCatchesUp(original.id, copy.id, unrelated.id);
  });

  it('flags the copy against the original with a plausible estimated similarity', async () => {
    const res = await similar(copy.id);
    // The estimate against what it estimates: Σ bytes × file similarity / bytes, with exact Jaccard for the texts.
    const pairs: [string, string][] = [
      ['mine/one.txt', 'stories/one.txt'],
      ['mine/two.txt', 'stories/two.txt'],
    ];
    let weighted = 0;
    let bytes = 0;
    for (const [mine, theirs] of pairs) {
      weighted += bobFiles[mine].length * exactJaccard(bobFiles[mine], aliceFiles[theirs]);
      bytes += bobFiles[mine].length;
    }
    const image = bobFiles['mine/cover.jpg'];
    const imageSim = imageSimilarity(await perceptualHash(image), await perceptualHash(aliceFiles['cover.png']));
    weighted += image.length * imageSim;
    bytes += image.length;
    const expected = weighted / bytes;
    expect(expected).toBeGreaterThan(0.7);

    expect(res.body).toMatchObject({
      datasetId: copy.id,
      direction: 'earlier',
      status: 'checked',
      signedFiles: 3,
      signedBytes: String(bytes),
      threshold: 0.5,
      total: 1,
      limit: 100,
      offset: 0,
    });
    const [flag] = res.body.items;
    expect(flag).toMatchObject({
      datasetId: original.id,
      contentRoot: original.contentRoot,
      owners: [{ account: alice.address.toLowerCase(), shareBps: 10_000 }],
      ownerCount: 1,
      matchedFiles: 3,
      registeredAt: original.createdAt,
      relation: 'undeclared',
    });
    expect(Math.abs(flag.similarity - expected), `estimated ${flag.similarity}, exact ${expected}`).toBeLessThan(0.1);
    expect(flag.similarity).toBeLessThan(1);
    // The original's page shows the later copy.
    const later = await similar(original.contentRoot, '?direction=later');
    expect(later.body).toMatchObject({ direction: 'later', total: 1 });
    expect(later.body.items[0]).toMatchObject({ datasetId: copy.id, similarity: flag.similarity });
  });

  it('`upstream similar` lists the flag, and --json gives the page', async () => {
    if (!CLI_BUILT) throw new Error('the CLI is not built: run `npm run build` (npm test does)');
    const text = await runCli(['--api', t.baseUrl, 'similar', copy.id]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('compared 3 text/image file(s)');
    expect(text.stdout).toMatch(new RegExp(`${original.id}\\s+\\d+\\.\\d %\\s+undeclared\\s+3 file\\(s\\)`));
    const json = await runCli(['--api', t.baseUrl, '--json', 'similar', original.contentRoot, '--later']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ direction: 'later', total: 1, items: [{ datasetId: copy.id }] });
  });

  it('does not flag an unrelated dataset, either way', async () => {
    const res = await similar(unrelated.id);
    expect(res.body).toMatchObject({ status: 'checked', signedFiles: 2, total: 0, items: [] });
    const later = await similar(original.id, '?direction=later');
    expect(later.body.items.map((i: { datasetId: string }) => i.datasetId)).not.toContain(unrelated.id);
    // The original had nothing before it.
    expect((await similar(original.id)).body).toMatchObject({ status: 'checked', signedFiles: 3, total: 0 });
  });

  it('flags a declared derivative as declared, and a new version of one’s own as own', async () => {
    const derived = await register(
      carol,
      { 'derived/one.txt': Buffer.from(lightlyEdited(aliceFiles['stories/one.txt'].toString()) + ' extra words here') },
      { parents: [{ datasetId: original.contentRoot, upstreamBps: 1000 }] },
    );
    const ownVersion = await register(alice, {
      'v2/two.txt': Buffer.from(aliceFiles['stories/two.txt'].toString().replace(/\n/g, ' ') + ' appendix'),
    });
    await workerCatchesUp(derived.id, ownVersion.id);
    const relationTo = async (id: string) =>
      Object.fromEntries(
        (await similar(id)).body.items.map((i: { datasetId: string; relation: string }) => [i.datasetId, i.relation]),
      );
    expect(await relationTo(derived.id)).toMatchObject({ [original.id]: 'declared' });
    expect(await relationTo(ownVersion.id)).toMatchObject({ [original.id]: 'own' });
  });

  it('checks a dataset whose bytes were lost from the store without failing the worker pass', async () => {
    const lost = Buffer.from(prose(vocabulary, 300));
    const dataset = await register(carol, { 'lost.txt': lost, 'kept.txt': Buffer.from(prose(vocabulary, 300)) });
    const digest = sha256(lost);
    await unlink(join(dataDir, 'blobs', digest.slice(0, 2), digest.slice(2, 4), digest));
    await t.tick();
    expect((await similar(dataset.id)).body).toMatchObject({ status: 'checked', signedFiles: 1 });
  });

  it('says no-bytes for a dataset registered by hashes alone', async () => {
    const external = await register(
      bob,
      { 'remote/a.txt': Buffer.from('words kept somewhere else entirely') },
      { externalUri: 's3://bucket/elsewhere/' },
    );
    await t.tick();
    expect((await similar(external.id)).body).toMatchObject({ status: 'no-bytes', checkedAt: null });
  });

  it('refuses a bad id, an unknown dataset and a bad direction, naming the field', async () => {
    const badId = await t.http.get('/datasets/nope/similar').expect(400);
    expect(badId.body.details).toEqual([expect.objectContaining({ field: 'id' })]);
    const unknown = await t.http.get(`/datasets/${'0x' + 'ab'.repeat(32)}/similar`).expect(404);
    expect(unknown.body.error).toBe('DATASET_NOT_FOUND');
    const bad = await t.http.get(`/datasets/${copy.id}/similar?direction=sideways`).expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'direction' })]);
    const badLimit = await t.http.get(`/datasets/${copy.id}/similar?limit=0`).expect(400);
    expect(badLimit.body.details).toEqual([expect.objectContaining({ field: 'limit' })]);
  });
});
