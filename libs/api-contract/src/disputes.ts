import type { DisputeLabel } from '@upstream/royalties';
import type { DatasetOwner } from './datasets';
import { shapeOf } from './shape';

/** Where a dispute stands: open until an arbiter upholds or rejects it (or anyone closes it, expired, as rejected). */
export type DisputeStatus = 'open' | 'upheld' | 'rejected';
export const DISPUTE_STATUSES: readonly DisputeStatus[] = ['open', 'upheld', 'rejected'];

/** GET /disputes */
export interface DisputeQuery {
  /** The disputed dataset: its UUID or content root. */
  dataset?: string;
  status?: DisputeStatus;
  /** Who opened it. */
  disputer?: string;
  limit?: number;
  offset?: number;
}

/** GET /datasets/:id/disputes */
export interface DatasetDisputeQuery {
  status?: DisputeStatus;
  limit?: number;
  offset?: number;
}

/** An indexed chain event: where it is. */
export interface DisputeEventRef {
  blockNumber: number;
  txHash: string;
  /** The block's time. */
  at: string;
}

/** How a dispute ended (DisputeResolved). */
export interface DisputeResolution {
  outcome: 'upheld' | 'rejected';
  /** Upheld: who receives the dataset's owner part from the opening on; rejected: []. */
  rightfulOwners: DatasetOwner[];
  /** The arbiter, or whoever closed it once expired. */
  resolver: string;
  /** Rejected: the runId under which the bond was paid into the splitter (to the owners, less the fee); upheld: null. */
  bondRunId: string | null;
  event: DisputeEventRef;
}

/** The dataset registered here under a disputed content root. */
export interface DisputedDataset {
  id: string;
  title: string;
}

/** A dispute as the indexer followed it from DisputeBonds. */
export interface Dispute {
  /** DisputeBonds' id (uint256, decimal). */
  id: string;
  contract: string;
  status: DisputeStatus;
  label: DisputeLabel;
  /** The disputed dataset's content root (its on-chain datasetId). */
  contentRoot: string;
  /** The dataset registered here under that root, if any. */
  dataset: DisputedDataset | null;
  disputer: string;
  /** The bond's token and amount (smallest unit, decimal string). */
  token: string;
  bond: string;
  evidenceHash: string;
  evidenceUri: string;
  /** The accounts the disputer claims are the rightful owners. */
  claimedOwners: string[];
  opened: DisputeEventRef;
  /**
   * Open: when anyone may close it as rejected (`closeExpired`), by the contract's timeout now; null when
   * the timeout could not be read from the chain. Resolved: null.
   */
  closableFrom: string | null;
  resolution: DisputeResolution | null;
}

export interface DisputePage {
  items: Dispute[];
  total: number;
  limit: number;
  offset: number;
}

/** A token DisputeBonds accepts for bonds. */
export interface BondToken {
  token: string;
  /** Smallest unit, decimal string. */
  minBond: string;
}

/** What a client needs to open or close a dispute with its own wallet (GET /disputes/parameters). */
export interface DisputeParameters {
  /** DisputeBonds: `open(request)` after approving the bond; `closeExpired(id)`. */
  contract: string;
  chainId: number;
  /** Seconds after its opening from which anyone may close an unresolved dispute as rejected. */
  timeoutSeconds: number;
  /** The bond tokens this service knows of (its payment tokens) that DisputeBonds accepts, with their minimum bonds. */
  bondTokens: BondToken[];
  /** The role an account needs to uphold or reject (keccak256("ARBITER_ROLE")). */
  arbiterRole: string;
  /** The labels, in the contract's order (`label` is the index). */
  labels: DisputeLabel[];
}

export const DisputeQueryShape = shapeOf<DisputeQuery>({
  dataset: true,
  status: true,
  disputer: true,
  limit: true,
  offset: true,
});
export const DatasetDisputeQueryShape = shapeOf<DatasetDisputeQuery>({ status: true, limit: true, offset: true });
export const DisputeEventRefShape = shapeOf<DisputeEventRef>({ blockNumber: true, txHash: true, at: true });
export const DisputeResolutionShape = shapeOf<DisputeResolution>({
  outcome: true,
  rightfulOwners: 'DatasetOwner',
  resolver: true,
  bondRunId: true,
  event: 'DisputeEventRef',
});
export const DisputedDatasetShape = shapeOf<DisputedDataset>({ id: true, title: true });
export const DisputeShape = shapeOf<Dispute>({
  id: true,
  contract: true,
  status: true,
  label: true,
  contentRoot: true,
  dataset: 'DisputedDataset',
  disputer: true,
  token: true,
  bond: true,
  evidenceHash: true,
  evidenceUri: true,
  claimedOwners: true,
  opened: 'DisputeEventRef',
  closableFrom: true,
  resolution: 'DisputeResolution',
});
export const DisputePageShape = shapeOf<DisputePage>({ items: 'Dispute', total: true, limit: true, offset: true });
export const BondTokenShape = shapeOf<BondToken>({ token: true, minBond: true });
export const DisputeParametersShape = shapeOf<DisputeParameters>({
  contract: true,
  chainId: true,
  timeoutSeconds: true,
  bondTokens: 'BondToken',
  arbiterRole: true,
  labels: true,
});
