import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from '@upstream/api-contract';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { DeliveryAccessService } from '../../apps/api/src/access/delivery/delivery-access.service';
import { startTestApp, type TestApp } from '../support/app';
import { signIn, siweMessage } from '../support/auth';
import { insertDataset, signLicense, signRunManifest, type FixtureDataset } from '../support/catalogue-fixtures';
import { DatabaseFingerprint } from '../support/db-fingerprint';
import {
  hostileAuthorization,
  operationsOf,
  refusalProblem,
  requestArb,
  send,
  type FuzzRequest,
  type OpenApiDocument,
  type OperationRef,
  type RawResponse,
} from '../support/openapi-fuzz';

/**
 * Issue 12: a generative test of the whole HTTP surface, driven by the OpenAPI document the API
 * serves. For every operation fast-check sends valid, boundary and hostile path and query values,
 * body fields, bodies and content types, as a caller entitled to the route and, where the route is
 * not public, without credentials. Whatever it sends: never a 5xx; every refusal a 4xx in the one
 * error shape, a 400 naming the field; nothing written by a refused request. An operation added to
 * the document is fuzzed without touching this file.
 *
 * FUZZ_SEED (default 12) and FUZZ_RUNS (cases per operation, default 30) replay or widen a run.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 12;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 30;

const OWNER = 3;
/** Signs in afresh for each case of the routes that end sessions, so the owner's session lives on. */
const LEAVER = 8;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

type Caller = 'session' | 'apiKey' | 'anonymous' | 'badCredential';

/** The contract's access rule for an operation of the document (none for routes outside it, e.g. /health). */
function accessOf(op: OperationRef): RouteSpec['access'] {
  const path = op.path.replace(/\{(\w+)\}/g, ':$1');
  return Object.values(ROUTES as Record<string, RouteSpec>).find((r) => r.method === op.method && r.path === path)
    ?.access;
}

/** A 503 for a dependency out of reach (with Retry-After), or /health reporting one down. */
function dependencyOutage(op: OperationRef, res: RawResponse): boolean {
  if (res.status !== 503) return false;
  if (op.path === '/health') return true;
  return /"error":"(DATABASE|CHAIN)_UNAVAILABLE"/.test(res.text);
}

interface Exercised {
  cases: number;
  /** How many answers of each status (printed with FUZZ_SUMMARY=1, to see how deep the cases reach). */
  statuses: Record<number, number>;
  /** Answers past access control and routing: a 2xx/3xx, or a refusal by the route's own rules. */
  reached: number;
}

