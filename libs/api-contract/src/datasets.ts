import type { AccessPolicy } from './access';
import type { DatasetOverlapSummary, DatasetTakedown } from './integrity';
import type { LicenseTemplate } from '@upstream/provenance';
import { shapeOf } from './shape';

export type { LicenseTemplate };

// ---- requests ----

export interface FileEntryBody {
  path: string;
  /** Bytes, decimal string. */
  size: string;
  sha256: string;
}

export interface OwnerShare {
  account: string;
  shareBps: number;
}

export interface ParentShare {
  /** Content root (or uuid) of the parent. */
  datasetId: string;
  upstreamBps: number;
}

export interface LicenseChoice {
  template: LicenseTemplate;
  fee?: { token: string; amount: string };
  /** Integer 1–3650: a license under these terms expires this many days after it becomes active. */
  durationDays?: number;
}

/** POST /datasets: a registration signed with EIP-712 (Contribution). */
export interface CreateDatasetRequest {
  title: string;
  description?: string;
  storage?: 'uploaded' | 'external';
  /** Who may fetch the bytes; default `public` for open-training, `licensed` otherwise. */
  accessPolicy?: AccessPolicy;
  externalUri?: string;
  files: FileEntryBody[];
  contentRoot: string;
  owners: OwnerShare[];
  parents?: ParentShare[];
  license: LicenseChoice;
  licenseTermsHash?: string;
  previousVersionId?: string;
  nonce: string;
  deadline: string;
  signature: string;
}

export interface CursorPageQuery {
  limit?: number;
  cursor?: string;
}

export interface DatasetQuery extends CursorPageQuery {
  owner?: string;
  license?: string;
  q?: string;
  /** `delisted`: also list datasets delisted by an upheld dispute (hidden by default). */
  include?: 'delisted';
}

export interface FilePathQuery {
  path: string;
}

/** POST /blobs/missing */
export interface MissingBlobsRequest {
  sha256s: string[];
}

// ---- responses ----

export interface DatasetOwner {
  /** Lowercase address. */
  account: string;
  shareBps: number;
}

export interface DatasetLicense {
  template: string;
  /** The terms document; its canonical JSON hashes to termsHash. */
  terms: Record<string, unknown>;
  termsHash: string;
  licensingOpen: boolean;
  /**
   * Its terms are a license template governance approved (GET /governance/license-templates lists one
   * whose templateId is this termsHash, not since withdrawn); false on a deployment without a registry.
   */
  approvedTemplate: boolean;
}

/**
 * Integrity tags a dataset carries: `disputed` while a dispute against it is open; `disputed-upheld` once
 * one was upheld (the dataset is then delisted: no new licenses, deliveries or runs); `review:upstream-disputed`
 * when a dataset it derives from (through its lineage) was (tagged for review, not delisted).
 */
export const DATASET_TAGS = {
  disputed: 'disputed',
  upheld: 'disputed-upheld',
  review: 'review:upstream-disputed',
} as const;
export type DatasetTag = (typeof DATASET_TAGS)[keyof typeof DATASET_TAGS];

export interface DatasetSummary {
  id: string;
  contentRoot: string;
  title: string;
  description: string;
  storage: string;
  /** public | licensed | private: who may fetch the bytes. */
  accessPolicy: string;
  externalUri: string | null;
  fileCount: number;
  /** Bytes, decimal string. */
  totalBytes: string;
  registrant: string;
  /**
   * In the order they were signed. A list entry carries the first OWNERS_PER_ENTRY of them (the full
   * list is at `ownersUrl`); a dataset's detail carries them all.
   */
  owners: DatasetOwner[];
  /** How many owners the dataset has (more than `owners.length` when a list entry is capped). */
  ownerCount: number;
  /** The full, paged list of owners: `/datasets/<id>/owners`. */
  ownersUrl: string;
  license: DatasetLicense;
  previousVersionId: string | null;
  createdAt: string;
  /** When its owners took it down (no new licenses, no deliveries); null while it is live. */
  takenDownAt: string | null;
  /** Its integrity tags (DATASET_TAGS); `disputed-upheld` means delisted. */
  tags: DatasetTag[];
  /** The ids of the disputes open against it (`/disputes/<id>`), oldest first. */
  openDisputes: string[];
}

