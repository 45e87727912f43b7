import type { DatasetAnchorStatus, DatasetOwner } from './datasets';
import { shapeOf } from './shape';

/**
 * How the overlap rule treated an earlier dataset: `own` (exactly the same owner accounts), `declared`
 * (a declared parent or one of its ancestors), `undeclared` (another owner's, not in the lineage: its
 * bytes count towards OVERLAP_REFUSE_FRACTION).
 */
export type OverlapRelation = 'own' | 'declared' | 'undeclared';

/** Two datasets sharing files (by SHA-256): the newer one's files whose bytes the other also holds. */
export interface DatasetOverlap {
  /** The other dataset. */
  datasetId: string;
  contentRoot: string;
  title: string;
  /** The other dataset's first OWNERS_PER_ENTRY owners, in signed order. */
  owners: DatasetOwner[];
  ownerCount: number;
  /** Files of the newer dataset whose SHA-256 is in the other one (empty files are not counted). */
  sharedFiles: number;
  /** Their bytes, decimal string. */
  sharedBytes: string;
  /** sharedBytes / the newer dataset's totalBytes. */
  fraction: number;
  /** When the other dataset was registered. */
  registeredAt: string;
  relation: OverlapRelation;
}

/** What a dataset's registration found: the earlier datasets it shares files with. */
export interface DatasetOverlapSummary {
  /** When the check ran; null for datasets registered before overlaps were checked. */
  checkedAt: string | null;
  /** How many earlier datasets share files with it. */
  count: number;
  /** Share of its bytes in earlier datasets of other owners outside its lineage (below OVERLAP_REFUSE_FRACTION, or it was refused). */
  undeclaredFraction: number;
  /** The largest overlaps (by shared bytes), at most OVERLAPS_PER_SUMMARY. */
  items: DatasetOverlap[];
  /** All of them, paged: `/datasets/<id>/overlaps`. */
  url: string;
}

/** Overlaps a summary carries at most. */
export const OVERLAPS_PER_SUMMARY = 10;

/** GET /datasets/:id/overlaps */
export interface OverlapQuery {
  /** `earlier` (default): datasets this one overlapped when registered; `later`: datasets registered since that overlap it. */
  direction?: 'earlier' | 'later';
  limit?: number;
  offset?: number;
}

export interface DatasetOverlapPage {
  datasetId: string;
  direction: 'earlier' | 'later';
  /** Largest shared bytes first. */
  items: DatasetOverlap[];
  total: number;
  limit: number;
  offset: number;
}

export const DatasetOverlapShape = shapeOf<DatasetOverlap>({
  datasetId: true,
  contentRoot: true,
  title: true,
  owners: 'DatasetOwner',
  ownerCount: true,
  sharedFiles: true,
  sharedBytes: true,
  fraction: true,
  registeredAt: true,
  relation: true,
});
export const DatasetOverlapSummaryShape = shapeOf<DatasetOverlapSummary>({
  checkedAt: true,
  count: true,
  undeclaredFraction: true,
  items: 'DatasetOverlap',
  url: true,
});
export const OverlapQueryShape = shapeOf<OverlapQuery>({ direction: true, limit: true, offset: true });
export const DatasetOverlapPageShape = shapeOf<DatasetOverlapPage>({
  datasetId: true,
  direction: true,
  items: 'DatasetOverlap',
  total: true,
  limit: true,
  offset: true,
});

/**
 * Two datasets whose text files (MinHash of shingles) and images (perceptual hash) are near-duplicates:
 * flagged, never refused. `similarity` estimates how much of the newer dataset (its files with a
 * signature, by bytes) is a near or exact copy of the other's: Σ bytes × best file similarity / bytes.
 */
export interface DatasetSimilarity {
  /** The other dataset. */
  datasetId: string;
  contentRoot: string;
  title: string;
  /** The other dataset's first OWNERS_PER_ENTRY owners, in signed order. */
  owners: DatasetOwner[];
  ownerCount: number;
  /** Estimated, 0–1 (see above). */
  similarity: number;
  /** Files of the newer dataset (with a signature) that have a near-duplicate in the other. */
  matchedFiles: number;
  /** Their bytes weighted by their similarity, decimal string. */
  matchedBytes: string;
  /** When the other dataset was registered. */
  registeredAt: string;
  /** As for overlaps: the same owners, the declared lineage, or neither. */
  relation: OverlapRelation;
}

