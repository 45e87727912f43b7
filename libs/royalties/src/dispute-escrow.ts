// The dispute rule that decides money: while a dispute against a dataset is open, its owners' part of
// every later payment is held in escrow; an upheld dispute hands that part to the rightful owners it names,
// a rejected one to the owners. Pure and order-free, so the server and `verify-epoch` agree.
import { splitBps } from './largest-remainder.splitter';
import { TOTAL_BPS, type OwnerShare, type Share } from './royalty.allocator';
import { RoyaltyError } from './royalty.errors';
import { byDatasetThenAccount, byKeys } from './sort-key.comparator';

export const DISPUTE_LABELS = ['IMPROPER_REGISTRATION', 'INFRINGEMENT', 'IMPROPER_USAGE', 'IMPROPER_PAYMENT'] as const;
export type DisputeLabel = (typeof DISPUTE_LABELS)[number];

export type DisputeOutcome = 'upheld' | 'rejected';

/** Where an event sits in the chain: events compare by block, then by log index. */
export interface ChainPosition {
  blockNumber: number;
  logIndex: number;
}

/** One dispute as the chain recorded it (GET /epochs/:n/inputs lists every dispute opened up to the epoch). */
export interface PublicDispute {
  /** The contract's dispute id (decimal string). */
  disputeId: string;
  /** The disputed dataset's content root. */
  datasetId: string;
  /** The DisputeOpened event. */
  opened: ChainPosition;
  /** The DisputeResolved event; null while the dispute is open. */
  resolution: {
    outcome: DisputeOutcome;
    at: ChainPosition;
    /** Upheld: who receives the dataset's owner part from the opening on (shares sum to 10,000). Rejected: []. */
    rightfulOwners: OwnerShare[];
  } | null;
}

/** An owner's share held for a dispute: not claimable until the dispute is resolved. */
export interface EscrowShare {
  disputeId: string;
  datasetId: string;
  /** The owner the share would have gone to without the dispute (it gets it back if the dispute is rejected). */
  account: string;
  amount: bigint;
}

export interface DisputedShares {
  /** Shares as paid: disputed owners' shares left out, an upheld dispute's rightful owners in their place. */
  paid: Share[];
  escrow: EscrowShare[];
}

interface CanonicalDispute {
  disputeId: string;
  datasetId: string;
  opened: ChainPosition;
  outcome: DisputeOutcome | null;
  rightfulOwners: readonly OwnerShare[];
  rightfulBps: readonly number[];
}

/** The disputes of each dataset, checked and in canonical order: the input of `applyDisputes`. */
export class DisputeBook {
  private readonly byDataset = new Map<string, CanonicalDispute[]>();

  constructor(disputes: readonly PublicDispute[] = []) {
    const ids = new Set<string>();
    disputes.forEach((d, i) => {
      const c = canonicalDispute(d, i);
      if (ids.has(c.disputeId))
        throw new RoyaltyError('INVALID_DISPUTE', `disputes[${i}].disputeId`, `${c.disputeId} is listed twice`);
      ids.add(c.disputeId);
      const list = this.byDataset.get(c.datasetId) ?? [];
      list.push(c);
      this.byDataset.set(c.datasetId, list);
    });
    for (const list of this.byDataset.values()) list.sort((a, b) => comparePositions(a.opened, b.opened));
  }

  get size(): number {
    return this.byDataset.size;
  }

  /**
   * The dispute that decides a dataset's owner part of a payment at `at`: the earliest upheld dispute
   * opened before it, else the earliest still-open dispute opened before it, else none (a rejected
   * dispute leaves the owners paid as if it had never been opened).
   */
  governing(datasetId: string, at: ChainPosition): CanonicalDispute | undefined {
    const list = this.byDataset.get(datasetId);
    if (!list) return undefined;
    let open: CanonicalDispute | undefined;
    for (const d of list) {
      if (comparePositions(d.opened, at) >= 0) break;
      if (d.outcome === 'upheld') return d;
      if (d.outcome === null) open ??= d;
    }
    return open;
  }
}

/**
 * Applies the dispute rule to one payment's shares (from `allocatePayment`, all of one payment at `at`):
 * a dataset whose governing dispute is open has its owners' shares moved to escrow; one whose governing
 * dispute was upheld has its owners' part (their shares' sum) split among the rightful owners by their
 * shareBps (largest remainder, ties to the smaller account). Shares to parents are shares of the parents'
 * owners, so they keep flowing. Σ paid + Σ escrow == Σ shares exactly.
 */
