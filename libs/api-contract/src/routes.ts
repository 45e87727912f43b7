import type { ApiScope } from './access';
import type { ContractTypeName, ContractTypes } from './contract-types';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One public route: how to call it and the contract types of its query, body and (JSON) response. */
export interface RouteSpec {
  method: HttpMethod;
  /** Express-style template: `/epochs/:epoch`. */
  path: string;
  query?: ContractTypeName;
  body?: ContractTypeName;
  /** The JSON body of the success response; absent for routes that answer raw bytes. */
  response?: ContractTypeName;
  /** The success status when it is not 200. */
  status?: 201;
  /**
   * Who may call it, when not anyone: `account` (a session, or an API key with `scope`) or
   * `session` (a signed-in session only). Byte-serving routes are public routes whose answer
   * depends on the dataset's access policy.
   */
  access?: { kind: 'account'; scope: ApiScope } | { kind: 'session' };
}

const account = (scope: ApiScope) => ({ kind: 'account', scope }) as const;
const session = { kind: 'session' } as const;

/**
 * The public routes of the Upstream API. The tus endpoints (/uploads) are left out: they speak the
 * tus protocol, not JSON (see docs/reference/uploads.md). `test/e2e/api-contract.e2e.test.ts` checks this table
 * against the OpenAPI document the API serves.
 */
