import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { Address } from '@upstream/api-contract';
import { DEFAULT_VOTING_PERIOD_BLOCKS } from '@upstream/chain';
import { EnvDto } from './env.dto';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: { variable: string; reason: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable}: ${p.reason}`).join('; ')}`);
  }
}

export type WorkerMode = 'embedded' | 'off' | 'only';
export type RateLimitStore = 'memory' | 'postgres';

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  logLevel: string;
  /** Undefined: start the embedded PostgreSQL under dataDir. */
  databaseUrl?: string;
  embeddedPgPort: number;
  /** Undefined: start the local chain under dataDir. */
  rpcUrl?: string;
  localChainPort: number;
  /**
   * Blocks a governance vote stays open on the local chain's Governor, fixed when the contracts are
   * first deployed there (a week of 12 s blocks by default; a demo or a guide mines a short one).
   */
  localVotingPeriodBlocks: number;
  operatorPrivateKey?: string;
  /** With rpcUrl: the file `upstream deploy` wrote (addresses, deployment block); absolute. */
  deploymentFile?: string;
  /** Parsed once (lowercase) from the environment. */
  contracts: { royaltySplitter?: Address; provenanceRegistry?: Address; paymentToken?: Address };
  confirmations: number;
  rateLimitPerMinute: number;
  /**
   * Where the rate limit counts: `memory` (this process alone) or `postgres` (one count for every
   * replica on the database; set it on every API replica). Default: memory.
   */
  rateLimitStore: RateLimitStore;
  workerMode: WorkerMode;
  workerIntervalMs: number;
  anchorBatchSize: number;
  anchorIntervalMs: number;
  /** Least time between two royalty epochs (a new epoch also needs new ledger entries). */
  epochIntervalMs: number;
  /** Largest single uploaded file (413 beyond). */
  maxFileBytes: number;
  /** Most files one dataset may list (413 beyond). */
  maxFilesPerDataset: number;
  /** Upload requests (PUT /blobs, tus /uploads) per client IP per minute (429 beyond). */
  uploadRateLimitPerMinute: number;
  /** How long a graceful shutdown may take before the service stops its children and exits anyway. */
  shutdownTimeoutMs: number;
  /** Where clients reach the service; a SIWE message's domain and URI must match it (unset: the Host the client reached). */
  publicUrl?: string;
  /** How long a signed-in session lasts. */
  sessionTtlHours: number;
  /** Bytes one account may store (the distinct blobs it uploaded); 413 QUOTA_EXCEEDED beyond. */
  uploadQuotaBytes: bigint;
  /** Browser origins allowed to call the API with credentials (CORS); empty: same-origin only. */
  corsOrigins: string[];
  /** Schemes an external dataset's `externalUri` may use (lowercase, without the colon). */
  externalUriSchemes: string[];
  /** Express `trust proxy`: which peers' X-Forwarded-For is believed. */
  trustProxy: boolean | number | string[];
  /** HMAC key of signed download URLs; unset: one made once and shared through the database. */
  downloadUrlSecret?: string;
  /** How long an uploaded blob that no registered dataset references is kept. */
  orphanBlobTtlMs: number;
  /**
   * A registration is refused when at least this share of its bytes (in millionths, 1..1,000,000) is in
   * earlier datasets of other owners it does not declare in its lineage.
   */
  overlapRefusePpm: number;
  /** A dataset is flagged as a near-duplicate of an earlier one at or above this estimated similarity (0 < x ≤ 1). */
  nearDuplicateSimilarity: number;
  /** Where blobs live: undefined for the local disk under dataDir; else an S3-compatible bucket and key prefix. */
  blobStore?: { bucket: string; prefix: string; endpoint?: string };
  /** `presigned`: a GET of blob bytes from the S3 store answers 302 to a presigned URL valid for `ttlSeconds`. */
  blobRedirect: { mode: 'off' | 'presigned'; ttlSeconds: number };
}

