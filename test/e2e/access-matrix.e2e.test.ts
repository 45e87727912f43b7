import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService } from '@nestjs/core';
import { Wallet } from 'ethers';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeUrl, type AccessPolicy, type RouteName, type RouteSpec } from '@upstream/api-contract';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import { signIn } from '../support/auth';
import { signLicense } from '../support/catalogue-fixtures';

/**
 * Every route × every kind of caller × every access policy. The table below states, per route, who
 * may call it and what the byte-serving and owner-only routes answer; a route the server serves
 * that the table does not list fails the test, so every new endpoint must state who may call it.
 */

const CALLERS = ['anonymous', 'other', 'owner', 'licensee', 'expiredLicensee', 'revokedKey', 'wrongScopeKey'] as const;
type Caller = (typeof CALLERS)[number];
const POLICIES: AccessPolicy[] = ['public', 'licensed', 'private'];

/** What a route does beyond the contract's `access` rule (checked for every route). */
type Resource =
  | 'none' // no per-resource rule: any caller that passes `access` gets a non-auth answer
  | 'bytes' // served by the dataset's policy (the delivery guard)
  | 'owner'; // only the dataset's owners (403 NOT_OWNER for anyone else)

const RESOURCE: Record<RouteName, Resource> = {
  createSiweNonce: 'none',
  signIn: 'none',
  getCaller: 'none',
  signOut: 'none',
  signOutEverywhere: 'none',
  createApiKey: 'none',
  listApiKeys: 'none',
  revokeApiKey: 'none',
  setAccessPolicy: 'owner',
  createSignedUrl: 'bytes',
  listDeliveries: 'none',
  listUndeclaredDeliveries: 'owner',
  getChain: 'none',
  getGovernance: 'none',
  listProposals: 'none',
  getProposal: 'none',
  listDisputes: 'none',
  getDisputeParameters: 'none',
  getDispute: 'none',
  getAccountVotes: 'none',
  listLicenseTemplates: 'none',
  registerDataset: 'none',
  listDatasets: 'none',
  getDataset: 'none',
  listDatasetFiles: 'none',
  getFileProof: 'none',
  getFileContent: 'bytes',
  getLineage: 'none',
  listDatasetOverlaps: 'none',
  listSimilarDatasets: 'none',
  listDatasetDisputes: 'none',
  takeDownDataset: 'none',
  listDatasetOwners: 'none',
  listContributorDatasets: 'none',
  putBlob: 'none',
  putExpectedBlob: 'none',
  findMissingBlobs: 'none',
  getBlob: 'bytes',
  createLicense: 'none',
  getLicense: 'none',
  listLabLicenses: 'none',
  listDatasetLicenses: 'none',
  setLicensing: 'none',
  createRun: 'none',
  addRunEntries: 'none',
  commitRun: 'none',
  getRun: 'none',
  listRunEntries: 'none',
  getRunEntryProof: 'none',
  getRunPayment: 'none',
  getRunProvenance: 'none',
  getRunCroissant: 'none',
  getModelProvenance: 'none',
  listDatasetRuns: 'none',
  listContributorRuns: 'none',
  getContributorBalances: 'none',
  getContributorHistory: 'none',
  getContributorProofs: 'none',
  listEpochs: 'none',
  getEpoch: 'none',
  getEpochLeaves: 'none',
  getEpochInputs: 'none',
  streamEpochLeaves: 'none',
  streamEpochInputs: 'none',
  listPayments: 'none',
  listRunPayments: 'none',
};

/** Served, but outside the JSON contract: tus speaks its own protocol, /health is for operators. */
const OUTSIDE_CONTRACT: { method: string; path: string; access: RouteSpec['access'] }[] = [
  { method: 'POST', path: '/uploads', access: { kind: 'account', scope: 'upload' } },
  { method: 'HEAD', path: '/uploads/:id', access: { kind: 'account', scope: 'upload' } },
  { method: 'PATCH', path: '/uploads/:id', access: { kind: 'account', scope: 'upload' } },
  { method: 'DELETE', path: '/uploads/:id', access: { kind: 'account', scope: 'upload' } },
  { method: 'GET', path: '/health', access: undefined },
];

