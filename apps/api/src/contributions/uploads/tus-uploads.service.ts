import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ERRORS, Metadata, Server, TUS_RESUMABLE, type Upload } from '@tus/server';
import type { Request, Response } from 'express';
import { normaliseAddress, normaliseSha256, type Address, type Sha256 } from '@upstream/api-contract';
import { quotaExceeded } from '../../access/access.errors';
import type { Principal } from '../../access/principal';
import { DomainError, isDomainError } from '../../common/errors/domain-error';
import { domainErrorBody, internalErrorBody } from '../../common/errors/api-exception.filter';
import { CORS_EXPOSED_HEADERS } from '../../common/http/cors-policy';
import { dependencyFailure, dependencyUnavailableError } from '../../common/dependencies/dependency-failure';
import { RUNTIME, type Runtime } from '../../runtime/runtime';
import { BlobsService } from '../blobs/blobs.service';
import { contributionError, fieldError, fileTooLarge } from '../contributions.errors';
import {
  BLOB_STORE,
  BlobHashMismatchError,
  BlobTooLargeError,
  type BlobStore,
  type ResumableUploadStorage,
  type StoredBlob,
} from '../storage/blob-store';
import { ByteLimiter } from '../storage/byte-limiter';
import { UploadCompletionsRepository, type UploadCompletion } from './upload-completions.repository';
import { UploadLocksRepository } from './upload-locks.repository';

/** Upload ids as @tus/server makes them (random hex); nothing else names a file under the uploads folder. */
const UPLOAD_ID = /^[0-9a-zA-Z_-]{1,128}$/;

type TusError = { status_code: number; body: string };
/** How long a finished upload's completion (offset and digest) stays answerable: as long as an unfinished one lives. */
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;
/** How often expired unfinished uploads and expired completion records are removed. */
const CLEAN_UP_EVERY_MS = 60 * 60 * 1000;

/**
 * Resumable uploads (tus 1.0: core, creation, creation-with-upload, creation-defer-length,
 * termination, expiration; `X-HTTP-Method-Override` honoured) under /uploads. Chunks land in
 * the blob store's resumable storage (the port's `resumable` seam; `<DATA_DIR>/uploads` on local
 * disk); when the last byte arrives the upload is hashed (in the same pass when it streamed in
 * order), checked against the `sha256` metadata if the client sent one, and published in the
 * blob store under its hash. The answer that completes an upload (204 to a PATCH, 201 to a POST
 * with creation-with-upload) carries `Upload-Offset` and `Upload-Sha256`. The completion is kept
 * in PostgreSQL (`upload_completions`) for UPLOAD_EXPIRY_MS: HEAD keeps answering the final
 * offset and digest, so a client that lost the last answer learns the upload is done.
 *
 * @tus/server answers POST, HEAD, DELETE and OPTIONS. PATCH, which carries the bytes, is
 * handled by `patch()` below with the same rules and the same lock: @tus/server 2 turns each
 * request body into a web stream and back, which on a 2 GiB upload cost ~2.5× the service's
 * CPU and kept V8 in back-to-back mark-compacts (~300 MB/s, peak RSS > 200 MiB, against
 * ~550 MB/s and ~160 MiB when the request streams straight into the store). The protocol rules
 * stay here, the same for every adapter; how the bytes are written is the adapter's `append`.
 */
