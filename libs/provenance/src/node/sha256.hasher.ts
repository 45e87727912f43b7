import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';

export interface Sha256Result {
  /** Lowercase hex, no 0x: what `sha256sum` prints. */
  sha256: string;
  size: bigint;
}

/**
 * A pass-through stream that hashes the bytes flowing through it, so an upload can be
 * piped into a blob store and hashed in the same pass. Read `result` after 'finish'
 * (or await `done`).
 */
export class Sha256PassThrough extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0n;
  private final: Sha256Result | undefined;
  private readonly settled: Promise<Sha256Result>;

  constructor(private readonly onBytes?: (bytesSoFar: bigint) => void) {
    super();
    this.settled = new Promise((resolve, reject) => {
      this.once('finish', () => resolve(this.result));
      this.once('error', reject);
    });
    this.settled.catch(() => undefined); // the error is also reported on the stream itself
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += BigInt(chunk.length);
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  /** Digest and byte count; only valid once the writable side has finished. */
  get result(): Sha256Result {
    this.final ??= { sha256: this.hash.digest('hex'), size: this.bytes };
    return this.final;
  }

  /** Resolves with the digest when the stream finishes, rejects if it errors. */
  get done(): Promise<Sha256Result> {
    return this.settled;
  }
}

/** Hashes any byte stream (Node Readable, web stream, async generator) chunk by chunk. */
export async function sha256Stream(
  source: AsyncIterable<Uint8Array | string>,
  onBytes?: (bytesSoFar: bigint) => void,
): Promise<Sha256Result> {
  const hash = createHash('sha256');
  let size = 0n;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(bytes);
    size += BigInt(bytes.length);
    onBytes?.(size);
  }
  return { sha256: hash.digest('hex'), size };
}

/** Streams a file from disk in 1 MiB reads: constant memory whatever its size. */
export function sha256File(path: string, onBytes?: (bytesSoFar: bigint) => void): Promise<Sha256Result> {
  return sha256Stream(createReadStream(path, { highWaterMark: 1 << 20 }), onBytes);
}
