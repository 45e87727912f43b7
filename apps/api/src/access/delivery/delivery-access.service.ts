import { randomBytes } from 'node:crypto';
import { unavailable } from '../../integrity/integrity.errors';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { normaliseAddress, type Address, type Sha256 } from '@upstream/api-contract';
import { DatasetReadRepository, type DeliveryCandidateRow } from '../../catalogue/dataset-read.repository';
import { RUNTIME, type Runtime } from '../../runtime/runtime';
import { DomainError } from '../../common/errors/domain-error';
import { accessError, unauthenticated } from '../access.errors';
import { hasScope, type Principal } from '../principal';
import { BlobHoldersRepository } from './blob-holders.repository';
import { DeliveryRepository, type DeliveryReceipt } from './delivery.repository';
import { grantSignatureValid, signGrant, type DownloadGrant } from './signed-urls';

/** Why a delivery is allowed: whom to record it against. */
export interface DeliveryPermit {
  account: Address | null;
  datasetId: string | null;
  licenseId: string | null;
  via: DeliveryReceipt['via'];
  /** The bytes are in a public dataset: the same for every caller, so shared caches may keep them. */
  public: boolean;
}

/** The query parameters of a signed download URL, as they arrive. */
export interface SignedUrlQuery {
  account?: unknown;
  dataset?: unknown;
  expires?: unknown;
  sig?: unknown;
}

const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_AT = 1_000;
const MAX_SIGNED_URL_SECONDS = 24 * 3600;

/**
 * The one guard of every byte-serving path. A blob is served under the most permissive policy of the
 * uploaded datasets that hold it: `public` to anyone; `licensed` to its owners and to accounts with a
 * license in force on it; `private` to its owners. The account that uploaded the bytes may always
 * read them back. Signed URLs carry a grant checked by its HMAC alone (no database hit).
 * Every delivery leaves a receipt, written in batches off the request path.
 */