/** GET /datasets/:id/similar */
export interface SimilarQuery {
  /** `earlier` (default): datasets registered before this one that it resembles; `later`: datasets registered since that resemble it. */
  direction?: 'earlier' | 'later';
  limit?: number;
  offset?: number;
}

/**
 * `pending`: the worker has not read its bytes yet (it does, in registration order, after upload);
 * `checked`: compared with every dataset registered before it; `no-bytes`: registered by hashes alone.
 */
export type SimilarityStatus = 'pending' | 'checked' | 'no-bytes';

export interface DatasetSimilarPage {
  datasetId: string;
  direction: 'earlier' | 'later';
  status: SimilarityStatus;
  /** When the worker compared it; null until then. */
  checkedAt: string | null;
  /** Its distinct files with a signature (text or image) and their bytes; null until checked. */
  signedFiles: number | null;
  signedBytes: string | null;
  /** The least similarity flagged (NEAR_DUPLICATE_SIMILARITY). */
  threshold: number;
  /** Most similar first. */
  items: DatasetSimilarity[];
  total: number;
  limit: number;
  offset: number;
}

export const DatasetSimilarityShape = shapeOf<DatasetSimilarity>({
  datasetId: true,
  contentRoot: true,
  title: true,
  owners: 'DatasetOwner',
  ownerCount: true,
  similarity: true,
  matchedFiles: true,
  matchedBytes: true,
  registeredAt: true,
  relation: true,
});
export const SimilarQueryShape = shapeOf<SimilarQuery>({ direction: true, limit: true, offset: true });
export const DatasetSimilarPageShape = shapeOf<DatasetSimilarPage>({
  datasetId: true,
  direction: true,
  status: true,
  checkedAt: true,
  signedFiles: true,
  signedBytes: true,
  threshold: true,
  items: 'DatasetSimilarity',
  total: true,
  limit: true,
  offset: true,
});

/** POST /datasets/:id/takedown: an owner's signed EIP-712 Takedown {datasetId, reason, deleteBytes, nonce, deadline}. */
export interface TakedownRequest {
  /** Why, in the owner's words (signed). */
  reason: string;
  /** Delete the bytes no other live dataset holds (default false). */
  deleteBytes?: boolean;
  /** An owner of the dataset; must be the signer. */
  signer: string;
  nonce: string;
  deadline: number;
  signature: string;
}

/** A dataset's takedown: the public record of who withdrew it, why and when, and what became of its bytes. */
export interface DatasetTakedown {
  datasetId: string;
  contentRoot: string;
  takenDownAt: string;
  reason: string;
  signer: string;
  deleteBytes: boolean;
  /** When the bytes were deleted; null when they were kept. */
  bytesDeletedAt: string | null;
  /** Blobs deleted from the store. */
  blobsDeleted: number;
  /** Blobs kept because another live dataset holds the same bytes (served only under that dataset). */
  blobsKept: number;
  /** EIP-712 digest of the signed Takedown: the leaf anchored in the ProvenanceRegistry (kind 2). */
  digest: string;
  signature: string;
  /** The takedown's anchoring, as a registration's: pending, in a batch, then anchored (with its transaction). */
  anchorStatus: DatasetAnchorStatus;
}

export const TakedownRequestShape = shapeOf<TakedownRequest>({
  reason: true,
  deleteBytes: true,
  signer: true,
  nonce: true,
  deadline: true,
  signature: true,
});
export const DatasetTakedownShape = shapeOf<DatasetTakedown>({
  datasetId: true,
  contentRoot: true,
  takenDownAt: true,
  reason: true,
  signer: true,
  deleteBytes: true,
  bytesDeletedAt: true,
  blobsDeleted: true,
  blobsKept: true,
  digest: true,
  signature: true,
  anchorStatus: 'DatasetAnchorStatus',
});