export const ROUTES = {
  // access
  createSiweNonce: { method: 'POST', path: '/auth/nonce', response: 'SiweChallenge' },
  signIn: { method: 'POST', path: '/auth/session', body: 'SignInRequest', response: 'Session', status: 201 },
  getCaller: { method: 'GET', path: '/auth/session', response: 'CallerInfo', access: account('read') },
  signOut: { method: 'POST', path: '/auth/logout', response: 'SignOutResult', access: session },
  signOutEverywhere: { method: 'POST', path: '/auth/logout-all', response: 'SignOutResult', access: session },
  createApiKey: {
    method: 'POST',
    path: '/auth/keys',
    body: 'CreateApiKeyRequest',
    response: 'CreatedApiKey',
    status: 201,
    access: session,
  },
  listApiKeys: { method: 'GET', path: '/auth/keys', response: 'ApiKeyList', access: session },
  revokeApiKey: { method: 'DELETE', path: '/auth/keys/:id', response: 'ApiKeyInfo', access: session },
  setAccessPolicy: {
    method: 'PUT',
    path: '/datasets/:id/access',
    body: 'SetAccessPolicyRequest',
    response: 'AccessPolicyState',
    access: session,
  },
  createSignedUrl: {
    method: 'POST',
    path: '/datasets/:id/files/url',
    body: 'SignedUrlRequest',
    response: 'SignedUrl',
    status: 201,
    access: account('download'),
  },
  listDeliveries: {
    method: 'GET',
    path: '/datasets/:id/deliveries',
    query: 'OffsetPageQuery',
    response: 'DeliveryPage',
    access: account('read'),
  },
  listUndeclaredDeliveries: {
    method: 'GET',
    path: '/datasets/:id/deliveries/undeclared',
    response: 'UndeclaredDeliveries',
    access: account('read'),
  },
  // chain
  getChain: { method: 'GET', path: '/chain', response: 'ChainInfo' },
  // disputes
  listDisputes: { method: 'GET', path: '/disputes', query: 'DisputeQuery', response: 'DisputePage' },
  getDisputeParameters: { method: 'GET', path: '/disputes/parameters', response: 'DisputeParameters' },
  getDispute: { method: 'GET', path: '/disputes/:id', response: 'Dispute' },
  // governance
  getGovernance: { method: 'GET', path: '/governance', response: 'GovernanceInfo' },
  listProposals: { method: 'GET', path: '/governance/proposals', query: 'OffsetPageQuery', response: 'ProposalPage' },
  getProposal: { method: 'GET', path: '/governance/proposals/:id', response: 'Proposal' },
  getAccountVotes: { method: 'GET', path: '/accounts/:address/votes', response: 'AccountVotes' },
  listLicenseTemplates: { method: 'GET', path: '/governance/license-templates', response: 'LicenseTemplateList' },
  // datasets
  registerDataset: {
    method: 'POST',
    path: '/datasets',
    body: 'CreateDatasetRequest',
    response: 'DatasetDetail',
    status: 201,
    access: account('upload'),
  },
  listDatasets: { method: 'GET', path: '/datasets', query: 'DatasetQuery', response: 'DatasetPage' },
  getDataset: { method: 'GET', path: '/datasets/:id', response: 'DatasetDetail' },
  listDatasetFiles: { method: 'GET', path: '/datasets/:id/files', query: 'CursorPageQuery', response: 'FilePage' },
  getFileProof: { method: 'GET', path: '/datasets/:id/files/proof', query: 'FilePathQuery', response: 'FileProof' },
  getFileContent: { method: 'GET', path: '/datasets/:id/files/content', query: 'FilePathQuery' },
  getLineage: { method: 'GET', path: '/datasets/:id/lineage', response: 'Lineage' },
  listDatasetOverlaps: {
    method: 'GET',
    path: '/datasets/:id/overlaps',
    query: 'OverlapQuery',
    response: 'DatasetOverlapPage',
  },
  listSimilarDatasets: {
    method: 'GET',
    path: '/datasets/:id/similar',
    query: 'SimilarQuery',
    response: 'DatasetSimilarPage',
  },
  listDatasetDisputes: {
    method: 'GET',
    path: '/datasets/:id/disputes',
    query: 'DatasetDisputeQuery',
    response: 'DisputePage',
  },
  takeDownDataset: {
    method: 'POST',
    path: '/datasets/:id/takedown',
    body: 'TakedownRequest',
    response: 'DatasetTakedown',
    status: 201,
  },
  listDatasetOwners: {
    method: 'GET',
    path: '/datasets/:id/owners',
    query: 'OffsetPageQuery',
    response: 'DatasetOwnerPage',
  },
  listContributorDatasets: {
    method: 'GET',
    path: '/contributors/:address/datasets',
    query: 'CursorPageQuery',
    response: 'ContributorDatasetPage',
  },
  // blobs
  putBlob: { method: 'PUT', path: '/blobs', response: 'StoredBlob', access: account('upload') },
  putExpectedBlob: { method: 'PUT', path: '/blobs/:sha256', response: 'StoredBlob', access: account('upload') },
  findMissingBlobs: {
    method: 'POST',
    path: '/blobs/missing',
    body: 'MissingBlobsRequest',
    response: 'MissingBlobs',
    access: account('upload'),
  },
  getBlob: { method: 'GET', path: '/blobs/:sha256' },
  // licenses
  createLicense: {
    method: 'POST',
    path: '/licenses',
    body: 'CreateLicenseRequest',
    response: 'LicenseResult',
    status: 201,
  },
  getLicense: { method: 'GET', path: '/licenses/:id', response: 'LicenseResult' },
  listLabLicenses: {
    method: 'GET',
    path: '/labs/:address/licenses',
    query: 'OffsetPageQuery',
    response: 'LicenseList',
  },
  listDatasetLicenses: {
    method: 'GET',
    path: '/datasets/:id/licenses',
    query: 'OffsetPageQuery',
    response: 'LicenseList',
  },
  setLicensing: {
    method: 'POST',
    path: '/datasets/:id/licensing',
    body: 'SetLicensingRequest',
    response: 'LicensingState',
  },
  // runs
  createRun: {
    method: 'POST',
    path: '/runs',
    body: 'CreateRunRequest',
    response: 'RunUpload',
    status: 201,
    access: account('runs:write'),
  },
  addRunEntries: {
    method: 'POST',
    path: '/runs/:id/entries',
    body: 'RunEntriesChunk',
    response: 'RunUpload',
    access: account('runs:write'),
  },
  commitRun: { method: 'POST', path: '/runs/:id/commit', response: 'RunUpload', access: account('runs:write') },
  getRun: { method: 'GET', path: '/runs/:id', response: 'Run' },
  listRunEntries: { method: 'GET', path: '/runs/:id/entries', query: 'OffsetPageQuery', response: 'RunEntriesPage' },
  getRunEntryProof: {
    method: 'GET',
    path: '/runs/:id/entries/proof',
    query: 'EntryProofQuery',
    response: 'RunEntryProof',
  },
  getRunPayment: { method: 'GET', path: '/runs/:id/payment', query: 'RunPaymentQuery', response: 'PayRunInstructions' },
  // audit
  getRunProvenance: {
    method: 'GET',
    path: '/runs/:id/provenance',
    query: 'OffsetPageQuery',
    response: 'RunProvenance',
  },
  getRunCroissant: {
    method: 'GET',
    path: '/runs/:id/croissant',
    query: 'OffsetPageQuery',
    response: 'CroissantDocument',
  },
  getModelProvenance: {
    method: 'GET',
    path: '/models/:modelHash/provenance',
    query: 'OffsetPageQuery',
    response: 'ModelProvenance',
  },
  listDatasetRuns: { method: 'GET', path: '/datasets/:id/runs', query: 'OffsetPageQuery', response: 'DatasetRuns' },
  listContributorRuns: {
    method: 'GET',
    path: '/contributors/:address/runs',
    query: 'OffsetPageQuery',
    response: 'ContributorRuns',
  },
  // royalties
  getContributorBalances: { method: 'GET', path: '/contributors/:address/balances', response: 'ContributorBalances' },
  getContributorHistory: {
    method: 'GET',
    path: '/contributors/:address/history',
    query: 'PageQuery',
    response: 'ContributorHistory',
  },
  getContributorProofs: { method: 'GET', path: '/contributors/:address/proofs', response: 'ContributorProofs' },
  listEpochs: { method: 'GET', path: '/epochs', query: 'PageQuery', response: 'EpochList' },
  getEpoch: { method: 'GET', path: '/epochs/:epoch', response: 'Epoch' },
  getEpochLeaves: { method: 'GET', path: '/epochs/:epoch/leaves', query: 'PageQuery', response: 'EpochLeaves' },
  getEpochInputs: { method: 'GET', path: '/epochs/:epoch/inputs', response: 'EpochInputs' },
  /** NDJSON: a first line { epoch, root, leafEncoding, total }, then one EpochLeaf per line. */
  streamEpochLeaves: { method: 'GET', path: '/epochs/:epoch/leaves.ndjson' },
  /** NDJSON: { epoch }, then { dataset } lines, then per payment { payment } and its { entry } lines. */
  streamEpochInputs: { method: 'GET', path: '/epochs/:epoch/inputs.ndjson' },
  listPayments: { method: 'GET', path: '/payments', query: 'PaymentsQuery', response: 'PaymentList' },
  listRunPayments: { method: 'GET', path: '/runs/:runId/payments', query: 'PageQuery', response: 'PaymentList' },
} as const satisfies Record<string, RouteSpec>;

