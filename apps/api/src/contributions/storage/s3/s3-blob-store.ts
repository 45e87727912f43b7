import type { Sha256 } from '@upstream/api-contract';
import { Upload as MultipartUpload } from '@aws-sdk/lib-storage';
import { randomBytes } from 'node:crypto';
import { pipeline, Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { Sha256PassThrough } from '@upstream/provenance/node';
import {
  BlobHashMismatchError,
  SHA256_HEX,
  type BlobStore,
  type ByteRange,
  type PutBlobOptions,
  type StoredBlob,
} from '../blob-store';
import { ByteLimiter } from '../byte-limiter';
import type { BlobWriters } from '../blob-writers';
import { s3Failure, S3_LAYOUT, S3Objects } from './s3-objects';
import { S3ResumableUploads } from './s3-resumable-uploads';

export interface S3BlobStoreOptions {
  /** Who else writes to this bucket and prefix (replicas); without it the store assumes others may. */
  writers?: BlobWriters;
  /** Unfinished resumable uploads expire this long after creation (default a day). */
  uploadExpiryMs?: number;
  /** Bytes per multipart part (default 8 MiB; S3's least is 5 MiB but for the last part). */
  partSize?: number;
  /** Parts in flight at once for one PUT (default 4). */
  queueSize?: number;
  /**
   * Beside other writers, a multipart upload is swept only this old at least (default a day): its
   * age counts from when it began (S3 lists no later time), and a big PUT may take hours.
   */
  othersStaleAfterMs?: number;
}

/**
 * The S3 adapter of the blob-store port, for AWS S3 and S3-compatible servers (MinIO, R2, …):
 * blobs at `<prefix>/blobs/<sha256>`. A PUT streams into a multipart upload (lib-storage), hashed
 * on the way. With an expected SHA-256 it goes straight to the blob's key and the stream fails at
 * its end, before CompleteMultipartUpload, if the bytes hash otherwise; without one it goes to
 * `<prefix>/tmp/<random>` and is copied to its hash's key once complete (server-side, no bytes
 * through the API), then the temp object is deleted. A failure aborts the multipart upload, so
 * nothing is visible under any key; what a crash leaves (a multipart upload in progress, a temp
 * object) `sweepTemp` removes. Resumable (tus) uploads live under `<prefix>/uploads/`.
 */
export class S3BlobStore implements BlobStore {
  readonly resumable: S3ResumableUploads;
  private readonly partSize: number;

  constructor(
    readonly objects: S3Objects,
    private readonly options: S3BlobStoreOptions = {},
  ) {
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
    this.resumable = new S3ResumableUploads(objects, {
      expiryMs: options.uploadExpiryMs ?? 24 * 60 * 60 * 1000,
      partSize: this.partSize,
      blobKey: (sha256) => this.blobKey(sha256),
      blobSize: (sha256) => this.stat(sha256),
    });
  }

  blobKey(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256 hex digest: ${sha256}`);
    return `${S3_LAYOUT.blobs}${sha256}`;
  }

  /**
   * Joins the writers. Alone (no other process holds the writers' lock), every unfinished write is
   * a crash leftover and goes; beside others only those older than `othersOlderThanMs`, and
   * never younger than `othersStaleAfterMs`.
   */
  async open(othersOlderThanMs: number): Promise<{ swept: number; alone: boolean }> {
    const writers = this.options.writers;
    const othersAge = Math.max(othersOlderThanMs, this.options.othersStaleAfterMs ?? 24 * 60 * 60 * 1000);
    if (!writers) return { swept: await this.sweepTemp(othersAge), alone: false };
    let swept = 0;
    const alone = await writers.join(async () => {
      swept = await this.sweepTemp(0);
    });
    if (!alone) swept = await this.sweepTemp(othersAge);
    return { swept, alone };
  }

  close(): void {
    void this.options.writers?.leave().catch(() => undefined);
  }

  /**
   * Removes unfinished plain writes older than `olderThanMs`: multipart uploads in progress under
   * `blobs/` and `tmp/` (aborted) and temp objects (deleted). Resumable uploads are not touched:
   * they resume across restarts and expire on their own.
   */
  async sweepTemp(olderThanMs = 0): Promise<number> {
    const before = Date.now() - olderThanMs;
    let removed = 0;
    for (const prefix of [S3_LAYOUT.blobs, S3_LAYOUT.temp]) {
      for await (const upload of this.objects.multipartUploads(prefix)) {
        if (upload.initiated.getTime() > before) continue;
        await this.objects.abortMultipart(upload.key, upload.uploadId);
        removed++;
      }
    }
    for await (const object of this.objects.list(S3_LAYOUT.temp)) {
      if (object.lastModified.getTime() > before) continue;
      await this.objects.delete(object.key);
      removed++;
    }
    return removed;
  }

  async put(source: Readable, options: PutBlobOptions = {}): Promise<StoredBlob> {
    const expected = options.expectedSha256;
    const hasher = new Sha256PassThrough(options.onBytes);
    const limiter = new ByteLimiter(options.maxBytes ?? Infinity);
    if (expected !== undefined && (await this.stat(expected))) {
      // Already stored: the bytes are still read and checked, but not sent anywhere.
      await pipelineAsync(source, limiter, hasher, new HashCheck(hasher, expected), discard());
      return { sha256: expected as Sha256, size: hasher.result.size, created: false };
    }
    const key = expected !== undefined ? this.blobKey(expected) : `${S3_LAYOUT.temp}${randomBytes(12).toString('hex')}`;
    let failure: Error | undefined;
    const body = pipeline(source, limiter, hasher, new HashCheck(hasher, expected), (error) => {
      failure ??= error ?? undefined;
    });
    const upload = new MultipartUpload({
      client: this.objects.client,
      params: { Bucket: this.objects.location.bucket, Key: this.objects.key(key), Body: body },
      partSize: this.partSize,
      queueSize: this.options.queueSize ?? 4,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // lib-storage aborted the multipart upload; the stream's own error says why, if it failed.
      // If S3 failed instead, stop reading the source.
      const cause = failure ?? s3Failure(error);
      body.destroy();
      throw cause;
    }
    if (failure) throw failure;
    const { sha256, size } = hasher.result;
    if (expected !== undefined) return { sha256: sha256 as Sha256, size, created: true };
    try {
      if (await this.stat(sha256)) return { sha256: sha256 as Sha256, size, created: false };
      await this.objects.copy(key, this.blobKey(sha256), size);
      return { sha256: sha256 as Sha256, size, created: true };
    } finally {
      await this.objects.delete(key);
    }
  }

  async stat(sha256: string): Promise<{ size: bigint } | undefined> {
    const size = await this.objects.size(this.blobKey(sha256));
    return size === undefined ? undefined : { size };
  }

  read(sha256: string, range?: ByteRange): Readable {
    return this.objects.read(this.blobKey(sha256), range);
  }

  async delete(sha256: string): Promise<void> {
    await this.objects.delete(this.blobKey(sha256));
  }

  async check(): Promise<{ kind: string; location: string }> {
    await this.objects.probe();
    const { bucket, prefix } = this.objects.location;
    return { kind: 's3', location: `s3://${bucket}/${prefix}` };
  }

  /** A short-lived URL that serves the blob's bytes straight from the bucket (ranges included). */
  presignedUrl(sha256: string, expiresInSeconds: number): Promise<string> {
    return this.objects.presignedGet(this.blobKey(sha256), expiresInSeconds);
  }
}

/** Fails the stream at its end, before the upload is completed, when the bytes hash otherwise than expected. */
class HashCheck extends Transform {
  constructor(
    private readonly hasher: Sha256PassThrough,
    private readonly expected: string | undefined,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    const actual = this.hasher.result.sha256;
    if (this.expected !== undefined && actual !== this.expected)
      callback(new BlobHashMismatchError(this.expected, actual));
    else callback();
  }
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}
