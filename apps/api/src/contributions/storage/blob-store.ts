import type { Sha256 } from '@upstream/api-contract';
import type { Readable } from 'node:stream';
import type { DataStore, Upload } from '@tus/server';

/**
 * The blob-store port: everything the contributions feature does with uploaded bytes goes
 * through `BlobStore` (injected as BLOB_STORE). `local-disk/` is the default adapter, with the
 * upload path's tuning behind it; `s3/` implements the same interface for S3-compatible object
 * storage; both run the same contract suite (test/integration/blob-store.contract.ts).
 */
export const BLOB_STORE = Symbol('BLOB_STORE');

/** A blob as stored: its content address and size. `created` is false when the same bytes were already there. */
export interface StoredBlob {
  sha256: Sha256;
  size: bigint;
  created: boolean;
}

export interface PutBlobOptions {
  /** Refuse (BlobHashMismatchError) unless the bytes hash to this (64 lowercase hex digits). */
  expectedSha256?: string;
  /** Refuse (BlobTooLargeError) as soon as more bytes than this arrive. */
  maxBytes?: number;
  /** Called as bytes arrive (for progress or rate accounting). */
  onBytes?: (bytesSoFar: bigint) => void;
}

/** An inclusive byte range, as HTTP `Range: bytes=start-end` names it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Content-addressed bytes of uploaded datasets. A blob becomes visible under its SHA-256
 * only once it is complete, verified and durable; a crash or a refused upload leaves nothing
 * under any hash, at most a temp object that `sweepTemp` (and `open`) remove.
 */
export interface BlobStore {
  /**
   * Joins the processes writing to the store and removes what crashed writers left behind:
   * all of it when no other writer is alive, else only temp objects older than `othersOlderThanMs`.
   */
  open(othersOlderThanMs: number): Promise<{ swept: number }>;
  /** Leaves the writers (at shutdown). */
  close(): void;
  /** Streams `source` in, hashing while it flows; never holds the bytes whole in memory. */
  put(source: Readable, options?: PutBlobOptions): Promise<StoredBlob>;
  /** Size of the blob, or undefined when it is not stored (the existence check). */
  stat(sha256: string): Promise<{ size: bigint } | undefined>;
  /** Streams the blob's bytes (optionally an inclusive byte range); a missing blob fails the stream. */
  read(sha256: string, range?: ByteRange): Readable;
  /**
   * Removes the blob's bytes, durably; a blob that is not stored is no error (deleting twice is
   * fine). Only the orphan-blob collector calls it, for blobs whose `blobs` row it has deleted.
   */
  delete(sha256: string): Promise<void>;
  /** Removes temp objects (unfinished writes) older than `olderThanMs`; answers how many. */
  sweepTemp(olderThanMs?: number): Promise<number>;
  /** Where resumable (tus) uploads keep their bytes until they are complete. */
  readonly resumable: ResumableUploadStorage;
  /**
   * A URL that serves the blob's bytes (ranges included) without the API, valid for
   * `expiresInSeconds`; stores that cannot hand one out (local disk) leave it undefined.
   */
  presignedUrl?(sha256: string, expiresInSeconds: number): Promise<string>;
  /** For /health: resolves when a store on another machine (S3) answers, throws saying why not. */
  check?(): Promise<{ kind: string; location: string }>;
}

/**
 * The tus seam. @tus/server does creation, HEAD, termination and expiry on `datastore`; our
 * PATCH handler (uploads/tus-uploads.service.ts, the protocol rules and the upload lock) moves
 * the bytes with `append` and, after the last byte, calls `publish` then `forget`. An S3 adapter
 * gives a multipart-backed DataStore here and publishes by copying the finished object to its hash.
 */
export interface ResumableUploadStorage {
  /** The @tus/server DataStore for the uploads' metadata, offsets, termination and expiry. */
  readonly datastore: DataStore;
  /** Appends a PATCH body at `offset` (where the upload stands); answers the new offset. Bytes written before a failure stay. */
  append(id: string, body: Readable, offset: number): Promise<number>;
  /**
   * Publishes a complete upload under its SHA-256 (hashed while it streamed in order, else read
   * once). When it does not hash to `expectedSha256` the upload is removed and BlobHashMismatchError thrown.
   */
  publish(upload: Upload, expectedSha256?: string): Promise<StoredBlob>;
  /** Drops a published upload's tus metadata (its bytes now belong to the blob). */
  forget(id: string): Promise<void>;
}

export class BlobTooLargeError extends Error {
  override readonly name = 'BlobTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the upload exceeds the limit of ${maxBytes} bytes`);
  }
}

export class BlobHashMismatchError extends Error {
  override readonly name = 'BlobHashMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the bytes hash to ${actual}, not the expected ${expected}`);
  }
}

/**
 * The store cannot be reached or failed on its side (an object store's 5xx, a refused connection):
 * the request gets 503 BLOB_STORE_UNAVAILABLE with Retry-After, not a 500.
 */
export class BlobStoreUnavailableError extends Error {
  override readonly name = 'BlobStoreUnavailableError';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
  }
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
