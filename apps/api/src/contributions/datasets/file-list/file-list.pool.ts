import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { OFF_LOOP_BODY_BYTES } from '../../../common/body/request-limits';
import type { ContributionMessage, UpstreamDomain } from '@upstream/provenance';
import {
  checkContribution,
  fileColumnsOf,
  prepareFileList,
  proveFile,
  type ContributionCheck,
  type FileListResult,
  type FileProofResult,
} from './file-list';

/**
 * Bodies up to this size are prepared on the event loop (~2,000 files, a few ms); longer ones in a
 * worker, and the body reader then leaves `files` out of the body it parses (`parsedOffLoop`).
 */
export const INLINE_BODY_BYTES = OFF_LOOP_BODY_BYTES;
/** Stored file lists up to this length are hashed on the event loop for a proof; longer ones in a worker. */
export const INLINE_FILES = 2_000;
/** Contributions with up to this many owners and parents are hashed on the event loop (~0.4 ms each). */
export const INLINE_PARTIES = 32;

/**
 * The heavy parts of a registration, off the event loop when they are long: the file list (checks,
 * canonical order, content root), a stored dataset's file proof, and the Contribution's checks and
 * EIP-712 digest (10,000 owners take seconds). A small piscina pool (one thread on a 2-core
 * machine, two at most) started on first use and idle threads stopped after a minute. From the TypeScript sources (tests) the worker
 * runs through tsx; from `dist` it is plain JavaScript.
 */
@Injectable()
export class FileListPool implements OnApplicationShutdown {
  private pool: Piscina | undefined;
  /** Lists prepared since start, and how many of them in a worker thread (tests and the bench read them). */
  prepared = 0;
  offloaded = 0;

  async prepare(rawBody: Buffer | undefined, parsedFiles: unknown): Promise<FileListResult> {
    this.prepared++;
    if (rawBody === undefined || rawBody.length <= INLINE_BODY_BYTES) return prepareFileList(parsedFiles);
    this.offloaded++;
    return (await this.workers().run(rawBody)) as FileListResult;
  }

  /** A stored dataset's file proof: its whole content tree is rebuilt, in a worker past INLINE_FILES files. */
  async proveFile(
    files: readonly { path: string; size: string; sha256: string }[],
    path: string,
  ): Promise<FileProofResult | undefined> {
    const columns = fileColumnsOf(files);
    if (files.length <= INLINE_FILES) return proveFile(columns, path);
    this.offloaded++;
    return (await this.workers().run({ columns, path }, { name: 'proveFileTask' })) as FileProofResult | undefined;
  }

  /** A Contribution's checks and digest; in a worker past INLINE_PARTIES owners and parents together. */
  async checkContribution(domain: UpstreamDomain, message: ContributionMessage): Promise<ContributionCheck> {
    if (message.owners.length + message.parents.length <= INLINE_PARTIES) return checkContribution(domain, message);
    this.offloaded++;
    return (await this.workers().run({ domain, message }, { name: 'contributionTask' })) as ContributionCheck;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.destroy();
    this.pool = undefined;
  }

  private workers(): Piscina {
    if (this.pool === undefined) {
      const fromSources = __filename.endsWith('.ts');
      this.pool = new Piscina({
        filename: path.join(__dirname, `file-list.worker.${fromSources ? 'ts' : 'js'}`),
        execArgv: fromSources ? ['--import', 'tsx'] : [],
        minThreads: 0,
        maxThreads: Math.max(1, Math.min(2, availableParallelism() - 1)),
        idleTimeout: 60_000,
      });
    }
    return this.pool;
  }
}
