import type { Sha256 } from '@upstream/api-contract';
import type { Readable } from 'node:stream';
import { DataStore, ERRORS, Upload } from '@tus/server';
import { createHash, type Hash } from 'node:crypto';
import { sha256Stream } from '@upstream/provenance/node';
import { BlobHashMismatchError, type ResumableUploadStorage, type StoredBlob } from '../blob-store';
import { isNotFound, S3_LAYOUT, type S3Objects } from './s3-objects';

/** Upload ids as @tus/server makes them: nothing else names an object under uploads/. */
const UPLOAD_ID = /^[0-9a-zA-Z_-]{1,128}$/;

/**
 * Everything a resumable upload is, kept in the bucket as `uploads/<id>.info` (JSON) so that any
 * replica can continue it: the tus fields, the multipart upload its bytes go to, the parts done,
 * and how many further bytes wait in `uploads/<id>.tail` (less than a part, or what a cut PATCH
 * brought).
 */
interface UploadState {
  upload: {
    id: string;
    size?: number;
    offset: number;
    metadata?: Record<string, string | null>;
    creation_date?: string;
  };
  partSize: number;
  multipartUploadId?: string;
  parts: { PartNumber: number; ETag: string }[];
  tailBytes: number;
  /** Set once the multipart upload is completed into `uploads/<id>` (publishing then only copies). */
  assembled?: boolean;
}

interface S3ResumableOptions {
  expiryMs: number;
  partSize: number;
  blobKey(sha256: string): string;
  blobSize(sha256: string): Promise<{ size: bigint } | undefined>;
}

/**
 * Resumable uploads on S3. Each PATCH's bytes go into the upload's multipart upload in whole
 * parts; what is left over at the end of a PATCH (or when it is cut) waits in a tail object and is
 * sent first with the next PATCH's bytes, since S3 parts (all but the last) must be ≥ 5 MiB. The
 * upload's state object is rewritten after each PATCH; its offset is always bytes in parts plus
 * bytes in the tail, so a PATCH cut anywhere keeps what arrived. At the end the tail becomes the
 * last part, the multipart upload is completed at `uploads/<id>` and copied (server-side) to the
 * blob's key once its hash is known and matches what was declared.
 *
 * The SHA-256 is computed as the bytes arrive, in the process that receives them, as long as
 * the upload's PATCHes keep landing on it in order (the usual case, and a resume on the same
 * replica). When one lands elsewhere, that process has no running hash: the upload is then
 * hashed once, from the bucket, when it is complete. (A SHA-256 state that travels with the
 * upload was tried: hash-wasm's, whose state can be saved, hashed at ~100 MB/s here against
 * ~650 MB/s for Node's, and cost ~10 s of service CPU per GiB.)
 */
export class S3ResumableUploads extends DataStore implements ResumableUploadStorage {
  /** Running hashes of uploads whose PATCHes this process received, in order, up to `offset`. */
  private readonly running = new Map<string, { offset: number; hash: Hash }>();

