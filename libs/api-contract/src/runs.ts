import { shapeOf } from './shape';

// ---- requests ----

export interface RunEntryBody {
  /** The dataset's content root. */
  datasetId: string;
  /** Positive integer, decimal string. */
  weight: string;
}

/** POST /runs: the lab's signed EIP-712 TrainingRun manifest, with all its entries or the first chunk. */
export interface CreateRunRequest {
  lab: string;
  runRef: string;
  modelName: string;
  modelHash: string;
  entriesRoot: string;
  entryCount: number;
  weightUnit: string;
  /** Unix seconds. */
  startedAt: number;
  endedAt: number;
  nonce: string;
  deadline: number;
  signature: string;
  entries?: RunEntryBody[];
}

/** POST /runs/:id/entries */
export interface RunEntriesChunk {
  /** = entries received so far. */
  offset: number;
  entries: RunEntryBody[];
}

export interface RunPaymentQuery {
  amount: string;
  token?: string;
}

export interface EntryProofQuery {
  datasetId: string;
}

// ---- responses ----

export interface RunAnchorBatch {
  id: string;
  root: string;
  itemCount: number;
  proof: string[];
}

export interface AnchorTx {
  txHash: string;
  blockNumber: number;
  anchoredAt: string;
}

export interface RunAnchorStatus {
  state: string;
  leaf: string;
  batch?: RunAnchorBatch;
  transaction?: { status: string; hash: string | null };
  anchor?: AnchorTx;
}

/** RunPaid payments for a runId, summed per token. */
export interface RunPaymentTotal {
  token: string;
  amount: string;
  fee: string;
  net: string;
  payments: number;
}

/**
 * A per-run fee the run owes for a paid-per-run dataset (every run under a license after the first, which
 * the acquisition fee covered), and how much of it the run's payments have paid so far.
 */
export interface RunFee {
  /** The dataset's content root. */
  datasetId: string;
  token: string;
  amount: string;
  paid: string;
}

export interface Run {
  id: string;
  /** bytes32 for payRun = the manifest's EIP-712 digest. */
  runId: string;
  lab: string;
  modelName: string;
  modelHash: string;
  runRef: string;
  entriesRoot: string;
  entryCount: number;
  weightUnit: string;
  totalWeight: string;
  startedAt: string;
  endedAt: string;
  nonce: string;
  deadline: string;
  signature: string;
  createdAt: string;
  anchor: RunAnchorStatus;
  paid: RunPaymentTotal[];
  /** Per-run fees owed for paid-per-run datasets; empty when none. */
  fees: RunFee[];
  /** none: no fee owed; awaiting_fee: some fee not fully paid yet; paid. */
  feeStatus: 'none' | 'awaiting_fee' | 'paid';
}

export interface RunUpload {
  id: string;
  runId: string;
  status: 'open' | 'committed';
  /** Entries received so far = the next chunk's offset. */
  received: number;
  entryCount: number;
  /** The recorded run, once committed. */
  run?: Run;
}

export interface RunEntryRow {
  position: number;
  datasetId: string;
  datasetUuid: string;
  weight: string;
}

/** GET /runs/:id/entries: a page of the run's entries in manifest order, in the shape of every paged list. */
export interface RunEntriesPage {
  runId: string;
  items: RunEntryRow[];
  limit: number;
  offset: number;
  total: number;
}

export interface RunEntryProof {
  runId: string;
  entriesRoot: string;
  entry: RunEntryRow;
  proof: string[];
}

// ---- shapes ----

export const RunEntryBodyShape = shapeOf<RunEntryBody>({ datasetId: true, weight: true });
export const CreateRunRequestShape = shapeOf<CreateRunRequest>({
  lab: true,
  runRef: true,
  modelName: true,
  modelHash: true,
  entriesRoot: true,
  entryCount: true,
  weightUnit: true,
  startedAt: true,
  endedAt: true,
  nonce: true,
  deadline: true,
  signature: true,
  entries: 'RunEntryBody',
});
export const RunEntriesChunkShape = shapeOf<RunEntriesChunk>({ offset: true, entries: 'RunEntryBody' });
export const RunPaymentQueryShape = shapeOf<RunPaymentQuery>({ amount: true, token: true });
export const EntryProofQueryShape = shapeOf<EntryProofQuery>({ datasetId: true });
export const RunAnchorBatchShape = shapeOf<RunAnchorBatch>({ id: true, root: true, itemCount: true, proof: true });
export const AnchorTxShape = shapeOf<AnchorTx>({ txHash: true, blockNumber: true, anchoredAt: true });
export const RunAnchorStatusShape = shapeOf<RunAnchorStatus>({
  state: true,
  leaf: true,
  batch: 'RunAnchorBatch',
  transaction: true,
  anchor: 'AnchorTx',
});
export const RunPaymentTotalShape = shapeOf<RunPaymentTotal>({
  token: true,
  amount: true,
  fee: true,
  net: true,
  payments: true,
});
export const RunShape = shapeOf<Run>({
  id: true,
  runId: true,
  lab: true,
  modelName: true,
  modelHash: true,
  runRef: true,
  entriesRoot: true,
  entryCount: true,
  weightUnit: true,
  totalWeight: true,
  startedAt: true,
  endedAt: true,
  nonce: true,
  deadline: true,
  signature: true,
  createdAt: true,
  anchor: 'RunAnchorStatus',
  paid: 'RunPaymentTotal',
  fees: 'RunFee',
  feeStatus: true,
});
export const RunFeeShape = shapeOf<RunFee>({ datasetId: true, token: true, amount: true, paid: true });
export const RunUploadShape = shapeOf<RunUpload>({
  id: true,
  runId: true,
  status: true,
  received: true,
  entryCount: true,
  run: 'Run',
});
export const RunEntryRowShape = shapeOf<RunEntryRow>({
  position: true,
  datasetId: true,
  datasetUuid: true,
  weight: true,
});
export const RunEntriesPageShape = shapeOf<RunEntriesPage>({
  runId: true,
  items: 'RunEntryRow',
  limit: true,
  offset: true,
  total: true,
});
export const RunEntryProofShape = shapeOf<RunEntryProof>({
  runId: true,
  entriesRoot: true,
  entry: 'RunEntryRow',
  proof: true,
});
