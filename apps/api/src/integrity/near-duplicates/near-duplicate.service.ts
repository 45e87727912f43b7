import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { DatasetSimilarity, DatasetSimilarPage, OverlapRelation } from '@upstream/api-contract';
import type { Readable } from 'node:stream';
import { DatasetReadRepository, datasetRefInvalid, isDatasetRef } from '../../catalogue/dataset-read.repository';
import { UnitOfWork } from '../../common/persistence/unit-of-work';
import { datasetNotFound } from '../../contributions/contributions.errors';
import { BLOB_STORE, type BlobStore } from '../../contributions/storage/blob-store';
import { RUNTIME, type Runtime } from '../../runtime/runtime';
import { WorkerService } from '../../worker/worker.service';
import type { SimilarQueryDto } from '../dto/similar-query.dto';
import { SNIFF_BYTES, sniffContent, type ContentKind } from './content-kind';
import { imageBands, imageSimilarity, MAX_IMAGE_BYTES, perceptualHash } from './image-hash';
import { estimateJaccard, MinHasher, signatureFromBytes, signatureToBytes, textBands } from './minhash';
import {
  NearDuplicateRepository,
  type CandidateSignature,
  type NewSignature,
  type NewSimilarity,
  type SignedFile,
  type StoredSimilarityRow,
} from './near-duplicate.repository';

/** A worker pass stops starting new blobs after this long, so the indexer and the outbox are not kept waiting. */
const PASS_BUDGET_MS = 2_000;
/**
 * Least similarity for two files to count as near-duplicates: estimated Jaccard of the shingle sets for
 * text (LSH finds pairs from ~0.5 with high probability: 16 bands of 4 slots), equal bits of the pHash
 * for images (at most 10 of 64 bits differ).
 */
export const FILE_SIMILARITY_MIN: Record<'text' | 'image', number> = { text: 0.5, image: 1 - 10 / 64 };

/** A file of a dataset with its signature decoded. */
interface Signed {
  sha256: string;
  kind: 'text' | 'image';
  minhash?: Uint32Array;
  phash?: bigint;
  files: number;
  bytes: bigint;
}

/**
 * Near-duplicates (issue 15). A worker job reads each uploaded blob once, after upload and off the request
 * path, into a MinHash signature (text) or a perceptual hash (images) with their LSH bands; then checks
 * the uploaded datasets in registration order against every dataset registered before them, and flags
 * those at or above NEAR_DUPLICATE_SIMILARITY. Flags never refuse anything; `GET /datasets/:id/similar`
 * lists them.
 */
@Injectable()
export class NearDuplicateService implements OnModuleInit {
  private readonly logger = new Logger('NearDuplicates');

  constructor(
    private readonly repository: NearDuplicateRepository,
    private readonly datasets: DatasetReadRepository,
    private readonly uow: UnitOfWork,
    private readonly worker: WorkerService,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    this.worker.addJob('near-duplicates', () => this.workSafely());
  }

  /**
   * The job never fails the worker's pass (the outbox and settlement come after it): a store that cannot
   * be read now (S3 down) is logged, and the same dataset is tried again on the next pass.
   */
  private async workSafely(): Promise<void> {
    try {
      await this.work();
    } catch (error) {
      this.logger.warn({ err: error }, `near-duplicate pass stopped, retried next pass: ${(error as Error).message}`);
    }
  }

  /**
   * One pass: the oldest unchecked uploaded dataset gets its missing signatures, then its check; then the
   * next, until PASS_BUDGET_MS have passed (a blob under way is finished; the rest waits for the next pass).
   */
  async work(budgetMs = PASS_BUDGET_MS): Promise<{ signed: number; checked: number }> {
    const started = Date.now();
    let signed = 0;
    let checked = 0;
    while (Date.now() - started < budgetMs) {
      const [next] = await this.repository.pending(1);
      if (!next) break;
      for (const sha256 of await this.repository.unsigned(next.id)) {
        if (Date.now() - started >= budgetMs) return { signed, checked };
        await this.repository.save(await this.sign(sha256));
        signed++;
      }
      const found = await this.check(next.id);
      checked++;
      if (found > 0) this.logger.log(`dataset ${next.id} resembles ${found} earlier dataset(s)`);
    }
    return { signed, checked };
  }