/** What each caller gets from a byte-serving route, by policy: the status, and the error code when refused. */
const BYTES: Record<AccessPolicy, Record<Caller, [number, string?]>> = {
  public: {
    anonymous: [200],
    other: [200],
    owner: [200],
    licensee: [200],
    expiredLicensee: [200],
    revokedKey: [401, 'CREDENTIAL_INVALID'],
    wrongScopeKey: [200],
  },
  licensed: {
    anonymous: [401, 'UNAUTHENTICATED'],
    other: [403, 'LICENSE_REQUIRED'],
    owner: [200],
    licensee: [200],
    expiredLicensee: [403, 'LICENSE_EXPIRED'],
    revokedKey: [401, 'CREDENTIAL_INVALID'],
    wrongScopeKey: [403, 'SCOPE_REQUIRED'],
  },
  private: {
    anonymous: [401, 'UNAUTHENTICATED'],
    other: [403, 'DATASET_PRIVATE'],
    owner: [200],
    licensee: [403, 'DATASET_PRIVATE'],
    expiredLicensee: [403, 'DATASET_PRIVATE'],
    revokedKey: [401, 'CREDENTIAL_INVALID'],
    wrongScopeKey: [403, 'SCOPE_REQUIRED'],
  },
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const OWNER = 3;
const LICENSEE = 4;
const EXPIRED = 5;
const OTHER = 6;

describe('access matrix: every route states who may call it', () => {
  let t: TestApp;
  let dataDir: string;
  let domain: UpstreamDomain;
  let db: Client;
  const datasets = {} as Record<AccessPolicy, { id: string; sha256: string }>;
  const tokens = {} as Record<Exclude<Caller, 'anonymous'>, Record<'read' | 'other', string>>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'upstream-matrix-'));
    t = await startTestApp({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '100000' }, { validateResponses: true });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    db = new Client({ connectionString: t.database.url });
    await db.connect();

    const owner = await t.as(OWNER);
    for (const policy of POLICIES) {
      const bytes = Buffer.from(`bytes of the ${policy} dataset`);
      await owner.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200);
      const tree = await buildContentTree([{ path: 'data.bin', size: BigInt(bytes.length), sha256: sha256(bytes) }]);
      const body = await signRegistration(new Wallet(t.chain.privateKey(OWNER)), {
        entries: [...tree.entries],
        contentRoot: tree.root,
        title: `${policy} dataset`,
        license: { template: 'research-only' },
        domain,
      });
      const res = await owner
        .post('/datasets')
        .send({ ...body, accessPolicy: policy })
        .expect(201);
      datasets[policy] = { id: res.body.id as string, sha256: sha256(bytes) };
      for (const who of [LICENSEE, EXPIRED]) {
        const lab = new Wallet(t.chain.privateKey(who));
        const license = await t.http
          .post('/licenses')
          .send(
            await signLicense(lab, domain, { datasetId: tree.root, termsHash: res.body.license.termsHash as string }),
          )
          .expect(201);
        if (who === EXPIRED)
          await db.query(`UPDATE licenses SET expires_at = now() - interval '1 second' WHERE id = $1`, [
            license.body.license.id,
          ]);
      }
    }

    // A session per account, and the owner's keys: one revoked, and keys lacking the route's scope.
    const sessionOf = async (index: number) => t.tokenOf(index);
    const key = async (scopes: string[], revoke = false) => {
      const created = await owner
        .post('/auth/keys')
        .send({ label: scopes.join('+'), scopes })
        .expect(201);
      if (revoke) await owner.delete(`/auth/keys/${created.body.apiKey.id}`).expect(200);
      return created.body.key as string;
    };
    const same = (token: string) => ({ read: token, other: token });
    tokens.other = same(await sessionOf(OTHER));
    tokens.owner = same(await sessionOf(OWNER));
    tokens.licensee = same(await sessionOf(LICENSEE));
    tokens.expiredLicensee = same(await sessionOf(EXPIRED));
    tokens.revokedKey = same(await key(['read', 'upload', 'download', 'runs:write'], true));
    // For a `read` route the wrong scope is `upload`; for every other route it is `read`.
    tokens.wrongScopeKey = { read: await key(['upload']), other: await key(['read']) };
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function renewSession(caller: Caller) {
    const index = { other: OTHER, owner: OWNER, licensee: LICENSEE, expiredLicensee: EXPIRED }[caller as string];
    if (index === undefined) return;
    const token = await signIn(t.baseUrl, new Wallet(t.chain.privateKey(index)));
    tokens[caller as 'owner'] = { read: token, other: token };
  }

  function request(method: string, url: string, caller: Caller, scope: string | undefined) {
    const agent = t.http[method.toLowerCase() as 'get'](url);
    if (caller !== 'anonymous') {
      const token = tokens[caller][scope === 'read' ? 'read' : 'other'];
      agent.set('authorization', `Bearer ${token}`);
    }
    return agent;
  }

  function urlFor(name: RouteName, policy: AccessPolicy): string {
    const spec: RouteSpec = ROUTES[name];
    const dataset = datasets[policy];
    const params: Record<string, string> = {};
    for (const [, param] of spec.path.matchAll(/:(\w+)/g)) {
      params[param] =
        param === 'sha256'
          ? dataset.sha256
          : param === 'id' && spec.path.startsWith('/datasets')
            ? dataset.id
            : param === 'address'
              ? new Wallet(t.chain.privateKey(OWNER)).address
              : param === 'epoch'
                ? '1'
                : param === 'modelHash'
                  ? '0x' + '00'.repeat(32)
                  : randomUUID();
    }
    const query =
      spec.path.endsWith('/files/content') || spec.path.endsWith('/files/proof') ? { path: 'data.bin' } : undefined;
    return routeUrl(name, { params, query });
  }

  it('lists every route the server serves', () => {
    const discovery = t.app.get(DiscoveryService);
    const served: string[] = [];
    for (const wrapper of discovery.getControllers()) {
      const type = wrapper.metatype as { prototype: Record<string, unknown> } | undefined;
      if (!type) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = type.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD'][
          Reflect.getMetadata(METHOD_METADATA, handler) as number
        ];
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler));
        served.push(`${method} /${[base, sub].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/'));
      }
    }
    const listed = new Set([
      ...Object.values(ROUTES as Record<string, RouteSpec>).map((r) => `${r.method} ${r.path}`),
      ...OUTSIDE_CONTRACT.map((r) => `${r.method} ${r.path}`),
      // @All() handlers of the tus controller (POST/OPTIONS on /uploads; HEAD/DELETE/OPTIONS on /uploads/:id)
      'ALL /uploads',
      'ALL /uploads/:id',
    ]);
    expect(served.filter((route) => !listed.has(route)).sort()).toEqual([]);
  });

  describe.each(Object.keys(ROUTES) as RouteName[])('%s', (name) => {
    const spec: RouteSpec = ROUTES[name];
    it.each(POLICIES.flatMap((policy) => CALLERS.map((caller) => [policy, caller] as const)))(
      'on a %s dataset, as %s',
      async (policy, caller) => {
        const scope = spec.access?.kind === 'account' ? spec.access.scope : undefined;
        const res = await request(spec.method, urlFor(name, policy), caller, scope).send(
          spec.method === 'GET' || spec.method === 'DELETE' ? undefined : bodyFor(name, policy),
        );
        // Signing out ends the caller's session(s): sign that account in again for the rows after.
        if ((name === 'signOut' || name === 'signOutEverywhere') && res.status === 200) await renewSession(caller);
        const got = [res.status, res.body?.error as string | undefined] as const;
        const expected = expectation(spec, RESOURCE[name], policy, caller);
        if (expected.exact) expect(got, JSON.stringify(res.body)).toEqual(expected.exact);
        else expect([401, 403], `${got.join(' ')} ${JSON.stringify(res.body)}`).not.toContain(res.status);
      },
    );
  });

  it.each(OUTSIDE_CONTRACT.filter((r) => r.access))('$method $path needs an account', async ({ method, path }) => {
    const url = path.replace(':id', 'f'.repeat(32));
    const anonymous = await t.http[method.toLowerCase() as 'get'](url).set('Tus-Resumable', '1.0.0');
    expect(anonymous.status).toBe(401);
    const revoked = await t.http[method.toLowerCase() as 'get'](url)
      .set('Tus-Resumable', '1.0.0')
      .set('authorization', `Bearer ${tokens.revokedKey.other}`);
    expect(revoked.status).toBe(401);
    const wrongScope = await t.http[method.toLowerCase() as 'get'](url)
      .set('Tus-Resumable', '1.0.0')
      .set('authorization', `Bearer ${tokens.wrongScopeKey.other}`);
    expect(wrongScope.status).toBe(403);
  });
});

/** A body that passes validation where the route's refusal under test comes after it; `{}` elsewhere. */
function bodyFor(name: RouteName, policy: AccessPolicy): object {
  if (name === 'createSignedUrl') return { path: 'data.bin' };
  if (name === 'setAccessPolicy') return { policy }; // the policy it already has: the matrix changes nothing
  return {};
}

/**
 * The answer a caller must get: exact (status, code) for refusals and byte deliveries, or `undefined`
 * meaning "passes access control" (any answer but 401/403: a 400 for an empty body, a 404 for a made-up id).
 */
function expectation(
  spec: RouteSpec,
  resource: Resource,
  policy: AccessPolicy,
  caller: Caller,
): { exact?: readonly [number, string | undefined] } {
  const refused = (status: number, code: string) => ({ exact: [status, code] as const });
  if (caller === 'revokedKey') return refused(401, 'CREDENTIAL_INVALID');
  const access = spec.access;
  if (access && caller === 'anonymous') return refused(401, 'UNAUTHENTICATED');
  if (access?.kind === 'session' && caller === 'wrongScopeKey') return refused(403, 'SESSION_REQUIRED');
  if (access?.kind === 'account' && caller === 'wrongScopeKey') return refused(403, 'SCOPE_REQUIRED');
  if (resource === 'owner' && caller !== 'owner') return refused(403, 'NOT_OWNER');
  if (resource === 'bytes') {
    const [status, code] = BYTES[policy][caller];
    if (status === 200) return spec.method === 'GET' ? { exact: [200, undefined] } : {};
    return refused(status, code ?? '');
  }
  return {};
}