/** Owners a list entry carries at most; the rest are at `ownersUrl`. */
export const OWNERS_PER_ENTRY = 10;

/** A page of a dataset's owners, in the order they were signed. */
export interface DatasetOwnerPage {
  datasetId: string;
  items: DatasetOwner[];
  total: number;
  limit: number;
  offset: number;
}

export interface DatasetParent {
  id: string;
  contentRoot: string;
  title: string;
  upstreamBps: number;
}

export interface AnchorBatch {
  id: string;
  root: string;
  itemCount: number;
  proof: string[];
}

export interface AnchorTransaction {
  status: string;
  hash: string | null;
}

export interface AnchorEvent {
  txHash: string;
  blockNumber: number;
  anchoredAt: string;
}

/** A dataset's anchoring: pending, in a batch (with its inclusion proof), then anchored on-chain. */
export interface DatasetAnchorStatus {
  state: string;
  leaf: string;
  /** The ProvenanceRegistry: check `anchoredAt(batch.root) > 0`. */
  registry: string;
  batch?: AnchorBatch;
  transaction?: AnchorTransaction;
  anchor?: AnchorEvent;
}

export interface DatasetDetail extends DatasetSummary {
  parents: DatasetParent[];
  nextVersionIds: string[];
  /**
   * The EIP-712 Contribution type it was signed under: 2 signs `metadataHash` (title, description,
   * externalUri as shown); 1 (the first records) signed no metadata.
   */
  contributionVersion: 1 | 2;
  /** Version 2: the signed keccak256 of the shown metadata's canonical JSON; null for version 1. */
  metadataHash: string | null;
  nonce: string;
  deadline: string;
  signature: string;
  digest: string;
  anchorStatus: DatasetAnchorStatus;
  /** Earlier datasets sharing files with it, as its registration found them. */
  overlaps: DatasetOverlapSummary;
  /** Its owners withdrew it (no new licenses, no deliveries); null while it is live. */
  takedown: DatasetTakedown | null;
}

export interface DatasetPage {
  items: DatasetSummary[];
  nextCursor: string | null;
}

export interface ContributorDataset extends DatasetSummary {
  shareBps: number;
}

export interface ContributorDatasetPage {
  items: ContributorDataset[];
  nextCursor: string | null;
}

export interface DatasetFile {
  path: string;
  size: string;
  sha256: string;
}

export interface FilePage {
  items: DatasetFile[];
  nextCursor: string | null;
}

export interface FileProof {
  contentRoot: string;
  file: DatasetFile;
  proof: string[];
}

export interface LineageNode {
  id: string;
  contentRoot: string;
  title: string;
  depth: number;
  via: string;
  upstreamBps: number;
}

export interface Lineage {
  id: string;
  contentRoot: string;
  ancestors: LineageNode[];
  descendants: LineageNode[];
}

/** PUT /blobs and PUT /blobs/:sha256 */
export interface StoredBlob {
  sha256: string;
  size: string;
  /** false when identical bytes were already stored. */
  created: boolean;
}

export interface MissingBlobs {
  missing: string[];
}

// ---- shapes ----

export const FileEntryBodyShape = shapeOf<FileEntryBody>({ path: true, size: true, sha256: true });
export const OwnerShareShape = shapeOf<OwnerShare>({ account: true, shareBps: true });
export const ParentShareShape = shapeOf<ParentShare>({ datasetId: true, upstreamBps: true });
export const LicenseChoiceShape = shapeOf<LicenseChoice>({ template: true, fee: true, durationDays: true });
export const CreateDatasetRequestShape = shapeOf<CreateDatasetRequest>({
  title: true,
  description: true,
  storage: true,
  accessPolicy: true,
  externalUri: true,
  files: 'FileEntryBody',
  contentRoot: true,
  owners: 'OwnerShare',
  parents: 'ParentShare',
  license: 'LicenseChoice',
  licenseTermsHash: true,
  previousVersionId: true,
  nonce: true,
  deadline: true,
  signature: true,
});
export const CursorPageQueryShape = shapeOf<CursorPageQuery>({ limit: true, cursor: true });
export const DatasetQueryShape = shapeOf<DatasetQuery>({
  limit: true,
  cursor: true,
  owner: true,
  license: true,
  q: true,
  include: true,
});
export const FilePathQueryShape = shapeOf<FilePathQuery>({ path: true });
export const MissingBlobsRequestShape = shapeOf<MissingBlobsRequest>({ sha256s: true });