  /** Reads the blob once, as it streams from the store, into its signature and bands. */
  async sign(sha256: string): Promise<NewSignature> {
    if (!(await this.store.stat(sha256))) {
      // A blob row without its bytes (lost from the store): nothing to sign, and nothing to wait for.
      this.logger.warn(`blob ${sha256} is recorded but not in the blob store: no near-duplicate signature`);
      return { sha256, kind: 'none', bands: [] };
    }
    const kind = await signatureOf(this.store.read(sha256));
    if (kind.kind === 'text')
      return { sha256, kind: 'text', minhash: signatureToBytes(kind.minhash), bands: textBands(kind.minhash) };
    if (kind.kind === 'image') return { sha256, kind: 'image', phash: kind.phash, bands: imageBands(kind.phash) };
    return { sha256, kind: 'none', bands: [] };
  }

  /**
   * Compares the dataset's signed files with everything indexed, keeps the file pairs at or above
   * FILE_SIMILARITY_MIN, maps the matched bytes to the datasets registered before it that hold them, and
   * records the datasets whose estimated similarity reaches NEAR_DUPLICATE_SIMILARITY. Answers how many.
   */
  async check(datasetId: string): Promise<number> {
    const files = (await this.repository.signedFiles(datasetId)).map(decode);
    const matches = await this.nearFiles(files);
    const digests = [...new Set(matches.flatMap((m) => [...m.keys()]))];
    const holders = digests.length > 0 ? await this.repository.earlierHolders(datasetId, digests) : [];
    const heldBy = new Map<string, { datasetId: string; relation: OverlapRelation }[]>();
    for (const h of holders) {
      const list = heldBy.get(h.sha256) ?? [];
      list.push({ datasetId: h.dataset_id, relation: h.relation });
      heldBy.set(h.sha256, list);
    }
    // Per earlier dataset, each file's best match in it.
    const perDataset = new Map<string, { relation: OverlapRelation; best: Map<number, number> }>();
    matches.forEach((candidates, file) => {
      for (const [digest, similarity] of candidates)
        for (const holder of heldBy.get(digest) ?? []) {
          let entry = perDataset.get(holder.datasetId);
          if (!entry) perDataset.set(holder.datasetId, (entry = { relation: holder.relation, best: new Map() }));
          entry.best.set(file, Math.max(entry.best.get(file) ?? 0, similarity));
        }
    });
    const signedBytes = files.reduce((sum, f) => sum + f.bytes, 0n);
    const threshold = this.runtime.config.nearDuplicateSimilarity;
    const found: NewSimilarity[] = [];
    for (const [similarId, { relation, best }] of perDataset) {
      let weighted = 0;
      let matchedFiles = 0;
      for (const [file, similarity] of best) {
        weighted += Number(files[file].bytes) * similarity;
        matchedFiles += files[file].files;
      }
      const similarity = Math.min(1, Math.round((weighted / Number(signedBytes)) * 10_000) / 10_000);
      if (similarity >= threshold)
        found.push({ similarId, similarity, matchedFiles, matchedBytes: BigInt(Math.round(weighted)), relation });
    }
    await this.uow.run((tx) => this.repository.in(tx).record(datasetId, found, files.length, signedBytes));
    return found.length;
  }

  /**
   * The LSH lookup for these files: for each, the indexed bytes (by SHA-256) at or above
   * FILE_SIMILARITY_MIN with their estimated similarity (1 for the same bytes). One statement for the
   * candidates, one for their signatures.
   */
  async nearFiles(files: readonly Signed[]): Promise<Map<string, number>[]> {
    const queries: number[] = [];
    const hashes: number[] = [];
    files.forEach((f, i) => {
      for (const h of f.kind === 'text' ? textBands(f.minhash!) : imageBands(f.phash!)) {
        queries.push(i);
        hashes.push(h);
      }
    });
    const matches = files.map(() => new Map<string, number>());
    if (queries.length === 0) return matches;
    const pairs = await this.repository.candidates(queries, hashes);
    const candidates = new Map(
      (await this.repository.signatures([...new Set(pairs.map(([, id]) => id))])).map((c) => [c.id, c]),
    );
    for (const [file, id] of pairs) {
      const f = files[file];
      const c = candidates.get(id);
      if (!c || c.kind !== f.kind) continue;
      const similarity = similarityOf(f, c);
      if (similarity >= FILE_SIMILARITY_MIN[f.kind]) matches[file].set(c.sha256, similarity);
    }
    return matches;
  }

