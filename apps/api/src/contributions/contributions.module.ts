import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { BlobsController } from './blobs/blobs.controller';
import { BlobsRepository } from './blobs/blobs.repository';
import { BlobsService } from './blobs/blobs.service';
import { ContributorsController } from './datasets/contributors.controller';
import { DatasetsController } from './datasets/datasets.controller';
import { DatasetsRepository } from './datasets/datasets.repository';
import { DatasetsService } from './datasets/datasets.service';
import { UPLOAD_RATE_LIMIT_LOCAL } from './upload-throttle';
import { TusUploadsService } from './uploads/tus-uploads.service';
import { UploadsController } from './uploads/uploads.controller';

/**
 * The contributor's half: uploads into a content-addressed blob store (streamed or resumable),
 * signed dataset registration, and the public catalogue with provenance proofs and lineage.
 */
@Module({
  controllers: [BlobsController, UploadsController, DatasetsController, ContributorsController],
  providers: [BlobsRepository, BlobsService, TusUploadsService, DatasetsRepository, DatasetsService],
  exports: [DatasetsService, BlobsService],
})
export class ContributionsModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    // The upload throttle reads its limit per request from the Express app (see upload-throttle.ts).
    const app = this.adapterHost.httpAdapter?.getInstance?.();
    if (app?.locals) app.locals[UPLOAD_RATE_LIMIT_LOCAL] = this.runtime.config.uploadRateLimitPerMinute;
  }
}
