import { Transform, type TransformCallback } from 'node:stream';
import { BlobTooLargeError } from './blob-store';

/** Fails the stream with BlobTooLargeError once more than `maxBytes` have passed. */
export class ByteLimiter extends Transform {
  private seen = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) callback(new BlobTooLargeError(this.maxBytes));
    else callback(null, chunk);
  }
}