/** Validates the environment once, naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  // An empty variable means "not set", as in most twelve-factor services.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const dto = plainToInstance(EnvDto, present);
  const errors = validateSync(dto, { forbidUnknownValues: false });
  if (errors.length > 0) throw new ConfigError(errors.map(describe));

  if (dto.S3_ENDPOINT && !dto.BLOB_STORE_URL) {
    throw new ConfigError([
      { variable: 'S3_ENDPOINT', reason: 'is set, but BLOB_STORE_URL (s3://bucket/prefix) is not' },
    ]);
  }
  if (dto.BLOB_REDIRECT === 'presigned' && !dto.BLOB_STORE_URL) {
    throw new ConfigError([
      { variable: 'BLOB_REDIRECT', reason: 'presigned needs an S3 blob store (BLOB_STORE_URL=s3://bucket/prefix)' },
    ]);
  }

  if (dto.DEPLOYMENT_FILE) {
    if (!dto.RPC_URL)
      throw new ConfigError([
        { variable: 'DEPLOYMENT_FILE', reason: 'is set, but RPC_URL (the chain it was deployed to) is not' },
      ]);
    const doubled = (
      ['ROYALTY_SPLITTER_ADDRESS', 'PROVENANCE_REGISTRY_ADDRESS', 'PAYMENT_TOKEN_ADDRESS'] as const
    ).filter((name) => dto[name]);
    if (doubled.length > 0)
      throw new ConfigError(
        doubled.map((variable) => ({ variable, reason: 'comes from DEPLOYMENT_FILE; set one or the other' })),
      );
  }
  if (dto.RPC_URL) {
    const missing = (
      dto.DEPLOYMENT_FILE
        ? (['OPERATOR_PRIVATE_KEY'] as const)
        : (['OPERATOR_PRIVATE_KEY', 'ROYALTY_SPLITTER_ADDRESS', 'PROVENANCE_REGISTRY_ADDRESS'] as const)
    ).filter((name) => !dto[name]);
    if (missing.length > 0) {
      throw new ConfigError(
        missing.map((variable) => ({
          variable,
          reason: variable.endsWith('_ADDRESS')
            ? 'is required when RPC_URL is set without DEPLOYMENT_FILE'
            : 'is required when RPC_URL is set',
        })),
      );
    }
  }

  return {
    port: dto.PORT ?? 3000,
    host: dto.HOST ?? '127.0.0.1',
    dataDir: resolve(dto.DATA_DIR ?? '.data'),
    logLevel: dto.LOG_LEVEL ?? 'info',
    databaseUrl: dto.DATABASE_URL,
    embeddedPgPort: dto.EMBEDDED_PG_PORT ?? 54329,
    rpcUrl: dto.RPC_URL,
    localChainPort: dto.LOCAL_CHAIN_PORT ?? 8545,
    localVotingPeriodBlocks: dto.LOCAL_VOTING_PERIOD_BLOCKS ?? DEFAULT_VOTING_PERIOD_BLOCKS,
    operatorPrivateKey: dto.OPERATOR_PRIVATE_KEY,
    deploymentFile: dto.DEPLOYMENT_FILE ? resolve(dto.DEPLOYMENT_FILE) : undefined,
    contracts: {
      royaltySplitter: dto.ROYALTY_SPLITTER_ADDRESS,
      provenanceRegistry: dto.PROVENANCE_REGISTRY_ADDRESS,
      paymentToken: dto.PAYMENT_TOKEN_ADDRESS,
    },
    confirmations: dto.CONFIRMATIONS ?? (dto.RPC_URL ? 12 : 0),
    rateLimitPerMinute: dto.RATE_LIMIT_PER_MINUTE ?? 600,
    rateLimitStore: (dto.RATE_LIMIT_STORE as RateLimitStore | undefined) ?? 'memory',
    workerMode: (dto.WORKER_MODE as WorkerMode | undefined) ?? 'embedded',
    workerIntervalMs: dto.WORKER_INTERVAL_MS ?? 1_000,
    anchorBatchSize: dto.ANCHOR_BATCH_SIZE ?? 100,
    anchorIntervalMs: dto.ANCHOR_INTERVAL_MS ?? 5_000,
    epochIntervalMs: dto.EPOCH_INTERVAL_MS ?? 60_000,
    maxFileBytes: dto.MAX_FILE_BYTES ?? 64 * 1024 ** 3,
    maxFilesPerDataset: dto.MAX_FILES_PER_DATASET ?? 100_000,
    uploadRateLimitPerMinute: dto.UPLOAD_RATE_LIMIT_PER_MINUTE ?? 6_000,
    shutdownTimeoutMs: dto.SHUTDOWN_TIMEOUT_MS ?? 30_000,
    publicUrl: dto.PUBLIC_URL,
    sessionTtlHours: dto.SESSION_TTL_HOURS ?? 24,
    uploadQuotaBytes: BigInt(dto.UPLOAD_QUOTA_BYTES ?? 100 * 1024 ** 3),
    externalUriSchemes: (dto.EXTERNAL_URI_SCHEMES ?? 'https,s3,ipfs,ar')
      .split(',')
      .map((scheme) => scheme.trim().toLowerCase())
      .filter((scheme) => scheme !== ''),
    corsOrigins: (dto.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter((o) => o !== ''),
    trustProxy: parseTrustProxy(dto.TRUST_PROXY),
    downloadUrlSecret: dto.DOWNLOAD_URL_SECRET,
    orphanBlobTtlMs: (dto.ORPHAN_BLOB_TTL_SECONDS ?? 24 * 3600) * 1000,
    overlapRefusePpm: Math.round(Number(dto.OVERLAP_REFUSE_FRACTION ?? '0.5') * 1_000_000),
    nearDuplicateSimilarity: Number(dto.NEAR_DUPLICATE_SIMILARITY ?? '0.5'),
    blobStore: parseBlobStoreUrl(dto.BLOB_STORE_URL, dto.S3_ENDPOINT),
    blobRedirect: {
      mode: (dto.BLOB_REDIRECT as 'off' | 'presigned' | undefined) ?? 'off',
      ttlSeconds: dto.BLOB_REDIRECT_TTL_SECONDS ?? 300,
    },
  };
}

function describe(error: ValidationError): { variable: string; reason: string } {
  const reasons = Object.values(error.constraints ?? {});
  const shown =
    typeof error.value === 'string' && /KEY/.test(error.property) ? '(hidden)' : JSON.stringify(error.value);
  return { variable: error.property, reason: `${reasons.join(', ')} (got ${shown})` };
}

/**
 * TRUST_PROXY: which peers may set X-Forwarded-For (Express `trust proxy`): unset or `false` trusts
 * none (the peer address is the client); a hop count, or a comma-separated list of addresses,
 * CIDRs and the names `loopback`, `linklocal`, `uniquelocal`.
 */
function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value.trim() === '' || value.trim() === 'false') return false;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** BLOB_STORE_URL `s3://bucket/prefix` (validated by EnvDto): the bucket and the key prefix, without slashes at its ends. */
function parseBlobStoreUrl(
  url: string | undefined,
  endpoint: string | undefined,
): { bucket: string; prefix: string; endpoint?: string } | undefined {
  if (url === undefined) return undefined;
  const [bucket, ...rest] = url.slice('s3://'.length).split('/');
  return { bucket, prefix: rest.join('/').replace(/^\/+|\/+$/g, ''), endpoint };
}