@Injectable()
export class TusUploadsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Uploads');
  private readonly store: ResumableUploadStorage;
  private readonly server: Server;
  /** The caller of the request @tus/server is handling, for its hooks (which see only a web Request). */
  private readonly caller = new AsyncLocalStorage<Principal>();
  private cleanUpTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(BLOB_STORE) blobStore: BlobStore,
    private readonly blobs: BlobsService,
    private readonly completions: UploadCompletionsRepository,
    private readonly locker: UploadLocksRepository,
  ) {
    this.store = blobStore.resumable;
    const maxFileBytes = runtime.config.maxFileBytes;
    const options: ConstructorParameters<typeof Server>[0] = {
      path: '/uploads',
      datastore: this.store.datastore,
      locker: this.locker,
      relativeLocation: true,
      maxSize: maxFileBytes,
      // The API's one CORS policy (common/http/cors-policy.ts), which also answers the preflights:
      // @tus/server replaces the exposed list on its responses, so it gets the same one.
      exposedHeaders: [...CORS_EXPOSED_HEADERS],
      // Uploads take credentials: only CORS_ORIGINS, never `*` (@tus/server's default). The policy
      // grants credentials to listed origins only; @tus/server's flag would grant them to any.
      allowedOrigins: (origin) => runtime.config.corsOrigins.some((o) => o.toLowerCase() === origin.toLowerCase()),
      onUploadCreate: async (_req, upload) => {
        if (upload.metadata?.sha256 != null && metadataSha256(upload) === undefined) {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- @tus/server hooks refuse with a { status_code, body } object
          throw tusError(
            fieldError('VALIDATION_FAILED', 'Upload-Metadata sha256', 'must be 64 hex digits (a SHA-256)'),
          );
        }
        const caller = this.caller.getStore();
        if (!caller) throw new Error('a tus upload was created outside a signed-in request');
        if (upload.size !== undefined) {
          const { used, left } = await this.blobs.quotaOf(caller.account);
          if (BigInt(upload.size) > left)
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- as above
            throw tusError(quotaExceeded(used, this.runtime.config.uploadQuotaBytes, 'Upload-Length'));
        }
        // The upload belongs to the account that opened it; whatever `owner` the client sent is replaced.
        return { metadata: { ...upload.metadata, owner: caller.account } };
      },
      // A POST that carries every byte (creation-with-upload) finishes the upload: 201 with Location
      // and Upload-Offset (added by @tus/server) and the digest.
      onUploadFinish: async (_req, upload) => {
        try {
          const completion = await this.complete(upload);
          await this.store.forget(upload.id);
          // A finished upload no longer expires: without a creation date @tus/server neither adds
          // Upload-Expires nor re-reads the upload (whose bytes are the blob's by now) to decide.
          upload.creation_date = undefined;
          return { headers: { 'Upload-Sha256': completion.sha256 } };
        } catch (error) {
          throw isDomainError(error) ? tusError(error) : error;
        }
      },
      onResponseError: (_req, error) => {
        // Our hooks' refusals are already in the one error shape; @tus/server's own ones are plain text.
        if (isApiErrorBody(error)) return undefined;
        const unavailable = dependencyFailure(error);
        if (unavailable?.dependency === 'blobStore') return tusError(dependencyUnavailableError(unavailable));
        const status = 'status_code' in error ? error.status_code : 500;
        if (status === 413) return tusError(fileTooLarge(maxFileBytes, 'Upload-Length'));
        const refusal = 'body' in error && typeof error.body === 'string' ? tusRefusal(error.body) : undefined;
        if (refusal) return tusError(refusal);
        const errorId = randomUUID();
        this.logger.error({ err: error, errorId }, 'resumable upload failed');
        return { status_code: 500, body: JSON.stringify(internalErrorBody(errorId)) };
      },
    };
    this.server = new Server(options);
  }

  get maxFileBytes(): number {
    return this.runtime.config.maxFileBytes;
  }

  onModuleInit(): void {
    // Unfinished uploads past their Upload-Expires are dropped (their temp files go too), and
    // completions past theirs: now, and every CLEAN_UP_EVERY_MS while the service runs.
    const cleanUp = () => {
      void this.server.cleanUpExpiredUploads().catch(() => undefined);
      void this.completions.purgeExpired(10_000).catch(() => undefined);
    };
    cleanUp();
    this.cleanUpTimer = setInterval(cleanUp, CLEAN_UP_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.cleanUpTimer);
  }

  /**
   * POST and OPTIONS on /uploads: @tus/server, the caller at hand for its hooks. The protocol
   * checks @tus/server answers in plain text without asking `onResponseError` (the Tus-Resumable
   * version, malformed tus headers, a method it lacks) are made here first, so that every refusal
   * comes in the one error shape.
   */
  handle(req: http.IncomingMessage, res: http.ServerResponse, caller: Principal | undefined): Promise<void> {
    res.setHeader('Tus-Resumable', TUS_RESUMABLE);
    if (req.method !== 'OPTIONS') checkTusRequest(req, res);
    labelRefusalsAsJson(res);
    return caller ? this.caller.run(caller, () => this.server.handle(req, res)) : this.server.handle(req, res);
  }

  /**
   * HEAD and DELETE on /uploads/:id: @tus/server, for the upload's owner only. Anyone else gets the
   * 404 of an upload that does not exist, so an upload id is no bearer token. A finished upload is
   * answered from its completion record: HEAD gives its final offset and digest, DELETE forgets it
   * (the blob stays: it is content-addressed and held by the account).
   */
  async handleOwn(
    id: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    caller: Principal | undefined,
  ): Promise<void> {
    if (req.method !== 'OPTIONS') {
      const upload = UPLOAD_ID.test(id) ? await this.store.datastore.getUpload(id).catch(() => undefined) : undefined;
      res.setHeader('Tus-Resumable', TUS_RESUMABLE);
      if (!upload && caller && UPLOAD_ID.test(id) && (req.method === 'HEAD' || req.method === 'DELETE')) {
        const completion = await this.completions.find(id);
        if (completion?.account === caller.account) {
          checkTusRequest(req, res);
          return this.answerCompleted(id, completion, req, res);
        }
      }
      if (!upload || !caller || uploadOwner(upload) !== caller.account)
        throw fieldError('UPLOAD_NOT_FOUND', 'id', `no upload ${id}`);
    }
    return this.handle(req, res, caller);
  }

  /** HEAD or DELETE on a finished upload, from its completion record. */
  private async answerCompleted(
    id: string,
    completion: UploadCompletion,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    if (req.method === 'DELETE') {
      if (!(await this.completions.delete(id))) throw fieldError('UPLOAD_NOT_FOUND', 'id', `no upload ${id}`);
      res.writeHead(204).end();
      return;
    }
    res
      .writeHead(200, {
        'Cache-Control': 'no-store',
        'Upload-Offset': String(completion.size),
        'Upload-Length': String(completion.size),
        'Upload-Sha256': completion.sha256,
      })
      .end();
  }

  /**
   * PATCH /uploads/:id: appends the body at `Upload-Offset`, which must be where the upload
   * stands (409 otherwise, with the server's offset). Holds the upload's lock while it
   * writes; when another request asks for the lock (a HEAD, a DELETE, a newer PATCH after a
   * dropped connection) it stops taking bytes and answers with what it has. Every PATCH that
   * succeeds answers 204 with `Upload-Offset`; the one that brings the last byte finishes the upload
   * and adds `Upload-Sha256`. A finished upload, PATCHed again (a client that lost that answer),
   * answers the same when the PATCH adds nothing, else 409 with the final offset.
   */
  async patch(id: string, req: Request, res: Response, caller: Principal): Promise<void> {
    res.setHeader('Tus-Resumable', TUS_RESUMABLE);
    if (req.headers['tus-resumable'] !== TUS_RESUMABLE) {
      res.setHeader('Tus-Version', TUS_RESUMABLE);
      throw fieldError('TUS_VERSION_UNSUPPORTED', 'Tus-Resumable', `must be ${TUS_RESUMABLE}`);
    }
    if (req.headers['content-type'] !== 'application/offset+octet-stream') {
      throw fieldError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type', 'must be application/offset+octet-stream');
    }
    const offset = headerInteger(req, 'Upload-Offset', true);
    const length = headerInteger(req, 'Upload-Length', false);
    const contentLength = headerInteger(req, 'Content-Length', false);

    if (!UPLOAD_ID.test(id)) throw fieldError('UPLOAD_NOT_FOUND', 'id', `no upload ${id}`);
    // The owner check comes before the lock: asking for the lock stops the owner's PATCH in flight.
    const existing = await this.store.datastore.getUpload(id).catch(() => undefined);
    if (!existing) {
      const completion = await this.completions.find(id);
      if (completion?.account !== caller.account) throw fieldError('UPLOAD_NOT_FOUND', 'id', `no upload ${id}`);
      return this.answerCompletedPatch(completion, offset, contentLength, res);
    }
    if (uploadOwner(existing) !== caller.account) throw fieldError('UPLOAD_NOT_FOUND', 'id', `no upload ${id}`);
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const released = new AbortController();
    const lock = this.locker.newLock(id);
    await lock.lock(gone.signal, () => released.abort());
    try {
      const upload = await this.store.datastore.getUpload(id).catch((error: TusError | Error) => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- @tus/server's errors are { status_code, body } objects
        throw 'status_code' in error && error.status_code === 404
          ? fieldError('UPLOAD_NOT_FOUND', 'id', `no upload ${id}`)
          : error;
      });
      if (uploadOwner(upload) !== caller.account) throw fieldError('UPLOAD_NOT_FOUND', 'id', `no upload ${id}`);
      const expiresAt = upload.creation_date
        ? new Date(upload.creation_date).getTime() + this.store.datastore.getExpiration()
        : undefined;
      if (expiresAt !== undefined && Date.now() > expiresAt)
        throw fieldError('UPLOAD_EXPIRED', 'id', `upload ${id} expired at ${new Date(expiresAt).toISOString()}`);
      if (upload.offset !== offset) {
        throw fieldError(
          'UPLOAD_OFFSET_MISMATCH',
          'Upload-Offset',
          `is ${offset}, but the upload stands at ${upload.offset}`,
          { offset: upload.offset },
        );
      }
      if (length !== undefined) await this.declareLength(upload, length, caller);

      const room = (upload.size ?? this.maxFileBytes) - offset;
      if (contentLength !== undefined && contentLength > room) throw this.overflow(upload, room);
      try {
        upload.offset = await this.store.append(id, requestBody(req, room, released.signal), offset);
      } catch (error) {
        if (gone.signal.aborted || req.socket.destroyed) return; // the client went away mid-body: its bytes so far stay, nobody to answer
        throw error instanceof BlobTooLargeError ? this.overflow(upload, room) : error;
      }

      if (upload.offset === upload.size) {
        const completion = await this.complete(upload);
        await this.store.forget(upload.id);
        res.setHeader('Upload-Sha256', completion.sha256);
      } else if (expiresAt !== undefined) res.setHeader('Upload-Expires', new Date(expiresAt).toUTCString());
      res.setHeader('Upload-Offset', String(upload.offset));
      res.status(204).end();
    } finally {
      await lock.unlock();
    }
  }

  /** A PATCH to an upload that has finished: nothing more to add (204, as the last PATCH answered) or 409. */
  private answerCompletedPatch(
    completion: UploadCompletion,
    offset: number,
    contentLength: number | undefined,
    res: Response,
  ): void {
    if (offset !== completion.size || (contentLength ?? 0) > 0) {
      throw fieldError(
        'UPLOAD_OFFSET_MISMATCH',
        'Upload-Offset',
        `is ${offset}, but the upload is complete at ${completion.size}`,
        { offset: completion.size },
      );
    }
    res.setHeader('Upload-Offset', String(completion.size));
    res.setHeader('Upload-Sha256', completion.sha256);
    res.status(204).end();
  }

  /**
   * creation-defer-length: the length is named once, by a PATCH, not below what has arrived, and
   * within the caller's quota (checked at creation for uploads whose length is known then).
   */
  private async declareLength(upload: Upload, length: number, caller: Principal): Promise<void> {
    if (upload.size !== undefined)
      throw fieldError('VALIDATION_FAILED', 'Upload-Length', `is already set (${upload.size} bytes)`);
    if (length < upload.offset)
      throw fieldError(
        'VALIDATION_FAILED',
        'Upload-Length',
        `is less than the ${upload.offset} bytes already received`,
      );
    if (length > this.maxFileBytes) throw fileTooLarge(this.maxFileBytes, 'Upload-Length');
    const { used, left } = await this.blobs.quotaOf(caller.account);
    if (BigInt(length) > left) throw quotaExceeded(used, this.runtime.config.uploadQuotaBytes, 'Upload-Length');
    await this.store.datastore.declareUploadLength(upload.id, length);
    upload.size = length;
  }

  private overflow(upload: Upload, room: number): DomainError {
    return upload.size === undefined
      ? fileTooLarge(this.maxFileBytes)
      : fieldError(
          'FILE_TOO_LARGE',
          'body',
          `is longer than the ${room} bytes left of Upload-Length (${upload.size})`,
          { limit: 'Upload-Length' },
        );
  }

  /**
   * Publishes a complete upload under its hash and records its completion; the caller then drops
   * the upload's tus record.
   */
  private async complete(upload: Upload): Promise<UploadCompletion> {
    const expected = metadataSha256(upload);
    const owner = uploadOwner(upload);
    if (!owner) throw new Error(`upload ${upload.id} has no owner`);
    let stored: StoredBlob;
    try {
      // The completion commits with the blob's holder record: a crash leaves both or neither.
      stored = await this.blobs.publishUpload(upload, owner, expected, (blob, tx) =>
        this.completions.in(tx).record(upload.id, owner, blob.sha256, Number(blob.size), UPLOAD_EXPIRY_MS),
      );
    } catch (error) {
      if (!(error instanceof BlobHashMismatchError)) throw error;
      throw fieldError('BLOB_HASH_MISMATCH', 'Upload-Metadata sha256', `the uploaded bytes hash to ${error.actual}`, {
        actual: error.actual,
      });
    }
    return {
      account: owner,
      sha256: stored.sha256,
      size: Number(stored.size),
      expiresAt: new Date(Date.now() + UPLOAD_EXPIRY_MS),
    };
  }
}

