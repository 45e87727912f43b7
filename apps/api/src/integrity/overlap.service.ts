import { Inject, Injectable } from '@nestjs/common';
import {
  OVERLAPS_PER_SUMMARY,
  type Address,
  type DatasetOverlap,
  type DatasetOverlapPage,
  type DatasetOverlapSummary,
} from '@upstream/api-contract';
import { DatasetReadRepository, datasetRefInvalid, isDatasetRef } from '../catalogue/dataset-read.repository';
import type { Tx } from '../common/persistence/unit-of-work';
import { datasetNotFound } from '../contributions/contributions.errors';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { integrityError } from './integrity.errors';
import { OverlapRepository, type OverlapFinding, type OverlapRow } from './overlap.repository';
import type { OverlapQueryDto } from './dto/overlap-query.dto';

/** Undeclared datasets a refusal names (and suggests as parents) at most. */
const MAX_SUGGESTED_PARENTS = 20;
const PPM = 1_000_000n;

/** A new dataset as the overlap check needs it. */
export interface OverlapCandidate {
  /** The new dataset, its files already written in this transaction (PostgreSQL reads them there). */
  datasetId: string;
  /** Its digests joined by `,` (`FileColumns.sha256s`), for the buckets to lock. */
  sha256s: Uint8Array;
  totalBytes: bigint;
  /** Its owner accounts, lowercase. */
  owners: readonly Address[];
  /** Its declared parents' ids. */
  parentIds: readonly string[];
}

/**
 * Exact overlap between datasets (issue 15): at registration, the earlier datasets sharing files with the
 * new one by SHA-256, and the rule that refuses a dataset whose bytes are mostly another owner's without
 * declaring it in its lineage; afterwards, what was found, on the dataset's page and its overlaps route.
 */