export const DatasetOwnerShape = shapeOf<DatasetOwner>({ account: true, shareBps: true });
export const DatasetOwnerPageShape = shapeOf<DatasetOwnerPage>({
  datasetId: true,
  items: 'DatasetOwner',
  total: true,
  limit: true,
  offset: true,
});
export const DatasetLicenseShape = shapeOf<DatasetLicense>({
  template: true,
  terms: true,
  termsHash: true,
  licensingOpen: true,
  approvedTemplate: true,
});
const summaryFields = {
  id: true,
  contentRoot: true,
  title: true,
  description: true,
  storage: true,
  accessPolicy: true,
  externalUri: true,
  fileCount: true,
  totalBytes: true,
  registrant: true,
  owners: 'DatasetOwner',
  ownerCount: true,
  ownersUrl: true,
  license: 'DatasetLicense',
  previousVersionId: true,
  createdAt: true,
  takenDownAt: true,
  tags: true,
  openDisputes: true,
} as const;
export const DatasetSummaryShape = shapeOf<DatasetSummary>(summaryFields);
export const DatasetParentShape = shapeOf<DatasetParent>({
  id: true,
  contentRoot: true,
  title: true,
  upstreamBps: true,
});
export const AnchorBatchShape = shapeOf<AnchorBatch>({ id: true, root: true, itemCount: true, proof: true });
export const AnchorTransactionShape = shapeOf<AnchorTransaction>({ status: true, hash: true });
export const AnchorEventShape = shapeOf<AnchorEvent>({ txHash: true, blockNumber: true, anchoredAt: true });
export const DatasetAnchorStatusShape = shapeOf<DatasetAnchorStatus>({
  state: true,
  leaf: true,
  registry: true,
  batch: 'AnchorBatch',
  transaction: 'AnchorTransaction',
  anchor: 'AnchorEvent',
});
export const DatasetDetailShape = shapeOf<DatasetDetail>({
  ...summaryFields,
  parents: 'DatasetParent',
  nextVersionIds: true,
  contributionVersion: true,
  metadataHash: true,
  nonce: true,
  deadline: true,
  signature: true,
  digest: true,
  anchorStatus: 'DatasetAnchorStatus',
  overlaps: 'DatasetOverlapSummary',
  takedown: 'DatasetTakedown',
});
export const DatasetPageShape = shapeOf<DatasetPage>({ items: 'DatasetSummary', nextCursor: true });
export const ContributorDatasetShape = shapeOf<ContributorDataset>({ ...summaryFields, shareBps: true });
export const ContributorDatasetPageShape = shapeOf<ContributorDatasetPage>({
  items: 'ContributorDataset',
  nextCursor: true,
});
export const DatasetFileShape = shapeOf<DatasetFile>({ path: true, size: true, sha256: true });
export const FilePageShape = shapeOf<FilePage>({ items: 'DatasetFile', nextCursor: true });
export const FileProofShape = shapeOf<FileProof>({ contentRoot: true, file: 'DatasetFile', proof: true });
export const LineageNodeShape = shapeOf<LineageNode>({
  id: true,
  contentRoot: true,
  title: true,
  depth: true,
  via: true,
  upstreamBps: true,
});
export const LineageShape = shapeOf<Lineage>({
  id: true,
  contentRoot: true,
  ancestors: 'LineageNode',
  descendants: 'LineageNode',
});
export const StoredBlobShape = shapeOf<StoredBlob>({ sha256: true, size: true, created: true });
export const MissingBlobsShape = shapeOf<MissingBlobs>({ missing: true });