/** The methods a POST may stand for on /uploads/:id through `X-HTTP-Method-Override`. */
const OVERRIDABLE_METHODS = new Set(['PATCH', 'HEAD', 'DELETE']);

/**
 * tus 1.0: a POST carrying `X-HTTP-Method-Override` is handled as the method it names (for
 * clients behind proxies that drop PATCH or DELETE); only the tus methods of an upload's URL.
 */
export function applyMethodOverride(req: http.IncomingMessage): void {
  const override = req.method === 'POST' ? req.headers['x-http-method-override'] : undefined;
  if (override === undefined) return;
  const method = typeof override === 'string' ? override.trim().toUpperCase() : '';
  if (!OVERRIDABLE_METHODS.has(method))
    throw fieldError('VALIDATION_FAILED', 'X-HTTP-Method-Override', 'must be PATCH, HEAD or DELETE');
  req.method = method;
}

/**
 * The request's bytes, at most `room` of them (BlobTooLargeError past it). When `released` fires
 * (another request wants the upload's lock) it ends after the bytes read so far; a client that
 * closes the connection mid-body makes it fail.
 */
function requestBody(req: Request, room: number, released: AbortSignal): ByteLimiter {
  const body = new ByteLimiter(room);
  let stopped = false;
  released.addEventListener(
    'abort',
    () => {
      stopped = true;
      req.unpipe(body);
      body.end();
    },
    { once: true },
  );
  req.once('error', (error) => body.destroy(error));
  req.once('close', () => req.complete || stopped || body.destroy(new Error('the client closed the connection')));
  return req.pipe(body);
}

