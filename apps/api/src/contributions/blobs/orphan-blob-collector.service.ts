import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { UnitOfWork } from '../../common/persistence/unit-of-work';
import { RUNTIME, type Runtime } from '../../runtime/runtime';
import { WorkerService } from '../../worker/worker.service';
import { BLOB_STORE, type BlobStore } from '../storage/blob-store';
import { BlobCollectionRepository } from './blob-collection.repository';

/** Blobs collected, and queued files removed, per worker pass at most. */
export const ORPHAN_BATCH = 500;
/** An unfinished plain write (a temp file, an S3 multipart upload) this old belongs to no upload in flight. */
export const STALE_WRITE_MS = 24 * 60 * 60 * 1000;
/** How often the worker looks for them. */
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * Deletes blobs that no registered dataset references once ORPHAN_BLOB_TTL_SECONDS have passed
 * since anyone last uploaded them (a worker job, so the leading worker only). Rows go first, in
 * one transaction that also queues the files in `blob_deletions`; the files go after it commits,
 * and whatever a crash left queued goes on the next pass.
 */
@Injectable()
export class OrphanBlobCollector implements OnModuleInit {
  private readonly logger = new Logger('OrphanBlobs');
  private lastSweep = 0;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly repository: BlobCollectionRepository,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly worker: WorkerService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    this.worker.addJob('collect-orphan-blobs', () => this.collect().then(() => undefined));
    this.worker.addJob('sweep-stale-writes', () => this.sweepStaleWrites().then(() => undefined));
  }

  /**
   * Hourly: removes what writers that died while replicas went on running left behind, over a day
   * old (temp files; S3 multipart uploads in progress, aborted). Each process also sweeps at start.
   */
  async sweepStaleWrites(now = Date.now()): Promise<number> {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return 0;
    this.lastSweep = now;
    const swept = await this.store.sweepTemp(STALE_WRITE_MS);
    if (swept > 0) this.logger.log(`removed ${swept} unfinished write(s) over a day old`);
    return swept;
  }

  /** One pass: collects up to ORPHAN_BATCH orphans, then removes up to ORPHAN_BATCH queued files. */
  async collect(): Promise<{ collected: number; removed: number; kept: number }> {
    const ttlMs = this.runtime.config.orphanBlobTtlMs;
    const collected = await this.uow.run(async (tx) => {
      const repository = this.repository.in(tx);
      // Exclusive: waits for registrations in flight, whose dataset_files then keep their blobs.
      await repository.lockOutRegistrations();
      return repository.collect(ttlMs, ORPHAN_BATCH);
    });
    if (collected.length > 0)
      this.logger.log(`collected ${collected.length} orphan blob(s), unreferenced for over ${ttlMs / 1000} s`);
    return { collected: collected.length, ...(await this.removeQueuedFiles()) };
  }

  /**
   * Removes the files of queued deletions, each under its blob's lock: an upload that recorded the
   * same bytes again in the meantime wins (the file stays), and one that records them afterwards
   * finds them gone and fails rather than leave a row without bytes (BlobsService.record).
   */
  private async removeQueuedFiles(): Promise<{ removed: number; kept: number }> {
    let removed = 0;
    let kept = 0;
    for (const sha256 of await this.repository.queued(ORPHAN_BATCH)) {
      await this.uow.run(async (tx) => {
        const repository = this.repository.in(tx);
        await repository.lockBlob(sha256);
        if (!(await repository.unqueue(sha256))) return;
        if (await repository.isRecorded(sha256)) {
          kept++;
          return;
        }
        // Inside the transaction: should it fail, the deletion stays queued for the next pass.
        await this.store.delete(sha256);
        removed++;
      });
    }
    if (removed > 0 || kept > 0)
      this.logger.log(`removed ${removed} orphan blob file(s); kept ${kept} uploaded again since`);
    return { removed, kept };
  }
}