  async page(ref: string, query: SimilarQueryDto): Promise<DatasetSimilarPage> {
    if (!isDatasetRef(ref)) throw datasetRefInvalid(ref);
    const dataset = await this.datasets.find(ref);
    if (!dataset) throw datasetNotFound(ref);
    const direction = query.direction ?? 'earlier';
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    const [state, { total, rows }] = await Promise.all([
      this.repository.state(dataset.id),
      this.repository.page(dataset.id, direction, limit, offset),
    ]);
    const checkedAt = state?.similarity_checked_at ? new Date(state.similarity_checked_at).toISOString() : null;
    return {
      datasetId: dataset.id,
      direction,
      status: state?.storage === 'external' ? 'no-bytes' : checkedAt ? 'checked' : 'pending',
      checkedAt,
      signedFiles: state?.similarity_files ?? null,
      signedBytes: state?.similarity_bytes ?? null,
      threshold: this.runtime.config.nearDuplicateSimilarity,
      items: rows.map(similarityItem),
      total,
      limit,
      offset,
    };
  }
}

export function decode(f: SignedFile): Signed {
  return {
    sha256: f.sha256,
    kind: f.kind,
    minhash: f.minhash ? signatureFromBytes(f.minhash) : undefined,
    phash: f.phash !== null ? BigInt(f.phash) : undefined,
    files: f.files,
    bytes: BigInt(f.bytes),
  };
}

function similarityOf(f: Signed, c: CandidateSignature): number {
  if (c.sha256 === f.sha256) return 1;
  if (f.kind === 'text') return estimateJaccard(f.minhash!, signatureFromBytes(c.minhash!));
  return imageSimilarity(f.phash!, BigInt(c.phash!));
}

type Computed = { kind: 'text'; minhash: Uint32Array } | { kind: 'image'; phash: bigint } | { kind: 'none' };

/**
 * Streams the bytes once: the first SNIFF_BYTES say what they are; text flows through the MinHasher chunk
 * by chunk (a NUL byte later on makes it `none`); an image (up to MAX_IMAGE_BYTES) is gathered and hashed
 * by sharp-phash. Bytes that are neither stop the read at once.
 */
export async function signatureOf(source: Readable): Promise<Computed> {
  const head: Buffer[] = [];
  let headBytes = 0;
  let kind: ContentKind | undefined;
  let hasher: MinHasher | undefined;
  const image: Buffer[] = [];
  let imageBytes = 0;
  const feed = (chunk: Buffer): boolean => {
    if (kind === 'text') {
      if (chunk.includes(0)) return false;
      hasher!.update(chunk);
      return true;
    }
    imageBytes += chunk.length;
    if (imageBytes > MAX_IMAGE_BYTES) return false;
    image.push(chunk);
    return true;
  };
  const start = (complete: boolean): boolean => {
    const first = Buffer.concat(head);
    kind = sniffContent(first.subarray(0, SNIFF_BYTES), complete && first.length <= SNIFF_BYTES);
    if (kind === 'none') return false;
    if (kind === 'text') hasher = new MinHasher();
    return feed(first);
  };
  let ok = true;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (kind === undefined) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes < SNIFF_BYTES) continue;
        ok = start(false);
      } else ok = feed(chunk);
      // Leaving the loop destroys the stream: bytes that are neither text nor an image are not read further.
      if (!ok) break;
    }
  } finally {
    source.destroy();
  }
  if (kind === undefined) ok = start(true);
  if (!ok) return { kind: 'none' };
  if (kind === 'text') {
    const minhash = hasher!.digest();
    return minhash ? { kind: 'text', minhash } : { kind: 'none' };
  }
  try {
    return { kind: 'image', phash: await perceptualHash(Buffer.concat(image)) };
  } catch {
    // Image magic but not decodable (truncated, corrupt, a format libvips lacks): no perceptual hash.
    return { kind: 'none' };
  }
}

function similarityItem(row: StoredSimilarityRow): DatasetSimilarity {
  return {
    datasetId: row.id,
    contentRoot: row.content_root,
    title: row.title,
    owners: row.owners,
    ownerCount: row.owner_count,
    similarity: row.similarity,
    matchedFiles: row.matched_files,
    matchedBytes: row.matched_bytes,
    registeredAt: new Date(row.created_at).toISOString(),
    relation: row.relation,
  };
}
