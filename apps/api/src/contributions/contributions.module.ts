import { DatasetAccessController } from './datasets/dataset-access.controller';
import { join } from 'node:path';
import { Inject, Module, type OnModuleInit, type Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { ChainModule } from '../chain/chain.module';
import { GovernanceModule } from '../governance/governance.module';
import { IntegrityModule } from '../integrity/integrity.module';
import { BlobCollectionRepository } from './blobs/blob-collection.repository';
import { BlobsController } from './blobs/blobs.controller';
import { BlobsRepository } from './blobs/blobs.repository';
import { BlobsService } from './blobs/blobs.service';
import { OrphanBlobCollector } from './blobs/orphan-blob-collector.service';
import { ContributorsController } from './datasets/contributors.controller';
import { DatasetsController } from './datasets/datasets.controller';
import { DatasetsRepository } from './datasets/datasets.repository';
import { MissingDigestsPreparer } from './blobs/missing-digests.preparer';
import { FileListPool } from './datasets/file-list/file-list.pool';
import { DatasetsService } from './datasets/datasets.service';
import { BLOB_STORE, type BlobStore } from './storage/blob-store';
import { LocalBlobStore } from './storage/local-disk/local-blob-store';
import { S3BlobStore } from './storage/s3/s3-blob-store';
import { makeS3Client, S3Objects } from './storage/s3/s3-objects';
import { BlobWritersRepository } from './blobs/blob-writers.repository';
import { UPLOAD_RATE_LIMIT_LOCAL } from './upload-throttle';
import { TusUploadsService, UPLOAD_EXPIRY_MS } from './uploads/tus-uploads.service';
import { UploadCompletionsRepository } from './uploads/upload-completions.repository';
import { UploadLocksRepository } from './uploads/upload-locks.repository';
import { UploadsController } from './uploads/uploads.controller';

/**
 * The blob-store adapter, chosen here and nowhere else: local disk (`<DATA_DIR>/blobs`, resumable
 * uploads in `<DATA_DIR>/uploads`) by default; an S3-compatible bucket with BLOB_STORE_URL.
 */
const blobStoreProvider: Provider<BlobStore> = {
  provide: BLOB_STORE,
  inject: [RUNTIME, BlobWritersRepository],
  useFactory: (runtime: Runtime, writers: BlobWritersRepository): BlobStore => {
    const s3 = runtime.config.blobStore;
    if (s3) {
      return new S3BlobStore(new S3Objects(makeS3Client(s3), s3), {
        writers: writers.writersOf(`s3://${s3.bucket}/${s3.prefix}`),
        uploadExpiryMs: UPLOAD_EXPIRY_MS,
      });
    }
    return new LocalBlobStore(join(runtime.config.dataDir, 'blobs'), {
      uploadsDirectory: join(runtime.config.dataDir, 'uploads'),
      uploadExpiryMs: UPLOAD_EXPIRY_MS,
    });
  },
};

/**
 * The contributor's half: uploads into a content-addressed blob store (streamed or resumable),
 * signed dataset registration, and the public catalogue with provenance proofs and lineage.
 */
@Module({
  imports: [ChainModule, IntegrityModule, GovernanceModule],
  controllers: [
    BlobsController,
    UploadsController,
    DatasetsController,
    DatasetAccessController,
    ContributorsController,
  ],
  providers: [
    blobStoreProvider,
    BlobWritersRepository,
    BlobsRepository,
    BlobsService,
    BlobCollectionRepository,
    OrphanBlobCollector,
    TusUploadsService,
    UploadCompletionsRepository,
    UploadLocksRepository,
    DatasetsRepository,
    DatasetsService,
    FileListPool,
    MissingDigestsPreparer,
  ],
  exports: [DatasetsService, BlobsService, BLOB_STORE],
})
export class ContributionsModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    // The upload throttle reads its limit per request from the Express app (see upload-throttle.ts).
    const app = this.adapterHost.httpAdapter?.getInstance?.<{ locals?: Record<string, unknown> }>();
    if (app?.locals) app.locals[UPLOAD_RATE_LIMIT_LOCAL] = this.runtime.config.uploadRateLimitPerMinute;
  }
}
