import { join } from 'node:path';
import type http from 'node:http';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Server, type Upload } from '@tus/server';
import { sha256File } from '@upstream/provenance';
import { RUNTIME, type Runtime } from '../../runtime/runtime';
import { BlobsService } from '../blobs/blobs.service';
import { SHA256_HEX } from '../storage/blob-store';
import { HashingFileStore } from './hashing-file-store';

type TusError = { status_code: number; body: string };

/**
 * Resumable uploads (tus 1.0, creation + termination + expiration) under /uploads.
 * Chunks land in `<DATA_DIR>/uploads`; when the last byte arrives the file is hashed
 * (in the same pass when it streamed in order), checked against the `sha256` metadata if
 * the client sent one, and moved into the blob store under its hash. The response of the
 * last PATCH carries `Upload-Sha256`.
 */
@Injectable()
export class TusUploadsService implements OnModuleInit {
  private readonly logger = new Logger('Uploads');
  readonly directory: string;
  private readonly store: HashingFileStore;
  private readonly server: Server;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly blobs: BlobsService,
  ) {
    this.directory = join(runtime.config.dataDir, 'uploads');
    this.store = new HashingFileStore({ directory: this.directory, expirationPeriodInMilliseconds: 24 * 60 * 60 * 1000 });
    const maxFileBytes = runtime.config.maxFileBytes;
    const options: ConstructorParameters<typeof Server>[0] = {
      path: '/uploads',
      datastore: this.store,
      relativeLocation: true,
      maxSize: maxFileBytes,
      exposedHeaders: ['Upload-Sha256'],
      onUploadCreate: async (_req, upload) => {
        const expected = upload.metadata?.sha256;
        if (expected != null && !SHA256_HEX.test(expected.replace(/^0x/i, '').toLowerCase())) {
          throw jsonError(400, 'VALIDATION_FAILED', 'Upload-Metadata sha256', 'must be 64 hex digits (a SHA-256)');
        }
        return {};
      },
      onUploadFinish: async (_req, upload) => this.finish(upload),
      onResponseError: (_req, error) => {
        const status = 'status_code' in error ? error.status_code : 500;
        if (status === 413) {
          return jsonError(413, 'FILE_TOO_LARGE', 'Upload-Length', `exceeds MAX_FILE_BYTES (${maxFileBytes} bytes)`, {
            limit: 'MAX_FILE_BYTES',
            maxBytes: maxFileBytes,
          });
        }
        if (!('status_code' in error)) this.logger.error({ err: error }, 'resumable upload failed');
        return undefined;
      },
    };
    this.server = new Server(options);
  }

  onModuleInit(): void {
    // Unfinished uploads older than a day are dropped (their temp files go too).
    void this.server.cleanUpExpiredUploads().catch(() => undefined);
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    return this.server.handle(req, res);
  }

  private async finish(upload: Upload): Promise<{ status_code: number; headers: Record<string, string>; body: string }> {
    const path = join(this.directory, upload.id);
    const sha256 = this.store.digestOf(upload.id, upload.size ?? upload.offset) ?? (await sha256File(path)).sha256;
    const expected = upload.metadata?.sha256?.replace(/^0x/i, '').toLowerCase();
    if (expected && expected !== sha256) {
      await this.store.remove(upload.id);
      throw jsonError(400, 'BLOB_HASH_MISMATCH', 'Upload-Metadata sha256', `the uploaded bytes hash to ${sha256}`, { actual: sha256 });
    }
    const stored = await this.blobs.adopt(path, sha256);
    await this.store.configstore.delete(upload.id);
    const body = JSON.stringify({ sha256: stored.sha256, size: stored.size.toString(), created: stored.created });
    return { status_code: 200, headers: { 'Upload-Sha256': stored.sha256, 'Content-Type': 'application/json' }, body };
  }
}

function jsonError(status: number, error: string, field: string, reason: string, meta: Record<string, unknown> = {}): TusError {
  return { status_code: status, body: JSON.stringify({ ...meta, statusCode: status, error, message: `${field}: ${reason}`, details: [{ field, reason }] }) };
}