export function applyDisputes(shares: readonly Share[], at: ChainPosition, book: DisputeBook): DisputedShares {
  if (book.size === 0) return { paid: [...shares], escrow: [] };
  const paid: Share[] = [];
  const escrow: EscrowShare[] = [];
  const upheldTotals = new Map<string, { dispute: CanonicalDispute; total: bigint }>();
  for (const s of shares) {
    const dispute = book.governing(s.datasetId, at);
    if (!dispute) paid.push(s);
    else if (dispute.outcome === null)
      escrow.push({ disputeId: dispute.disputeId, datasetId: s.datasetId, account: s.account, amount: s.amount });
    else {
      const prior = upheldTotals.get(s.datasetId);
      upheldTotals.set(s.datasetId, { dispute, total: (prior?.total ?? 0n) + s.amount });
    }
  }
  for (const [datasetId, { dispute, total }] of upheldTotals) {
    const parts = splitBps(total, dispute.rightfulBps);
    dispute.rightfulOwners.forEach((o, k) => {
      if (parts[k] > 0n) paid.push({ account: o.account, amount: parts[k], datasetId });
    });
  }
  paid.sort(byDatasetThenAccount);
  return { paid, escrow };
}

export function comparePositions(a: ChainPosition, b: ChainPosition): number {
  return a.blockNumber - b.blockNumber || a.logIndex - b.logIndex;
}

const DATASET_ID_RE = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
const DISPUTE_ID_RE = /^(0|[1-9][0-9]{0,77})$/;

function checkPosition(p: ChainPosition | undefined, field: string): ChainPosition {
  if (
    !p ||
    !Number.isSafeInteger(p.blockNumber) ||
    p.blockNumber < 0 ||
    !Number.isSafeInteger(p.logIndex) ||
    p.logIndex < 0
  )
    throw new RoyaltyError('INVALID_DISPUTE', field, 'must be { blockNumber, logIndex } of non-negative integers');
  return { blockNumber: p.blockNumber, logIndex: p.logIndex };
}

function canonicalDispute(d: PublicDispute, i: number): CanonicalDispute {
  const at = `disputes[${i}]`;
  if (typeof d.disputeId !== 'string' || !DISPUTE_ID_RE.test(d.disputeId))
    throw new RoyaltyError('INVALID_DISPUTE', `${at}.disputeId`, 'must be a decimal integer string');
  if (typeof d.datasetId !== 'string' || !DATASET_ID_RE.test(d.datasetId))
    throw new RoyaltyError('INVALID_DATASET_ID', `${at}.datasetId`, 'must be 0x followed by 64 hex digits');
  const opened = checkPosition(d.opened, `${at}.opened`);
  const base = { disputeId: d.disputeId, datasetId: d.datasetId.toLowerCase(), opened };
  if (d.resolution === null || d.resolution === undefined)
    return { ...base, outcome: null, rightfulOwners: [], rightfulBps: [] };
  const { outcome } = d.resolution;
  if (outcome !== 'upheld' && outcome !== 'rejected')
    throw new RoyaltyError('INVALID_DISPUTE', `${at}.resolution.outcome`, "must be 'upheld' or 'rejected'");
  const resolvedAt = checkPosition(d.resolution.at, `${at}.resolution.at`);
  if (comparePositions(resolvedAt, opened) <= 0)
    throw new RoyaltyError('INVALID_DISPUTE', `${at}.resolution.at`, 'must come after the opening');
  if (outcome === 'rejected') return { ...base, outcome, rightfulOwners: [], rightfulBps: [] };
  const rightfulOwners = canonicalOwners(d.resolution.rightfulOwners, `${at}.resolution.rightfulOwners`);
  return { ...base, outcome, rightfulOwners, rightfulBps: rightfulOwners.map((o) => o.shareBps) };
}

function canonicalOwners(given: readonly OwnerShare[] | undefined, field: string): OwnerShare[] {
  const raw = given ?? [];
  if (!isList(raw) || raw.length === 0)
    throw new RoyaltyError('INVALID_OWNERS', field, 'an upheld dispute must name at least one rightful owner');
  let sum = 0;
  const owners = raw.map((o, k) => {
    if (typeof o.account !== 'string' || !ADDRESS_RE.test(o.account))
      throw new RoyaltyError('INVALID_ADDRESS', `${field}[${k}].account`, 'must be 0x followed by 40 hex digits');
    if (!Number.isInteger(o.shareBps) || o.shareBps < 1 || o.shareBps > TOTAL_BPS)
      throw new RoyaltyError('INVALID_OWNERS', `${field}[${k}].shareBps`, `must be an integer 1..${TOTAL_BPS}`);
    sum += o.shareBps;
    return { account: o.account.toLowerCase(), shareBps: o.shareBps };
  });
  if (sum !== TOTAL_BPS)
    throw new RoyaltyError('INVALID_OWNERS', field, `shareBps must sum to ${TOTAL_BPS}, got ${sum}`);
  owners.sort(byKeys((o) => o.account));
  for (let k = 1; k < owners.length; k++)
    if (owners[k].account === owners[k - 1].account)
      throw new RoyaltyError('INVALID_OWNERS', field, `${owners[k].account} is listed twice`);
  return owners;
}

/** Whether an input that the types say is an array really is one (it may come from JSON), without narrowing it to any[]. */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}
