import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Upload } from '@tus/server';
import { sha256File } from '@upstream/provenance/node';
import { BlobHashMismatchError, type ResumableUploadStorage, type StoredBlob } from '../blob-store';
import { HashingFileStore } from './hashing-file-store';

/**
 * Resumable uploads as files in one folder (@tus/file-store's layout, written through the
 * O_DIRECT FileSink and hashed on the way by HashingFileStore). A finished upload's file is
 * renamed into the blob folder under its hash, not copied.
 */
export class LocalResumableUploads implements ResumableUploadStorage {
  readonly datastore: HashingFileStore;

  constructor(
    readonly directory: string,
    expiryMs: number,
    private readonly adoptFile: (path: string, sha256: string) => Promise<StoredBlob>,
  ) {
    this.datastore = new HashingFileStore({ directory, expirationPeriodInMilliseconds: expiryMs });
  }

  append(id: string, body: Readable, offset: number): Promise<number> {
    return this.datastore.write(body, id, offset);
  }

  async publish(upload: Upload, expectedSha256?: string): Promise<StoredBlob> {
    const path = join(this.directory, upload.id);
    const sha256 = this.datastore.digestOf(upload.id, upload.size ?? upload.offset) ?? (await sha256File(path)).sha256;
    if (expectedSha256 && expectedSha256 !== sha256) {
      await this.datastore.remove(upload.id);
      throw new BlobHashMismatchError(expectedSha256, sha256);
    }
    return this.adoptFile(path, sha256);
  }

  async forget(id: string): Promise<void> {
    await this.datastore.configstore.delete(id);
  }
}
