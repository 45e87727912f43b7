import type { Readable } from 'node:stream';

/** A blob as stored: its content address and size. `created` is false when the same bytes were already there. */
export interface StoredBlob {
  sha256: string;
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

/**
 * Content-addressed bytes of uploaded datasets. A blob becomes visible under its
 * SHA-256 only once it is complete, verified and durable; a crash or a refused
 * upload leaves nothing under any hash. `LocalBlobStore` keeps them in a folder;
 * an S3-compatible store can implement the same interface later.
 */
export interface BlobStore {
  /** Streams `source` in, hashing while it flows; never holds the bytes whole in memory. */
  put(source: Readable, options?: PutBlobOptions): Promise<StoredBlob>;
  /**
   * Takes over a complete local file (e.g. a finished resumable upload) whose hash is
   * already known, or hashes it first when `sha256` is omitted. The file is moved, not copied, when possible.
   */
  adoptFile(path: string, sha256?: string): Promise<StoredBlob>;
  /** Size of the blob, or undefined when it is not stored. */
  stat(sha256: string): Promise<{ size: bigint } | undefined>;
  /** Streams the blob's bytes (optionally an inclusive byte range). */
  read(sha256: string, range?: { start: number; end: number }): Readable;
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

export const SHA256_HEX = /^[0-9a-f]{64}$/;