/** A tus header holding a non-negative integer; `required` ones refuse when absent. */
function headerInteger(req: Request, name: string, required: true): number;
function headerInteger(req: Request, name: string, required: false): number | undefined;
function headerInteger(req: Request, name: string, required: boolean): number | undefined {
  const value = req.headers[name.toLowerCase()];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw contributionError('VALIDATION_FAILED', `${name}: must be a non-negative integer`, [
      { field: name, reason: 'must be a non-negative integer' },
    ]);
  }
  return Number(value);
}

const TUS_METHODS = new Set(['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS']);
const NON_NEGATIVE_INTEGER = /^(0|[1-9]\d{0,15})$/;

/** The tus headers @tus/server validates (refusing in plain text), checked the same way beforehand. */
const TUS_HEADER_RULES: Record<string, [valid: (value: string) => boolean, reason: string]> = {
  'Upload-Length': [(v) => NON_NEGATIVE_INTEGER.test(v), 'must be a non-negative integer'],
  'Upload-Offset': [(v) => NON_NEGATIVE_INTEGER.test(v), 'must be a non-negative integer'],
  'Upload-Defer-Length': [(v) => v === '1', 'must be 1'],
  'Upload-Metadata': [
    (v) => {
      try {
        Metadata.parse(v);
        return true;
      } catch {
        return false;
      }
    },
    'must be comma-separated `key base64-value` pairs with unique keys',
  ],
  'Upload-Concat': [() => false, 'is not supported (no concatenation of uploads)'],
  'X-Forwarded-Proto': [(v) => v === 'http' || v === 'https', 'must be http or https'],
};

