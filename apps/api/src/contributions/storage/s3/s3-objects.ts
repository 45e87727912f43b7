import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BlobStoreUnavailableError } from '../blob-store';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';

/** Where the S3 store lives: a bucket and a key prefix (no slashes at its ends; '' for the bucket's root). */
export interface S3Location {
  bucket: string;
  prefix: string;
  /** An S3-compatible endpoint (MinIO, R2, s3rver…); unset: AWS, found by the SDK's region chain. */
  endpoint?: string;
}

/** Folders under the prefix: published blobs, unfinished plain writes, resumable uploads. */
export const S3_LAYOUT = { blobs: 'blobs/', temp: 'tmp/', uploads: 'uploads/' } as const;

/** S3 refuses CopyObject above 5 GiB: a bigger object is copied part by part (UploadPartCopy). */
const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;

/**
 * A client for AWS or any S3-compatible server. Credentials come from the standard AWS chain
 * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, instance roles…). With an
 * endpoint, keys are path-style (bucket in the path: MinIO, s3rver and most self-hosted servers
 * need it) and the region defaults to us-east-1 when none is configured. Checksums are sent and
 * checked only where S3 requires them: newer SDKs add CRC32 checksums by default, which several
 * S3-compatible servers refuse; the store verifies every byte with SHA-256 itself.
 */
