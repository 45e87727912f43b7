import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Upload } from '@tus/server';
import { normaliseSha256, type Address, type Sha256 } from '@upstream/api-contract';
import type { MissingDigestsResult } from './missing-digests';
import { quotaExceeded } from '../../access/access.errors';
import { BlobHoldersRepository } from '../../access/delivery/blob-holders.repository';
import { UnitOfWork, type Tx } from '../../common/persistence/unit-of-work';
import { RUNTIME, type Runtime } from '../../runtime/runtime';
import { contributionError, fieldError, fileTooLarge } from '../contributions.errors';
import {
  BLOB_STORE,
  BlobHashMismatchError,
  BlobTooLargeError,
  type BlobStore,
  type ByteRange,
  type StoredBlob,
} from '../storage/blob-store';
import { BlobCollectionRepository } from './blob-collection.repository';
import { BlobsRepository } from './blobs.repository';

/** Content-addressed upload storage: streams bytes into the blob store (the BLOB_STORE port) and records each blob in `blobs`. */
@Injectable()
export class BlobsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Blobs');

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly repository: BlobsRepository,
    private readonly holders: BlobHoldersRepository,
    private readonly uow: UnitOfWork,
    private readonly collection: BlobCollectionRepository,
  ) {}

  get maxFileBytes(): number {
    return this.runtime.config.maxFileBytes;
  }

  async onModuleInit(): Promise<void> {
    // Alone on the store, every temp file is a crash leftover. Beside other replicas, one an hour
    // old belongs to no running upload: a crash or a dropped connection left it.
    const { swept } = await this.store.open(60 * 60 * 1000);
    if (swept > 0) this.logger.log(`removed ${swept} unfinished upload file(s)`);
  }

  onModuleDestroy(): void {
    this.store.close();
  }

  /**
   * Streams a request body into the store for `holder`, within MAX_FILE_BYTES and what is left of the
   * holder's UPLOAD_QUOTA_BYTES: a `declaredLength` over either is refused up front, a body that
   * crosses either mid-stream is discarded (nothing stored, the quota unchanged).
   */
  async upload(
    body: Readable,
    declaredLength: number | undefined,
    holder: Address,
    expectedSha256?: string,
  ): Promise<StoredBlob> {
    const expected = expectedSha256 === undefined ? undefined : parseSha256(expectedSha256, 'sha256');
    if (declaredLength !== undefined && declaredLength > this.maxFileBytes)
      throw fileTooLarge(this.maxFileBytes, 'content-length');
    const { used, left } = await this.quotaOf(holder);
    if (declaredLength !== undefined && BigInt(declaredLength) > left)
      throw quotaExceeded(used, this.runtime.config.uploadQuotaBytes, 'content-length');
    const quotaBound = left < BigInt(this.maxFileBytes);
    let stored: StoredBlob;
    try {
      stored = await this.store.put(body, {
        expectedSha256: expected,
        maxBytes: quotaBound ? Number(left) : this.maxFileBytes,
      });
    } catch (error) {
      if (error instanceof BlobTooLargeError)
        throw quotaBound ? quotaExceeded(used, this.runtime.config.uploadQuotaBytes) : fileTooLarge(error.maxBytes);
      if (error instanceof BlobHashMismatchError) {
        throw fieldError('BLOB_HASH_MISMATCH', 'sha256', `the uploaded bytes hash to ${error.actual}`, {
          actual: error.actual,
        });
      }
      throw error;
    }
    await this.record(stored, holder);
    return stored;
  }

  /** Bytes `holder` stores and how many more it may. */
  async quotaOf(holder: Address): Promise<{ used: bigint; left: bigint }> {
    const used = await this.holders.usedBytes(holder);
    const limit = this.runtime.config.uploadQuotaBytes;
    return { used, left: used >= limit ? 0n : limit - used };
  }

  /**
   * Publishes a finished resumable upload under its hash (BlobHashMismatchError unless it hashes to
   * `expectedSha256`) and records it; `alsoRecord` writes in the same transaction (the upload's completion).
   */
  async publishUpload(
    upload: Upload,
    holder: Address,
    expectedSha256: Sha256 | undefined,
    alsoRecord: (stored: StoredBlob, tx: Tx) => Promise<void>,
  ): Promise<StoredBlob> {
    const stored = await this.store.resumable.publish(upload, expectedSha256);
    await this.record(stored, holder, alsoRecord);
    return stored;
  }

  /**
   * Records stored bytes and their holder, under the blob's lock so the orphan collector's file
   * removal (OrphanBlobCollector) comes wholly before or after: after, it finds the row and keeps
   * the file; before, the bytes this upload found already stored may be gone, and the upload fails
   * (409 BLOB_COLLECTED, nothing recorded) rather than leave a row without bytes.
   */
  private async record(
    stored: StoredBlob,
    holder: Address,
    alsoRecord?: (stored: StoredBlob, tx: Tx) => Promise<void>,
  ): Promise<void> {
    await this.uow.run(async (tx) => {
      const collection = this.collection.in(tx);
      await collection.lockBlob(stored.sha256);
      await this.repository.in(tx).record(stored.sha256, stored.size);
      await this.holders.in(tx).record(holder, stored.sha256, stored.size);
      await collection.unqueue(stored.sha256);
      await alsoRecord?.(stored, tx);
      if (!(await this.store.stat(stored.sha256)))
        throw fieldError(
          'BLOB_COLLECTED',
          'body',
          `blob ${stored.sha256} was being deleted as unreferenced while this upload finished: upload it again`,
        );
    });
  }

  /** A stored blob's address and size; 404 BLOB_NOT_FOUND when it is not (or no longer) in the store. */
  async find(sha256Param: string): Promise<{ sha256: string; size: bigint; storedAt: Date }> {
    const sha256 = parseSha256(sha256Param, 'sha256');
    const row = await this.repository.find(sha256);
    if (row === undefined || !(await this.store.stat(sha256)))
      throw fieldError('BLOB_NOT_FOUND', 'sha256', `no blob ${sha256} is stored`);
    return { sha256, ...row };
  }

  /**
   * Where a GET of the blob's bytes is sent instead of being served here: a presigned URL of the
   * object store when BLOB_REDIRECT=presigned and the store can make one; else undefined.
   */
  async redirectUrl(sha256: string): Promise<string | undefined> {
    const { mode, ttlSeconds } = this.runtime.config.blobRedirect;
    if (mode !== 'presigned' || !this.store.presignedUrl) return undefined;
    return this.store.presignedUrl(sha256, ttlSeconds);
  }

  /** Streams a blob found with `find()`: all of it, or the inclusive byte range. */
  read(sha256: string, range?: ByteRange): Readable {
    return this.store.read(sha256, range);
  }

  /**
   * Which of the prepared digests the store lacks, in the order asked (each once), as the JSON of
   * `MissingBlobsResponseDto`, written by PostgreSQL: a long answer is one string here, never an
   * array of 100,000 and its JSON.stringify on the event loop.
   */
  async missingJson(digests: MissingDigestsResult): Promise<string> {
    if (!digests.ok)
      throw contributionError(
        'VALIDATION_FAILED',
        digests.errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
        digests.errors,
      );
    return this.repository.missingJson(digests.sha256s);
  }
}

/** Accepts 0x-prefixed or bare, any case; returns 64 lowercase hex digits or refuses naming the field. */
export function parseSha256(value: string, field: string): Sha256 {
  const hex = normaliseSha256(value.replace(/^0x/i, ''));
  if (hex === undefined)
    throw contributionError('VALIDATION_FAILED', `${field}: must be 64 hex digits (a SHA-256)`, [
      { field, reason: 'must be 64 hex digits (a SHA-256)' },
    ]);
  return hex;
}
