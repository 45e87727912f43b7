import { shapeOf } from './shape';

/** What an API key may be allowed to do; a session may do all of them. */
export type ApiScope = 'read' | 'upload' | 'download' | 'runs:write';
export const API_SCOPES: readonly ApiScope[] = ['read', 'upload', 'download', 'runs:write'];

/** Who may fetch a dataset's bytes: anyone, its owners and licensees, or its owners only. */
export type AccessPolicy = 'public' | 'licensed' | 'private';
export const ACCESS_POLICIES: readonly AccessPolicy[] = ['public', 'licensed', 'private'];

// ---- requests ----

/** POST /auth/session: an EIP-4361 message and its signature (EOA, or ERC-1271 contract wallet). */
export interface SignInRequest {
  message: string;
  signature: string;
}

/** POST /auth/keys. */
export interface CreateApiKeyRequest {
  label: string;
  scopes: ApiScope[];
  /** 1–365; default 90. */
  expiresInDays?: number;
}

/** PUT /datasets/:id/access. */
export interface SetAccessPolicyRequest {
  policy: AccessPolicy;
}

/** POST /datasets/:id/files/url. */
export interface SignedUrlRequest {
  path: string;
  /** 1–86,400; default 3,600. */
  expiresInSeconds?: number;
}

// ---- responses ----

/** POST /auth/nonce: what to put in the SIWE message (domain and uri are null when PUBLIC_URL is unset: use the host you reached). */
export interface SiweChallenge {
  nonce: string;
  expiresAt: string;
  domain: string | null;
  uri: string | null;
  chainId: number;
}

export interface Session {
  /** Send as `Authorization: Bearer <token>`; shown once. */
  token: string;
  account: string;
  expiresAt: string;
}

export interface StorageUse {
  /** Decimal strings. */
  usedBytes: string;
  limitBytes: string;
}

/** GET /auth/session: who the credential is. */
export interface CallerInfo {
  account: string;
  /** session | api-key */
  via: string;
  scopes: ApiScope[];
  storage: StorageUse;
}

export interface SignOutResult {
  revoked: number;
}

export interface ApiKeyInfo {
  id: string;
  label: string;
  scopes: ApiScope[];
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

export interface CreatedApiKey {
  /** Send as `Authorization: Bearer <key>` (or UPSTREAM_API_KEY for the CLI); shown once, stored hashed. */
  key: string;
  apiKey: ApiKeyInfo;
}

export interface ApiKeyList {
  items: ApiKeyInfo[];
}

export interface AccessPolicyState {
  datasetId: string;
  policy: AccessPolicy;
}

export interface SignedUrl {
  /** Relative to the API's base URL. */
  url: string;
  expiresAt: string;
}

export interface Delivery {
  account: string | null;
  licenseId: string | null;
  sha256: string;
  /** Decimal strings. */
  firstByte: string;
  bytes: string;
  /** session | api-key | signed-url | public */
  via: string;
  requestId: string | null;
  deliveredAt: string;
}

export interface DeliveryPage {
  items: Delivery[];
  total: number;
}

export interface UndeclaredDelivery {
  account: string;
  deliveries: number;
  bytes: string;
  lastDeliveredAt: string;
}

/** Labs that fetched the dataset under a license and declared it in none of their training runs. */
export interface UndeclaredDeliveries {
  datasetId: string;
  items: UndeclaredDelivery[];
}

export const SignInRequestShape = shapeOf<SignInRequest>({ message: true, signature: true });
export const CreateApiKeyRequestShape = shapeOf<CreateApiKeyRequest>({
  label: true,
  scopes: true,
  expiresInDays: true,
});
export const SetAccessPolicyRequestShape = shapeOf<SetAccessPolicyRequest>({ policy: true });
export const SignedUrlRequestShape = shapeOf<SignedUrlRequest>({ path: true, expiresInSeconds: true });
export const SiweChallengeShape = shapeOf<SiweChallenge>({
  nonce: true,
  expiresAt: true,
  domain: true,
  uri: true,
  chainId: true,
});
export const SessionShape = shapeOf<Session>({ token: true, account: true, expiresAt: true });
export const StorageUseShape = shapeOf<StorageUse>({ usedBytes: true, limitBytes: true });
export const CallerInfoShape = shapeOf<CallerInfo>({ account: true, via: true, scopes: true, storage: 'StorageUse' });
export const SignOutResultShape = shapeOf<SignOutResult>({ revoked: true });
export const ApiKeyInfoShape = shapeOf<ApiKeyInfo>({
  id: true,
  label: true,
  scopes: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  lastUsedIp: true,
});
export const CreatedApiKeyShape = shapeOf<CreatedApiKey>({ key: true, apiKey: 'ApiKeyInfo' });
export const ApiKeyListShape = shapeOf<ApiKeyList>({ items: 'ApiKeyInfo' });
export const AccessPolicyStateShape = shapeOf<AccessPolicyState>({ datasetId: true, policy: true });
export const SignedUrlShape = shapeOf<SignedUrl>({ url: true, expiresAt: true });
export const DeliveryShape = shapeOf<Delivery>({
  account: true,
  licenseId: true,
  sha256: true,
  firstByte: true,
  bytes: true,
  via: true,
  requestId: true,
  deliveredAt: true,
});
export const DeliveryPageShape = shapeOf<DeliveryPage>({ items: 'Delivery', total: true });
export const UndeclaredDeliveryShape = shapeOf<UndeclaredDelivery>({
  account: true,
  deliveries: true,
  bytes: true,
  lastDeliveredAt: true,
});
export const UndeclaredDeliveriesShape = shapeOf<UndeclaredDeliveries>({
  datasetId: true,
  items: 'UndeclaredDelivery',
});