export type Routes = typeof ROUTES;
export type RouteName = keyof Routes;

type TypeOf<N> = N extends ContractTypeName ? ContractTypes[N] : never;

/** `'/runs/:id/entries'` → `'id'`. */
export type PathParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** Path parameters by name; numbers are written out in decimal. */
export type RouteParams<R extends RouteName> = { [K in PathParamNames<Routes[R]['path']>]: string | number };

/** Query values travel as text, so a number may also be given as the string the user typed. */
export type RouteQuery<R extends RouteName> = Routes[R] extends { query: infer Q }
  ? { [K in keyof TypeOf<Q>]?: TypeOf<Q>[K] extends number | undefined ? number | string : TypeOf<Q>[K] }
  : never;

export type RouteBody<R extends RouteName> = Routes[R] extends { body: infer B } ? TypeOf<B> : never;

/** The JSON a route answers with (`unknown` for raw bytes). */
export type RouteResponse<R extends RouteName> = Routes[R] extends { response: infer T } ? TypeOf<T> : unknown;

/** What a call needs: `params` when the path has any, `query` when the route takes one (optional), `body` when it takes one. */
export type RouteInput<R extends RouteName> = ([PathParamNames<Routes[R]['path']>] extends [never]
  ? unknown
  : { params: RouteParams<R> }) &
  ([RouteQuery<R>] extends [never] ? unknown : { query?: RouteQuery<R> }) &
  ([RouteBody<R>] extends [never] ? unknown : { body: RouteBody<R> });

/** The path and query string of a call, e.g. `routeUrl('getEpoch', { params: { epoch: 3 } })` → `/epochs/3`. */
export function routeUrl<R extends RouteName>(
  route: R,
  input?: { params?: Record<string, string | number>; query?: Record<string, unknown> },
): string {
  const spec: RouteSpec = ROUTES[route];
  const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = input?.params?.[name];
    if (value === undefined) throw new Error(`${route}: path parameter ${name} is missing`);
    return encodeURIComponent(String(value));
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(input?.query ?? {})) {
    if (value === undefined) continue;
    if (!isScalar(value)) {
      throw new Error(`${route}: query parameter ${key} must be a string, number, bigint or boolean`);
    }
    query.append(key, String(value));
  }
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

function isScalar(value: unknown): value is string | number | bigint | boolean {
  return (
    typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean'
  );
}