/** Refuses, in the one error shape, what @tus/server would refuse in plain text before its handlers run. */
function checkTusRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.headers['tus-resumable'] !== TUS_RESUMABLE) {
    res.setHeader('Tus-Version', TUS_RESUMABLE);
    throw fieldError('TUS_VERSION_UNSUPPORTED', 'Tus-Resumable', `must be ${TUS_RESUMABLE}`);
  }
  for (const [name, [valid, reason]] of Object.entries(TUS_HEADER_RULES)) {
    const value = req.headers[name.toLowerCase()];
    if (value !== undefined && (typeof value !== 'string' || !valid(value)))
      throw fieldError('VALIDATION_FAILED', name, reason);
  }
  if (!TUS_METHODS.has(req.method ?? ''))
    throw fieldError('UPLOAD_NOT_FOUND', 'method', `${req.method ?? '?'} is not a tus request on this path`);
}

/** @tus/server's plain-text refusals (its `ERRORS`) as domain errors naming the header or part at fault. */
function tusRefusal(body: string): DomainError | undefined {
  switch (body) {
    case ERRORS.FILE_NOT_FOUND.body:
      return fieldError('UPLOAD_NOT_FOUND', 'id', 'no such upload');
    case ERRORS.FILE_NO_LONGER_EXISTS.body:
      return fieldError('UPLOAD_EXPIRED', 'id', 'the upload no longer exists');
    case ERRORS.INVALID_OFFSET.body:
      return fieldError('UPLOAD_OFFSET_MISMATCH', 'Upload-Offset', 'is not where the upload stands');
    case ERRORS.MISSING_OFFSET.body:
      return fieldError('VALIDATION_FAILED', 'Upload-Offset', 'is required');
    case ERRORS.INVALID_CONTENT_TYPE.body:
      return fieldError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type', 'must be application/offset+octet-stream');
    case ERRORS.INVALID_LENGTH.body:
      return fieldError('VALIDATION_FAILED', 'Upload-Length', 'Upload-Length or Upload-Defer-Length is required');
    case ERRORS.INVALID_METADATA.body:
      return fieldError('VALIDATION_FAILED', 'Upload-Metadata', TUS_HEADER_RULES['Upload-Metadata'][1]);
    case ERRORS.INVALID_TERMINATION.body:
      return fieldError('VALIDATION_FAILED', 'id', 'the upload is complete: it cannot be terminated');
    case ERRORS.ABORTED.body:
      return fieldError('VALIDATION_FAILED', 'body', 'another request took over this upload');
    case ERRORS.UNSUPPORTED_CONCATENATION_EXTENSION.body:
      return fieldError('VALIDATION_FAILED', 'Upload-Concat', TUS_HEADER_RULES['Upload-Concat'][1]);
    default:
      return undefined;
  }
}