@Injectable()
export class OverlapService {
  constructor(
    private readonly repository: OverlapRepository,
    private readonly datasets: DatasetReadRepository,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  /**
   * In the registration's transaction, before anything is written: locks the digests' buckets (a racing
   * registration of the same bytes waits, then sees this one), finds the overlaps in one statement, and
   * refuses with 409 UNDECLARED_OVERLAP when at least OVERLAP_REFUSE_FRACTION of the new bytes belong to
   * (were first registered in) earlier datasets of other owners outside the declared lineage.
   */
  async check(tx: Tx, candidate: OverlapCandidate): Promise<OverlapFinding> {
    // Empty files never count: with no bytes, nothing can overlap.
    if (candidate.totalBytes === 0n) return { rows: [], undeclaredBytes: 0n };
    const repository = this.repository.in(tx);
    await repository.lockBuckets(bucketsOf(candidate.sha256s));
    const finding = await repository.find(candidate.datasetId, candidate.owners, candidate.parentIds);
    const refusePpm = BigInt(this.runtime.config.overlapRefusePpm);
    if (finding.undeclaredBytes * PPM >= refusePpm * candidate.totalBytes) {
      throw this.refusal(finding, candidate.totalBytes);
    }
    return finding;
  }

  /** After the dataset's row is written, in the same transaction: what the check found. */
  async record(tx: Tx, datasetId: string, finding: OverlapFinding): Promise<void> {
    await this.repository.in(tx).record(datasetId, finding);
  }

  /** The dataset page's part: when the check ran, how many earlier datasets overlap, the largest of them. */
  async summary(datasetId: string): Promise<DatasetOverlapSummary> {
    const [state, { rows }] = await Promise.all([
      this.repository.checkState(datasetId),
      this.repository.page(datasetId, 'earlier', OVERLAPS_PER_SUMMARY, 0),
    ]);
    const total = BigInt(state?.total_bytes ?? '0');
    return {
      checkedAt: state?.overlap_checked_at ? new Date(state.overlap_checked_at).toISOString() : null,
      count: state?.count ?? 0,
      undeclaredFraction: fraction(BigInt(state?.undeclared_overlap_bytes ?? '0'), total),
      items: rows.map((r) => overlapOf(r, BigInt(r.newer_total_bytes))),
      url: `/datasets/${datasetId}/overlaps`,
    };
  }

  async page(ref: string, query: OverlapQueryDto): Promise<DatasetOverlapPage> {
    if (!isDatasetRef(ref)) throw datasetRefInvalid(ref);
    const dataset = await this.datasets.find(ref);
    if (!dataset) throw datasetNotFound(ref);
    const direction = query.direction ?? 'earlier';
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    const { total, rows } = await this.repository.page(dataset.id, direction, limit, offset);
    return {
      datasetId: dataset.id,
      direction,
      items: rows.map((r) => overlapOf(r, BigInt(r.newer_total_bytes))),
      total,
      limit,
      offset,
    };
  }

  private refusal(finding: OverlapFinding, totalBytes: bigint) {
    // The datasets whose bytes these are (their earliest holders), most bytes first.
    const undeclared = finding.rows
      .filter((r) => r.relation === 'undeclared' && BigInt(r.first_bytes) > 0n)
      .sort((a, b) => compareBigDesc(BigInt(a.first_bytes), BigInt(b.first_bytes)));
    const named = undeclared.slice(0, MAX_SUGGESTED_PARENTS).map((r) => overlapOf(r, totalBytes));
    const share = fraction(finding.undeclaredBytes, totalBytes);
    const refuseFraction = this.runtime.config.overlapRefusePpm / 1_000_000;
    const more = undeclared.length > named.length ? ` (and ${undeclared.length - named.length} more)` : '';
    const details = named.map((o) => ({
      field: 'parents',
      reason:
        `shares ${o.sharedFiles} file(s), ${o.sharedBytes} bytes (${percent(o.fraction)} of this dataset) with dataset ${o.datasetId} ` +
        `"${o.title}" of ${o.owners.map((w) => w.account).join(', ')}${o.ownerCount > o.owners.length ? ' and others' : ''}, ` +
        `registered ${o.registeredAt}: declare it as a parent ({ "datasetId": "${o.contentRoot}", "upstreamBps": … })`,
    }));
    return integrityError(
      'UNDECLARED_OVERLAP',
      `parents: ${percent(share)} of this dataset's bytes (${finding.undeclaredBytes} of ${totalBytes}) are in ` +
        `${undeclared.length} earlier dataset(s) of other owners that it does not declare as parents ` +
        `(OVERLAP_REFUSE_FRACTION is ${refuseFraction}): ${named.map((o) => o.contentRoot).join(', ')}${more}; ` +
        `declare them as parents, or leave their files out`,
      details,
      {
        undeclaredFraction: share,
        refuseFraction,
        overlaps: named,
        suggestedParents: named.map((o) => o.contentRoot),
      },
    );
  }
}

const compareBigDesc = (a: bigint, b: bigint) => (a > b ? -1 : a < b ? 1 : 0);

/** `part / whole` to six decimals, rounded down (0 for an empty whole). */
function fraction(part: bigint, whole: bigint): number {
  return whole === 0n ? 0 : Number((part * PPM) / whole) / 1_000_000;
}

const percent = (f: number) => `${Math.round(f * 10_000) / 100} %`;

function overlapOf(row: OverlapRow, newerTotalBytes: bigint): DatasetOverlap {
  return {
    datasetId: row.id,
    contentRoot: row.content_root,
    title: row.title,
    owners: row.owners,
    ownerCount: row.owner_count,
    sharedFiles: row.shared_files,
    sharedBytes: row.shared_bytes,
    fraction: fraction(BigInt(row.shared_bytes), newerTotalBytes),
    registeredAt: new Date(row.created_at).toISOString(),
    relation: row.relation,
  };
}

/**
 * The overlap-lock buckets (first bytes) of these digests (`FileColumns.sha256s`), read off the joined
 * column here: sending the columns once more for PostgreSQL to find them cost ~10 MB of parameters for
 * 100,000 files. An empty file's digest is locked too (harmless: it only waits where it need not).
 */
export function bucketsOf(sha256s: Uint8Array): number[] {
  const seen = new Uint8Array(256);
  const buckets: number[] = [];
  for (let at = 0; at + 2 <= sha256s.length; at += 65) {
    const bucket = hexDigit(sha256s[at]) * 16 + hexDigit(sha256s[at + 1]);
    if (!seen[bucket]) {
      seen[bucket] = 1;
      buckets.push(bucket);
    }
  }
  return buckets.sort((a, b) => a - b);
}

/** The value of an ASCII hex digit (lowercase, as the column holds them). */
function hexDigit(char: number): number {
  return char <= 0x39 ? char - 0x30 : char - 0x57;
}