export function makeS3Client(
  location: S3Location,
  credentials?: { accessKeyId: string; secretAccessKey: string },
): S3Client {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return new S3Client({
    ...(location.endpoint ? { endpoint: location.endpoint, forcePathStyle: true, region: region ?? 'us-east-1' } : {}),
    ...(credentials ? { credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const SERVER_SIDE = new Set(['ServiceUnavailable', 'SlowDown', 'InternalError', 'TimeoutError', 'RequestTimeout']);

/**
 * An S3 error as the API should see it: the server unreachable or failing on its side (5xx,
 * throttling, timeouts) becomes BlobStoreUnavailableError (503 with Retry-After); anything else
 * (a missing object, refused credentials, a bug) stays as it is.
 */
export function s3Failure(error: unknown): unknown {
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (typeof e !== 'object' || e === null || e.name === 'BlobStoreUnavailableError') return error;
  const status = e.$metadata?.httpStatusCode;
  if (
    (e.code !== undefined && UNREACHABLE.has(e.code)) ||
    SERVER_SIDE.has(e.name ?? '') ||
    (status !== undefined && status >= 500)
  ) {
    return new BlobStoreUnavailableError(`S3 ${e.code ?? e.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}`, {
      cause: error,
    });
  }
  return error;
}

/** Whether an S3 error means "no such object / upload". */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e?.name === 'NotFound' ||
    e?.name === 'NoSuchKey' ||
    e?.name === 'NoSuchUpload' ||
    e?.$metadata?.httpStatusCode === 404
  );
}

/**
 * The object operations the S3 store and its resumable uploads need, on one bucket, with keys
 * relative to the prefix. Nothing here knows about blobs or tus.
 */
export class S3Objects {
  constructor(
    readonly client: S3Client,
    readonly location: S3Location,
  ) {}

  key(relative: string): string {
    return this.location.prefix === '' ? relative : `${this.location.prefix}/${relative}`;
  }

  /** The client's send, with "the store cannot be reached" told apart (BlobStoreUnavailableError). */
  private readonly send = ((command: never, options?: never) =>
    this.client.send(command, options).catch((error: unknown) => {
      throw s3Failure(error);
    })) as S3Client['send'];

  private get bucket(): string {
    return this.location.bucket;
  }

  async size(key: string): Promise<bigint | undefined> {
    try {
      const head = await this.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return BigInt(head.ContentLength ?? 0);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * The object's bytes (an inclusive range, or all), as a stream returned at once: the request is
   * made when it is, and a missing object fails the stream. Destroying the stream cancels the request.
   */
  read(key: string, range?: { start: number; end: number }): Readable {
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    const cancel = new AbortController();
    out.once('close', () => cancel.abort());
    this.client
      .send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.key(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
        { abortSignal: cancel.signal },
      )
      .then((object) => {
        const body = object.Body as Readable | undefined;
        if (!body) return out.end();
        body.once('error', (error) => out.destroy(error));
        out.once('close', () => body.destroy());
        // Never more than the range asked for, whatever the server sends (s3rver 3.7 reads
        // `bytes=0-0` as the whole object).
        if (range) body.pipe(new FirstBytes(range.end - range.start + 1)).pipe(out);
        else body.pipe(out);
      })
      .catch((error: unknown) => out.destroy(error as Error));
    return out;
  }

  async readAll(key: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of this.read(key)) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    await this.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: body }));
  }

  /** Deletes an object; one that is not there is no error. */
  async delete(key: string): Promise<void> {
    try {
      await this.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Copies within the bucket: one CopyObject up to 5 GiB, else a multipart copy (UploadPartCopy). */
  async copy(from: string, to: string, size: bigint): Promise<void> {
    const source = `${this.bucket}/${this.key(from).split('/').map(encodeURIComponent).join('/')}`;
    if (size <= BigInt(MAX_SINGLE_COPY_BYTES)) {
      await this.send(new CopyObjectCommand({ Bucket: this.bucket, Key: this.key(to), CopySource: source }));
      return;
    }
    const total = Number(size);
    const partSize = Math.max(512 * 1024 ** 2, Math.ceil(total / MAX_PARTS));
    const uploadId = await this.createMultipart(to);
    try {
      const parts: CompletedPart[] = [];
      for (let start = 0, n = 1; start < total; start += partSize, n++) {
        const end = Math.min(total, start + partSize) - 1;
        const part = await this.send(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: this.key(to),
            UploadId: uploadId,
            PartNumber: n,
            CopySource: source,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        );
        parts.push({ PartNumber: n, ETag: part.CopyPartResult?.ETag });
      }
      await this.completeMultipart(to, uploadId, parts);
    } catch (error) {
      await this.abortMultipart(to, uploadId).catch(() => undefined);
      throw error;
    }
  }

  async createMultipart(key: string): Promise<string> {
    const created = await this.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        ContentType: 'application/octet-stream',
      }),
    );
    if (!created.UploadId) throw new Error(`S3 gave no UploadId for ${this.key(key)}`);
    return created.UploadId;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<CompletedPart> {
    const part = await this.send(
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: body.length,
      }),
    );
    return { PartNumber: partNumber, ETag: part.ETag };
  }

  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[]): Promise<void> {
    await this.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  }

  /** Aborts a multipart upload: its parts are dropped and nothing appears. One already gone is no error. */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key(key), UploadId: uploadId }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** One listing of at most one key under the prefix: the bucket exists, and answers these credentials. */
  async probe(): Promise<void> {
    await this.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key(''), MaxKeys: 1 }));
  }

  /** Objects under a relative prefix: key (relative) and when it was last written. */
  async *list(prefix: string): AsyncGenerator<{ key: string; lastModified: Date }> {
    let token: string | undefined;
    do {
      const page = await this.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key(prefix), ContinuationToken: token }),
      );
      for (const object of page.Contents ?? [])
        if (object.Key) yield { key: this.relative(object.Key), lastModified: object.LastModified ?? new Date(0) };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Multipart uploads in progress under a relative prefix: key (relative), upload id, when it began. */
  async *multipartUploads(prefix: string): AsyncGenerator<{ key: string; uploadId: string; initiated: Date }> {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: this.key(prefix),
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const upload of page.Uploads ?? [])
        if (upload.Key && upload.UploadId)
          yield {
            key: this.relative(upload.Key),
            uploadId: upload.UploadId,
            initiated: upload.Initiated ?? new Date(0),
          };
      if (!page.IsTruncated) return;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  /** A GET URL for the object, signed with the store's credentials, valid for `expiresInSeconds`. */
  presignedGet(key: string, expiresInSeconds: number, fileName?: string): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        ResponseContentType: 'application/octet-stream',
        ...(fileName ? { ResponseContentDisposition: `attachment; filename="${fileName}"` } : {}),
      }),
      { expiresIn: expiresInSeconds },
    );
  }

  private relative(fullKey: string): string {
    return this.location.prefix === '' ? fullKey : fullKey.slice(this.location.prefix.length + 1);
  }
}

/** Passes the first `count` bytes and drops the rest. */
class FirstBytes extends Transform {
  constructor(private left: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.left <= 0) return callback();
    const part = chunk.length <= this.left ? chunk : chunk.subarray(0, this.left);
    this.left -= part.length;
    callback(null, part);
  }
}