/**
 * @tus/server writes every response body as text/plain; its refusals are JSON in the one error
 * shape by now (the hooks, `onResponseError`, `checkTusRequest`), so they are labelled as JSON.
 */
function labelRefusalsAsJson(res: http.ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => http.ServerResponse;
  res.writeHead = (status: number, ...rest: unknown[]) => {
    if (status >= 400) {
      const headers = rest.find((part) => Array.isArray(part)) as string[] | undefined;
      for (let i = 0; headers && i < headers.length; i += 2)
        if (headers[i].toLowerCase() === 'content-type') headers[i + 1] = 'application/json; charset=utf-8';
    }
    return writeHead(status, ...rest);
  };
}

/** Whether a @tus/server error is one of our refusals (its body already in the API's error shape). */
function isApiErrorBody(error: object): boolean {
  if (!('body' in error) || typeof error.body !== 'string') return false;
  try {
    return typeof (JSON.parse(error.body) as { error?: unknown }).error === 'string';
  } catch {
    return false;
  }
}

/** A refusal in the API's error shape, as @tus/server's hooks return them. */
function tusError(error: DomainError): TusError {
  const body = domainErrorBody(error);
  return { status_code: body.statusCode, body: JSON.stringify(body) };
}

/** The account that opened an upload (stamped into its metadata at creation). */
function uploadOwner(upload: Upload): Address | undefined {
  return normaliseAddress(upload.metadata?.owner ?? undefined);
}

/** The `sha256` an upload declared in its metadata (0x-prefixed or bare, any case), parsed; undefined if absent or malformed. */
function metadataSha256(upload: Upload): Sha256 | undefined {
  const declared = upload.metadata?.sha256;
  return declared == null ? undefined : normaliseSha256(declared.replace(/^0x/i, ''));
}
