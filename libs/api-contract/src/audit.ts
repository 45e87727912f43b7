import type { Run, RunPaymentTotal } from './runs';
import { shapeOf } from './shape';

export interface EntryOwner {
  account: string;
  shareBps: number;
}

/** A lab's license on a dataset, as the provenance view shows it. */
export interface EntryLicense {
  id: string;
  status: string;
  termsHash: string;
  activatedAt: string | null;
  expiresAt: string | null;
  activationTx: string | null;
}

export interface ProvenanceEntry {
  position: number;
  /** Content root (on-chain datasetId). */
  datasetId: string;
  datasetUuid: string;
  title: string;
  weight: string;
  licenseTemplate: string;
  owners: EntryOwner[];
  licenses: EntryLicense[];
  /** Proof of abi.encode(datasetId, weight) in the run's entriesRoot. */
  proof: string[];
}

/** GET /runs/:id/provenance: which data trained this run. */
export interface RunProvenance {
  run: Run;
  entries: ProvenanceEntry[];
  limit: number;
  offset: number;
  total: number;
  verification: string;
}

export interface ModelProvenance {
  modelHash: string;
  runs: RunProvenance[];
}

export interface DatasetRun {
  id: string;
  runId: string;
  lab: string;
  modelName: string;
  modelHash: string;
  datasetId: string;
  weightUnit: string;
  weight: string;
  totalWeight: string;
  /** The contributor's share of the dataset (contributor view only). */
  shareBps?: number;
  recordedAt: string;
  paid: RunPaymentTotal[];
}

/** GET /datasets/:id/runs: a page of the runs that used the dataset, in the shape of every paged list. */
export interface DatasetRuns {
  datasetId: string;
  datasetUuid: string;
  items: DatasetRun[];
  total: number;
  limit: number;
  offset: number;
}

/** GET /contributors/:address/runs: a page of the run entries on datasets the account co-owns. */
export interface ContributorRuns {
  address: string;
  items: DatasetRun[];
  total: number;
  limit: number;
  offset: number;
}

/** GET /runs/:id/croissant: MLCommons Croissant-style JSON-LD, free-form. */
export type CroissantDocument = Record<string, unknown>;

export const EntryOwnerShape = shapeOf<EntryOwner>({ account: true, shareBps: true });
export const EntryLicenseShape = shapeOf<EntryLicense>({
  id: true,
  status: true,
  termsHash: true,
  activatedAt: true,
  expiresAt: true,
  activationTx: true,
});
export const ProvenanceEntryShape = shapeOf<ProvenanceEntry>({
  position: true,
  datasetId: true,
  datasetUuid: true,
  title: true,
  weight: true,
  licenseTemplate: true,
  owners: 'EntryOwner',
  licenses: 'EntryLicense',
  proof: true,
});
export const RunProvenanceShape = shapeOf<RunProvenance>({
  run: 'Run',
  entries: 'ProvenanceEntry',
  limit: true,
  offset: true,
  total: true,
  verification: true,
});
export const ModelProvenanceShape = shapeOf<ModelProvenance>({ modelHash: true, runs: 'RunProvenance' });
export const DatasetRunShape = shapeOf<DatasetRun>({
  id: true,
  runId: true,
  lab: true,
  modelName: true,
  modelHash: true,
  datasetId: true,
  weightUnit: true,
  weight: true,
  totalWeight: true,
  shareBps: true,
  recordedAt: true,
  paid: 'RunPaymentTotal',
});
export const DatasetRunsShape = shapeOf<DatasetRuns>({
  datasetId: true,
  datasetUuid: true,
  items: 'DatasetRun',
  total: true,
  limit: true,
  offset: true,
});
export const ContributorRunsShape = shapeOf<ContributorRuns>({
  address: true,
  items: 'DatasetRun',
  total: true,
  limit: true,
  offset: true,
});
