import { Injectable } from '@nestjs/common';
import type { ContributionMessage, UpstreamDomain } from '@upstream/provenance';
import type { BodyPreparer } from '../../../common/body/prepared-body';
import type { JsonBodySource } from '../../../common/body/raw-json-body';
import { OFF_LOOP_BODY_BYTES } from '../../../common/body/request-limits';
import { OffLoopPool } from '../../../common/off-loop/off-loop.pool';
import { checkContribution, type ContributionCheck } from './contribution-check';
import { prepareRegistration, proveFile, type FileProofResult, type PreparedRegistration } from './file-list';
import { fileColumnsOf, receivedColumns } from './file-columns';

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
 * The heavy parts of a registration, off the event loop when they are long (`OffLoopPool`): the
 * file list (checks, canonical order, content root), a stored dataset's file proof, and the
 * Contribution's checks and EIP-712 digest (10,000 owners take seconds).
 */
@Injectable()
export class FileListPool implements BodyPreparer<PreparedRegistration> {
  /** Lists prepared since start, and how many of them in a worker thread (tests and the bench read them). */
  prepared = 0;
  offloaded = 0;

  constructor(private readonly pool: OffLoopPool) {}

  /**
   * A registration body's lists (the route's `PrepareBody` interceptor): `files` checked, sorted
   * and hashed, `owners` and `parents` checked.
   */
  async prepare({ raw, parsed }: JsonBodySource): Promise<PreparedRegistration> {
    this.prepared++;
    if (raw === undefined || raw.length <= INLINE_BODY_BYTES) return prepareRegistration(parsed);
    this.offloaded++;
    const prepared = await this.pool.run('registrationOfBody', raw);
    return prepared.ok ? receivedColumns(prepared) : prepared;
  }

  /** A stored dataset's file proof: its whole content tree is rebuilt, in a worker past INLINE_FILES files. */
  async proveFile(
    files: readonly { path: string; size: string; sha256: string }[],
    path: string,
  ): Promise<FileProofResult | undefined> {
    const columns = fileColumnsOf(files);
    if (files.length <= INLINE_FILES) return proveFile(columns, path);
    this.offloaded++;
    return this.pool.run('proveFileTask', { columns, path });
  }

  /** A Contribution's checks and digest; in a worker past INLINE_PARTIES owners and parents together. */
  async checkContribution(domain: UpstreamDomain, message: ContributionMessage): Promise<ContributionCheck> {
    if (message.owners.length + message.parents.length <= INLINE_PARTIES) return checkContribution(domain, message);
    this.offloaded++;
    return this.pool.run('contributionTask', { domain, message });
  }
}