@Injectable()
export class DeliveryAccessService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Delivery');
  private secret: Buffer | undefined;
  private pending: DeliveryReceipt[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly datasets: DatasetReadRepository,
    private readonly holders: BlobHoldersRepository,
    private readonly receipts: DeliveryRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const configured = this.runtime.config.downloadUrlSecret;
    this.secret = configured
      ? Buffer.from(configured, 'utf8')
      : await this.receipts.sharedSecret('download-url', randomBytes(32));
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Writes the last receipts while the database is still open (TypeORM closes it at application shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /**
   * May `principal` (or an anonymous caller) fetch blob `sha256`? `datasetId` names the dataset the
   * caller asked through (its refusals name it first). Refuses with 401, 403 LICENSE_REQUIRED /
   * LICENSE_EXPIRED / DATASET_PRIVATE / SCOPE_REQUIRED, or 404 BLOB_NOT_FOUND for bytes in no dataset
   * (unless the caller uploaded them).
   */
  async authorize(principal: Principal | undefined, sha256: Sha256, datasetId?: string): Promise<DeliveryPermit> {
    const account = principal?.account ?? null;
    const holders = await this.datasets.deliveryCandidates(sha256, account);
    // A dataset its owners took down, or one delisted by an upheld dispute, delivers nothing, to anyone;
    // the same bytes in a live dataset are still served under that dataset's policy.
    const gone = (c: DeliveryCandidateRow) => c.takedown !== null || c.delisting !== null;
    const withdrawn = holders.find((c) => gone(c) && (datasetId === undefined || c.id === datasetId));
    const candidates = holders.filter((c) => !gone(c));
    if (withdrawn && (datasetId !== undefined || candidates.length === 0)) throw unavailable(withdrawn.id, withdrawn)!;
    const asked = datasetId === undefined ? candidates : candidates.filter((c) => c.id === datasetId);
    const named = asked.length > 0 ? asked : candidates;

    const open = candidates.find((c) => c.access_policy === 'public');
    if (open)
      return {
        account,
        datasetId: datasetId ?? open.id,
        licenseId: null,
        via: principal ? principal.via : 'public',
        public: true,
      };
    if (!principal) {
      if (candidates.length === 0) throw blobNotFound(sha256);
      throw unauthenticated();
    }
    if (!hasScope(principal, 'download'))
      throw accessError('SCOPE_REQUIRED', 'authorization: this API key lacks the `download` scope', [
        { field: 'authorization', reason: 'needs scope download' },
      ]);

    const owned = named.find((c) => c.owner) ?? candidates.find((c) => c.owner);
    if (owned) return { account, datasetId: datasetId ?? owned.id, licenseId: null, via: principal.via, public: false };
    const licensed =
      named.find((c) => c.access_policy === 'licensed' && c.license_id) ??
      candidates.find((c) => c.access_policy === 'licensed' && c.license_id);
    if (licensed)
      return {
        account,
        datasetId: datasetId ?? licensed.id,
        licenseId: licensed.license_id,
        via: principal.via,
        public: false,
      };
    if (await this.holders.holds(principal.account, sha256))
      return { account, datasetId: datasetId ?? null, licenseId: null, via: principal.via, public: false };

    if (candidates.length === 0) throw blobNotFound(sha256);
    throw refusal(named);
  }

  /** A URL path + query that lets `grant.account` fetch one file until `grant.expires`, without a header. */
  signedPath(grant: Omit<DownloadGrant, 'expires'>, ttlSeconds: number): { path: string; expiresAt: Date } {
    const seconds = Math.min(Math.max(1, Math.floor(ttlSeconds)), MAX_SIGNED_URL_SECONDS);
    const expires = Math.floor(Date.now() / 1000) + seconds;
    const full: DownloadGrant = { ...grant, expires };
    const sig = signGrant(this.key(), full);
    const query = new URLSearchParams({
      account: grant.account,
      dataset: grant.datasetId,
      expires: String(expires),
      sig,
    });
    return { path: `/blobs/${grant.sha256}?${query.toString()}`, expiresAt: new Date(expires * 1000) };
  }

  /** Checks a signed URL's grant for blob `sha256`: 403 SIGNED_URL_INVALID when altered or expired. */
  async verifySignedUrl(sha256: Sha256, query: SignedUrlQuery): Promise<DeliveryPermit> {
    const account = typeof query.account === 'string' ? normaliseAddress(query.account) : undefined;
    const datasetId = typeof query.dataset === 'string' ? query.dataset : undefined;
    const expires =
      typeof query.expires === 'string' && /^\d{1,12}$/.test(query.expires) ? Number(query.expires) : undefined;
    const sig = typeof query.sig === 'string' ? query.sig : '';
    if (account === undefined || datasetId === undefined || expires === undefined)
      throw signedUrlInvalid('is incomplete (account, dataset, expires and sig go together)');
    if (!grantSignatureValid(this.key(), { account, datasetId, sha256, expires }, sig))
      throw signedUrlInvalid('was altered, or was not signed by this service');
    if (expires * 1000 <= Date.now()) throw signedUrlInvalid(`expired at ${new Date(expires * 1000).toISOString()}`);
    // A URL signed before its dataset was taken down (or delisted) stops working then.
    const refusal = unavailable(datasetId, await this.datasets.unavailability(datasetId));
    if (refusal) throw refusal;
    return { account, datasetId, licenseId: null, via: 'signed-url', public: false };
  }

  /** Queues a receipt; written within a second, in one batch. */
  record(receipt: DeliveryReceipt): void {
    this.pending.push(receipt);
    if (this.pending.length >= FLUSH_AT) void this.flush();
  }

  /** Writes the queued receipts (also on shutdown). A failed write is logged and retried on the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const batch = this.pending;
      if (batch.length === 0) return;
      this.pending = [];
      try {
        await this.receipts.insertReceipts(batch);
      } catch (error) {
        this.pending = batch.concat(this.pending).slice(-100_000);
        this.logger.warn({ err: error }, `could not write ${batch.length} delivery receipt(s); will retry`);
      }
    });
    return this.flushing;
  }

  private key(): Buffer {
    if (!this.secret) throw new Error('DeliveryAccessService used before module init');
    return this.secret;
  }
}

/** Bytes in no dataset, not uploaded by the caller: the same 404 as bytes never stored, so nothing leaks. */
function blobNotFound(sha256: string) {
  return new DomainError('BLOB_NOT_FOUND', `sha256: no blob ${sha256} is stored`, [
    { field: 'sha256', reason: 'not stored' },
  ]);
}

function signedUrlInvalid(reason: string) {
  return accessError('SIGNED_URL_INVALID', `sig: the signed URL ${reason}`, [{ field: 'sig', reason }]);
}

/** The refusal for a caller with no right on any dataset holding the blob, naming the datasets and how to license them. */
function refusal(candidates: DeliveryCandidateRow[]) {
  const licensed = candidates.filter((c) => c.access_policy === 'licensed');
  if (licensed.length === 0) {
    const first = candidates[0];
    return accessError(
      'DATASET_PRIVATE',
      `dataset ${first.id} is private: only its owners may fetch its bytes`,
      [{ field: 'dataset', reason: 'private' }],
      { datasetId: first.id },
    );
  }
  const expired = licensed.find((c) => c.license_expired_at !== null);
  const datasets = licensed.map((c) => ({
    id: c.id,
    title: c.title,
    licenseTemplate: c.license_template,
    licensingOpen: c.licensing_open,
  }));
  if (expired) {
    return accessError(
      'LICENSE_EXPIRED',
      `your license on dataset ${expired.id} expired at ${expired.license_expired_at?.toISOString()}; acquire a new one with POST /licenses`,
      [{ field: 'dataset', reason: 'license expired' }],
      { datasetId: expired.id, datasets },
    );
  }
  const first = licensed[0];
  return accessError(
    'LICENSE_REQUIRED',
    `dataset ${first.id} (${first.title}) is licensed: acquire a license (POST /licenses, or \`upstream license ${first.id}\`) to fetch its bytes`,
    [{ field: 'dataset', reason: 'no license in force' }],
    { datasetId: first.id, datasets },
  );
}