// The suite is collected from the document the app serves: an operation it gains gets its own test.
describe(`HTTP fuzz (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS})`, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'upstream-fuzz-'));
  const t: TestApp = await startTestApp({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '10000000' });
  const doc = (await t.http.get('/docs/json').expect(200)).body as OpenApiDocument;
  const operations = operationsOf(doc);
  const owner = new Wallet(t.chain.privateKey(OWNER));
  let domain: UpstreamDomain;
  let fingerprint: DatabaseFingerprint;
  let session: string;
  let apiKey: string;
  let revocableKeyId: string;
  let uploaded: { id: string; sha256: string };
  let licensed: FixtureDataset;
  let licenseId: string;
  let run: { id: string; runId: string; modelHash: string };
  /** Valid signed bodies by path: a case changes some of their fields. */
  const signedBodies: Record<string, Record<string, unknown>> = {};
  const exercised = new Map<string, Exercised>(
    operations.map((op) => [op.key, { cases: 0, reached: 0, statuses: {} }]),
  );

  beforeAll(async () => {
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain as UpstreamDomain;
    session = await t.tokenOf(OWNER);
    const asOwner = await t.as(OWNER);

    // The owner's uploaded dataset of one file, with its bytes in the blob store.
    const bytes = Buffer.from('the bytes the fuzzer may read');
    await asOwner.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200);
    const tree = await buildContentTree([{ path: 'data.bin', size: BigInt(bytes.length), sha256: sha256(bytes) }]);
    const registration = await signRegistration(owner, {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title: 'fuzzed dataset',
      license: { template: 'research-only' },
      domain,
    });
    const dataset = await asOwner
      .post('/datasets')
      .send({ ...registration, accessPolicy: 'licensed' })
      .expect(201);
    uploaded = { id: dataset.body.id as string, sha256: sha256(bytes) };

    // Another owner's dataset the owner licenses and trains on.
    licensed = await insertDataset(t.database.url);
    const license = await t.http
      .post('/licenses')
      .send(await signLicense(owner, domain, { datasetId: licensed.contentRoot, termsHash: licensed.termsHash }))
      .expect(201);
    licenseId = license.body.license.id as string;
    const manifest = await signRunManifest(owner, domain, {
      entries: [{ datasetId: licensed.contentRoot, weight: 1n }],
    });
    const created = await asOwner
      .post('/runs')
      .send({ ...manifest.body, entries: [{ datasetId: licensed.contentRoot, weight: '1' }] })
      .expect(201);
    run = { id: created.body.run.id as string, runId: manifest.runId, modelHash: manifest.body.modelHash as string };

    const key = async (label: string) =>
      (
        await asOwner
          .post('/auth/keys')
          .send({ label, scopes: ['read', 'upload', 'download', 'runs:write'] })
          .expect(201)
      ).body as { key: string; apiKey: { id: string } };
    apiKey = (await key('fuzzer')).key;

    // Signed bodies, so that cases with one fault get past the signature to the rules behind it.
    const bytes2 = Buffer.from('bytes stored elsewhere');
    const external = await buildContentTree([
      { path: 'data.bin', size: BigInt(bytes2.length), sha256: sha256(bytes2) },
    ]);
    signedBodies['/datasets'] = {
      ...(await signRegistration(owner, {
        entries: [...external.entries],
        contentRoot: external.root,
        title: 'external dataset',
        externalUri: 'https://example.org/data/',
        domain,
      })),
    };
    const manifest2 = await signRunManifest(owner, domain, {
      entries: [{ datasetId: licensed.contentRoot, weight: 2n }],
    });
    signedBodies['/runs'] = { ...manifest2.body, entries: [{ datasetId: licensed.contentRoot, weight: '2' }] };
    const another = await insertDataset(t.database.url);
    signedBodies['/licenses'] = await signLicense(owner, domain, {
      datasetId: another.contentRoot,
      termsHash: another.termsHash,
    });
    const message = await siweMessage(t.baseUrl, owner);
    signedBodies['/auth/session'] = { message, signature: await owner.signMessage(message) };
    revocableKeyId = (await key('revocable')).apiKey.id;
    fingerprint = await DatabaseFingerprint.open(t.database.url);
  });

  afterAll(async () => {
    await fingerprint?.close();
    await t.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A value that exists for a parameter or field, so valid cases reach the route's own logic. */
  function known(name: string, path: string, where: 'path' | 'query' | 'body'): unknown {
    if (where === 'path') {
      if (name === 'id') {
        if (path.startsWith('/datasets')) return uploaded.id;
        if (path.startsWith('/licenses')) return licenseId;
        if (path.startsWith('/runs')) return run.id;
        if (path.startsWith('/auth/keys')) return revocableKeyId;
      }
      if (name === 'sha256') return uploaded.sha256;
      if (name === 'address') return owner.address;
      if (name === 'modelHash') return run.modelHash;
      if (name === 'runId') return run.runId;
      return undefined;
    }
    const signed = signedBodies[path]?.[name];
    if (where === 'body' && signed !== undefined) return signed;
    switch (name) {
      case 'path':
        return 'data.bin';
      case 'datasetId':
        return licensed.contentRoot;
      case 'termsHash':
        return licensed.termsHash;
      case 'owner':
      case 'licensee':
      case 'lab':
      case 'signer':
        return owner.address;
      case 'token':
        return t.chain.deployment.contracts.PaymentToken;
      case 'sha256s':
        return [uploaded.sha256];
      default:
        return undefined;
    }
  }

  async function freshSession(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await signIn(t.baseUrl, new Wallet(t.chain.privateKey(LEAVER)));
      } catch (error) {
        if (attempt === 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  async function credentialsFor(op: OperationRef, caller: Caller, bad: string): Promise<Record<string, string>> {
    switch (caller) {
      case 'anonymous':
        return {};
      case 'badCredential':
        return { authorization: bad };
      case 'apiKey':
        return { authorization: `Bearer ${apiKey}` };
      case 'session':
        // Signing out ends the session it is sent with (and logout-all every session of its account).
        return {
          authorization: `Bearer ${op.path.startsWith('/auth/logout') ? await freshSession() : session}`,
        };
    }
  }

  /**
   * A byte delivery's receipt is queued once its bytes are sent and written in a batch within a
   * second: a case writes the previous cases' receipts first, so that they are in its "before".
   */
  const flushReceipts = () => t.app.get(DeliveryAccessService).flush();

  /**
   * Bytes served are recorded once sent, which can be after the client has them all: wait until the
   * receipt is written, so that it is not counted against the next case.
   */
  async function receiptOf(res: RawResponse, before: Map<string, string>): Promise<void> {
    if (!/^application\/octet-stream/.test(String(res.headers['content-type']))) return;
    for (let attempt = 0; attempt < 50; attempt++) {
      await flushReceipts();
      if ((await fingerprint.take()).get('deliveries') !== before.get('deliveries')) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends one case and answers what is wrong with the answer (empty when nothing is). */
  async function check(op: OperationRef, caller: Caller, req: FuzzRequest, bad: string): Promise<string[]> {
    const headers = { ...req.headers, ...(await credentialsFor(op, caller, bad)) };
    await flushReceipts();
    let before = await fingerprint.take();
    let res = await send(t.baseUrl, { ...req, headers });
    // PostgreSQL or the chain out of reach (this machine is shared and can be slow to connect) is
    // no answer to the input: the same request again, a few times, before it counts.
    for (let attempt = 1; attempt <= 4 && dependencyOutage(op, res); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      await flushReceipts();
      before = await fingerprint.take();
      res = await send(t.baseUrl, { ...req, headers });
    }
    const problems: string[] = [];
    const entitled = caller === 'session' || caller === 'apiKey' || !op.secured;
    const record = exercised.get(op.key)!;
    record.cases++;
    record.statuses[res.status] = (record.statuses[res.status] ?? 0) + 1;
    let code: string | undefined;
    if (res.status >= 400) {
      try {
        code = (JSON.parse(res.text) as { error?: string }).error;
      } catch {
        code = undefined;
      }
    }
    if (res.status < 400 || (![401, 403].includes(res.status) && code !== 'NOT_FOUND')) record.reached++;
    if (res.status >= 500) problems.push(`answered ${res.status}`);
    if (res.status >= 400) {
      const shape = refusalProblem(req, res);
      if (shape) problems.push(`refusal: ${shape}`);
      const changed = DatabaseFingerprint.changed(before, await fingerprint.take());
      if (changed.length > 0) problems.push(`a refused request wrote to ${changed.join(', ')}`);
    } else {
      await receiptOf(res, before);
      if (!entitled) problems.push(`answered ${res.status} without credentials`);
      if (req.invalid.length > 0) problems.push(`accepted certainly invalid ${req.invalid.join(', ')}`);
    }
    if (problems.length === 0) return [];
    return [`${problems.join('; ')}\n  as ${caller}: ${req.describe}\n  → ${res.status} ${res.text.slice(0, 600)}`];
  }

  it.each(operations.map((op) => [op.key, op] as const))('%s', async (_, op) => {
    const access = accessOf(op);
    const callers: Caller[] = !op.secured
      ? ['session', 'anonymous']
      : access?.kind === 'session'
        ? ['session', 'session', 'anonymous', 'badCredential']
        : ['session', 'apiKey', 'anonymous', 'badCredential'];
    const property = fc.asyncProperty(
      fc.constantFrom(...callers),
      requestArb(doc, op, known),
      hostileAuthorization,
      async (caller, req, bad) => {
        const problems = await check(op, caller, req, bad);
        if (problems.length > 0) throw new Error(problems.join('\n'));
      },
    );
    const details = await fc.check(property, { seed: SEED, numRuns: RUNS });
    if (details.failed) {
      const error =
        details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      expect.fail(
        `${op.key} failed after ${details.numRuns} cases, shrunk ${details.numShrinks} times ` +
          `(replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}, fast-check path ${details.counterexamplePath}):\n${error}`,
      );
    }
  });

  it('exercised every operation of the document past routing and access control', () => {
    if (process.env.FUZZ_SUMMARY)
      for (const [key, e] of exercised) console.log(`${key.padEnd(48)} ${JSON.stringify(e.statuses)}`);
    const missed = [...exercised.entries()].filter(([, e]) => e.cases === 0 || e.reached === 0).map(([key]) => key);
    expect(missed).toEqual([]);
    expect(operations.length).toBeGreaterThan(40);
  });
});