  constructor(
    private readonly objects: S3Objects,
    private readonly options: S3ResumableOptions,
  ) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'creation-defer-length', 'termination', 'expiration'];
  }

  get datastore(): DataStore {
    return this;
  }

  override async create(upload: Upload): Promise<Upload> {
    await this.writeState({
      upload: {
        id: upload.id,
        size: upload.size,
        offset: 0,
        metadata: upload.metadata,
        creation_date: upload.creation_date,
      },
      partSize: partSizeFor(upload.size, this.options.partSize),
      parts: [],
      tailBytes: 0,
    });
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const state = await this.readState(id);
    return new Upload({
      ...state.upload,
      storage: { type: 's3', path: this.objects.key(`${S3_LAYOUT.uploads}${id}`) },
    });
  }

  override async declareUploadLength(id: string, length: number): Promise<void> {
    const state = await this.readState(id);
    state.upload.size = length;
    await this.writeState(state);
  }

  /** Termination and expiry: the multipart upload is aborted and every object of the upload deleted. */
  override async remove(id: string): Promise<void> {
    this.running.delete(id);
    const state = await this.readState(id);
    if (state.multipartUploadId && !state.assembled)
      await this.objects.abortMultipart(this.dataKey(id), state.multipartUploadId);
    await this.objects.delete(this.dataKey(id));
    await this.objects.delete(this.tailKey(id));
    await this.objects.delete(this.stateKey(id));
  }

  override write(body: Readable, id: string, offset: number): Promise<number> {
    return this.append(id, body, offset);
  }

  override async deleteExpired(): Promise<number> {
    const now = Date.now();
    let removed = 0;
    for await (const object of this.objects.list(S3_LAYOUT.uploads)) {
      if (!object.key.endsWith('.info')) continue;
      const id = object.key.slice(S3_LAYOUT.uploads.length, -'.info'.length);
      const state = await this.readState(id).catch(() => undefined);
      const created = state?.upload.creation_date ? Date.parse(state.upload.creation_date) : undefined;
      if (!state || created === undefined || state.upload.offset === state.upload.size) continue;
      if (now > created + this.getExpiration()) {
        await this.remove(id).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  override getExpiration(): number {
    return this.options.expiryMs;
  }

  /**
   * Appends a PATCH body at `offset`. Whole parts are sent as they fill, one at a time while the
   * next fills (so the body is read no faster than S3 takes it); the rest goes to the tail object
   * and the state is saved, also when the body or a part fails midway (every byte that arrived
   * stays, as on local disk: a part S3 did not take goes back into the tail).
   */
  async append(id: string, body: Readable, offset: number): Promise<number> {
    const state = await this.readState(id);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- @tus/server's errors are { status_code, body } objects
    if (state.upload.offset !== offset) throw ERRORS.INVALID_OFFSET;
    const known = this.running.get(id);
    this.running.delete(id);
    // Hash only when these bytes continue the running hash exactly (or start the upload).
    const hasher = known?.offset === offset ? known.hash : offset === 0 ? createHash('sha256') : undefined;
    const pending: Buffer[] = state.tailBytes > 0 ? [await this.objects.readAll(this.tailKey(id))] : [];
    let pendingBytes = state.tailBytes;
    // One part in flight while the next fills; its bytes are kept until S3 has it, so that a
    // failure puts them back in the tail.
    let inFlight: { bytes: Buffer; sent: Promise<void> } | undefined;
    const settle = async () => {
      if (!inFlight) return;
      await inFlight.sent;
      inFlight = undefined;
    };
    let failure: Error | undefined;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        hasher?.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        while (pendingBytes >= state.partSize) {
          await settle();
          const whole = Buffer.concat(pending);
          const bytes = whole.subarray(0, state.partSize);
          inFlight = { bytes, sent: this.sendPart(state, bytes) };
          inFlight.sent.catch(() => undefined); // awaited by settle()
          pending.length = 0;
          pending.push(whole.subarray(state.partSize));
          pendingBytes -= state.partSize;
        }
      }
    } catch (error) {
      failure = error as Error;
    }
    try {
      await settle();
    } catch (error) {
      failure ??= error as Error;
    }
    if (inFlight) pending.unshift(inFlight.bytes);
    const tail = Buffer.concat(pending);
    if (tail.length > 0) await this.objects.put(this.tailKey(id), tail);
    else if (state.tailBytes > 0) await this.objects.delete(this.tailKey(id));
    state.tailBytes = tail.length;
    state.upload.offset = state.parts.length * state.partSize + state.tailBytes;
    await this.writeState(state);
    // Every byte hashed is now in a part or the tail: the hash covers [0, offset).
    if (hasher) this.running.set(id, { offset: state.upload.offset, hash: hasher });
    if (failure !== undefined) throw failure;
    return state.upload.offset;
  }

  /**
   * Publishes a complete upload under its SHA-256 (hashed while it streamed in, else read once
   * from the bucket). A mismatch with `expectedSha256` removes the upload. The upload's own
   * objects are gone afterwards; its state object stays until `forget`.
   */
  async publish(upload: Upload, expectedSha256?: string): Promise<StoredBlob> {
    const id = upload.id;
    const state = await this.readState(id);
    const size = BigInt(state.upload.offset);
    const known = this.running.get(id);
    this.running.delete(id);
    let sha256 = known?.offset === state.upload.offset ? known.hash.digest('hex') : undefined;
    if (sha256 !== undefined && expectedSha256 && expectedSha256 !== sha256) {
      await this.remove(id);
      throw new BlobHashMismatchError(expectedSha256, sha256);
    }
    // The whole upload as one object: the tail when it never filled a part, else the assembled multipart upload.
    const whole = state.multipartUploadId ? this.dataKey(id) : this.tailKey(id);
    if (state.multipartUploadId && !state.assembled) {
      if (state.tailBytes > 0) await this.sendPart(state, await this.objects.readAll(this.tailKey(id)));
      await this.objects.completeMultipart(this.dataKey(id), state.multipartUploadId, state.parts);
      state.assembled = true;
      state.tailBytes = 0;
      await this.writeState(state);
    }
    const empty = !state.multipartUploadId && state.tailBytes === 0;
    if (sha256 === undefined) {
      sha256 = empty ? createHash('sha256').digest('hex') : (await sha256Stream(this.objects.read(whole))).sha256;
      if (expectedSha256 && expectedSha256 !== sha256) {
        await this.remove(id);
        throw new BlobHashMismatchError(expectedSha256, sha256);
      }
    }
    let created = false;
    if (!(await this.options.blobSize(sha256))) {
      if (empty) await this.objects.put(this.options.blobKey(sha256), Buffer.alloc(0));
      else await this.objects.copy(whole, this.options.blobKey(sha256), size);
      created = true;
    }
    await this.objects.delete(this.dataKey(id));
    await this.objects.delete(this.tailKey(id));
    return { sha256: sha256 as Sha256, size, created };
  }

  async forget(id: string): Promise<void> {
    await this.objects.delete(this.stateKey(id));
  }

  private async sendPart(state: UploadState, bytes: Buffer): Promise<void> {
    const id = state.upload.id;
    // A new multipart upload is recorded before its first part, so that it can always be aborted.
    if (!state.multipartUploadId) {
      state.multipartUploadId = await this.objects.createMultipart(this.dataKey(id));
      await this.writeState(state);
    }
    const partNumber = state.parts.length + 1;
    const part = await this.objects.uploadPart(this.dataKey(id), state.multipartUploadId, partNumber, bytes);
    state.parts.push({ PartNumber: partNumber, ETag: part.ETag ?? '' });
  }

  private async readState(id: string): Promise<UploadState> {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- @tus/server's errors are { status_code, body } objects
    if (!UPLOAD_ID.test(id)) throw ERRORS.FILE_NOT_FOUND;
    try {
      return JSON.parse((await this.objects.readAll(this.stateKey(id))).toString('utf8')) as UploadState;
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- as above
      if (isNotFound(error)) throw ERRORS.FILE_NOT_FOUND;
      throw error;
    }
  }

  private writeState(state: UploadState): Promise<void> {
    return this.objects.put(this.stateKey(state.upload.id), JSON.stringify(state));
  }

  private stateKey(id: string): string {
    return `${S3_LAYOUT.uploads}${id}.info`;
  }
  private tailKey(id: string): string {
    return `${S3_LAYOUT.uploads}${id}.tail`;
  }
  private dataKey(id: string): string {
    return `${S3_LAYOUT.uploads}${id}`;
  }
}

/** Parts of at least `least` bytes, large enough that MAX_FILE_BYTES fits in S3's 10,000 parts. */
function partSizeFor(size: number | undefined, least: number): number {
  const needed = size === undefined ? least : Math.ceil(size / 10_000);
  return Math.max(least, Math.ceil(needed / (1 << 20)) * (1 << 20));
}
