import type { ContractCall } from './chain';
import { shapeOf } from './shape';

// ---- requests ----

export interface PageQuery {
  limit?: number;
  offset?: number;
}

export interface PaymentsQuery extends PageQuery {
  status?: 'allocated' | 'unallocated';
}

// ---- responses ----

/** Amounts in smallest token units, decimal strings. */
export interface TokenBalance {
  token: string;
  earned: string;
  claimed: string;
  inCurrentRoot: string;
  claimable: string;
  /** Earned but not yet in an accepted root; includes `queued`. */
  pending: string;
  /** The part of `pending` already in roots queued on chain, claimable once they are accepted. */
  queued: string;
  /** When the newest of those roots can be accepted (ISO time), or null when none is queued. */
  queuedClaimableAt: string | null;
}

export interface ContributorBalances {
  account: string;
  currentEpoch: number | null;
  balances: TokenBalance[];
  /** What open disputes hold of this account's shares (not in `earned` until released), per dispute and token. */
  escrow: EscrowHolding[];
}

/** An owner's shares held for one open dispute in one token: released to it (rejected) or to the rightful owners (upheld). */
export interface EscrowHolding {
  disputeId: string;
  /** The disputed dataset's content root. */
  datasetId: string;
  token: string;
  amount: string;
}

export interface HistoryItem {
  paymentId: string;
  runId: string;
  /** run | license */
  source: string;
  datasetId: string;
  token: string;
  amount: string;
  txHash: string;
  blockNumber: number;
  paidAt: string;
}

export interface ContributorHistory {
  account: string;
  total: number;
  items: HistoryItem[];
}

export interface ClaimProof {
  token: string;
  cumulative: string;
  claimed: string;
  claimable: string;
  proof: string[];
  /** claim(account, token, cumulativeAmount, proof) */
  call: ContractCall;
}

/** The account's votes leaf in the current root: governance votes earned by taking part. */
export interface VotesClaim {
  /** The UpstreamVotes contract (the leaf's `token`). */
  votes: string;
  cumulative: string;
  /** Earned votes already minted to the account (UpstreamVotes.earnedClaimed). */
  claimed: string;
  claimable: string;
  proof: string[];
  /** claimVotes(account, cumulativeVotes, proof) on the votes contract */
  call: ContractCall;
}

export interface ContributorProofs {
  account: string;
  epoch: number | null;
  root: string | null;
  chainId: number;
  splitter: string;
  /** Royalty claims on the splitter (the votes leaf is in `votes`, not here). */
  claims: ClaimProof[];
  claimMany: ContractCall | null;
  votes: VotesClaim | null;
  /** claimWithVotes on the votes contract: every open token claim and the new votes in one transaction. */
  claimWithVotes: ContractCall | null;
}

/** How royalties earn votes: votes (smallest units) per smallest unit of royalty, per payment token. */
export interface EarnedVotesRule {
  token: string;
  perUnit: Record<string, string>;
}

export interface TokenTotal {
  token: string;
  total: string;
  accounts: number;
}

export interface Epoch {
  epoch: number;
  /** See EPOCH_STATUSES in the API; `invalidated` roots are never claimable. */
  status: string;
  current: boolean;
  root: string;
  dataHash: string;
  leafCount: number;
  paymentCount: number;
  proposeTx: string | null;
  acceptTx: string | null;
  error: string | null;
  claimableAt: string | null;
  createdAt: string;
  basisBlock: number | null;
  basisBlockHash: string | null;
  invalidatedAt: string | null;
  invalidatedReason: string | null;
  lostPayments: number;
  totals: TokenTotal[];
}

export interface EpochList {
  total: number;
  items: Epoch[];
}

export interface EpochLeaf {
  token: string;
  account: string;
  cumulative: string;
}

export interface EpochLeaves {
  epoch: number;
  root: string;
  leafEncoding: string[];
  total: number;
  items: EpochLeaf[];
}

export interface PublicEntry {
  datasetId: string;
  weight: string;
}

export interface PublicPayment {
  txHash: string;
  logIndex: number;
  blockNumber: number;
  runId: string;
  token: string;
  amount: string;
  fee: string;
  net: string;
  /** `bond`: a rejected dispute's bond, allocated to the disputed dataset's owners alone. */
  source: 'run' | 'license' | 'bond';
  entries: PublicEntry[];
  /** Per-run fees this payment paid (gross): each allocated to its dataset as weight 1, the rest over `entries`. */
  runFees: PublicRunFee[];
}

export interface PublicRunFee {
  datasetId: string;
  amount: string;
}

/** Owners and parents of one dataset, keyed by content root in EpochInputs. */
export interface PublicDataset {
  owners: { account: string; shareBps: number }[];
  parents: { datasetId: string; upstreamBps: number }[];
}

/** Where an event sits in the chain (events compare by block, then log index). */
export interface EventPosition {
  blockNumber: number;
  logIndex: number;
}

/** A rightful owner named by an upheld dispute. */
export interface EpochDisputeOwner {
  account: string;
  shareBps: number;
}

export interface EpochDisputeResolution {
  outcome: 'upheld' | 'rejected';
  at: EventPosition;
  /** Upheld: who receives the dataset's owner part from the opening on; rejected: []. */
  rightfulOwners: EpochDisputeOwner[];
}

/** A dispute as an epoch's inputs publish it (libs/royalties `PublicDispute`). */
export interface EpochDispute {
  disputeId: string;
  /** The disputed dataset's content root. */
  datasetId: string;
  opened: EventPosition;
  /** Null while open at the epoch's basis block. */
  resolution: EpochDisputeResolution | null;
}

/** GET /epochs/:epoch/inputs: everything a verifier needs to rebuild the root (libs/royalties rebuildEpoch). */
export interface EpochInputs {
  epoch: number;
  chainId: number;
  splitter: string;
  root: string;
  dataHash: string;
  rules: string;
  payments: PublicPayment[];
  datasets: Record<string, PublicDataset>;
  /** Votes leaves beside the balances: the rule that makes them (null: this epoch has none). */
  votes: EarnedVotesRule | null;
  /** Every dispute opened up to the epoch's basis block, with its resolution if that is within it too. */
  disputes: EpochDispute[];
}

export interface Payment {
  id: string;
  runId: string;
  token: string;
  payer: string;
  amount: string;
  fee: string;
  net: string;
  status: string;
  source: string | null;
  ledgerTotal: string;
  allocationError: string | null;
  txHash: string;
  logIndex: number;
  blockNumber: number;
  paidAt: string;
}

export interface PaymentList {
  total: number;
  items: Payment[];
}

// ---- shapes ----

export const PageQueryShape = shapeOf<PageQuery>({ limit: true, offset: true });
export const PaymentsQueryShape = shapeOf<PaymentsQuery>({ limit: true, offset: true, status: true });
export const TokenBalanceShape = shapeOf<TokenBalance>({
  token: true,
  earned: true,
  claimed: true,
  inCurrentRoot: true,
  claimable: true,
  pending: true,
  queued: true,
  queuedClaimableAt: true,
});
export const ContributorBalancesShape = shapeOf<ContributorBalances>({
  account: true,
  currentEpoch: true,
  balances: 'TokenBalance',
  escrow: 'EscrowHolding',
});
export const EscrowHoldingShape = shapeOf<EscrowHolding>({
  disputeId: true,
  datasetId: true,
  token: true,
  amount: true,
});
export const EventPositionShape = shapeOf<EventPosition>({ blockNumber: true, logIndex: true });
export const EpochDisputeOwnerShape = shapeOf<EpochDisputeOwner>({ account: true, shareBps: true });
export const EpochDisputeResolutionShape = shapeOf<EpochDisputeResolution>({
  outcome: true,
  at: 'EventPosition',
  rightfulOwners: 'EpochDisputeOwner',
});
export const EpochDisputeShape = shapeOf<EpochDispute>({
  disputeId: true,
  datasetId: true,
  opened: 'EventPosition',
  resolution: 'EpochDisputeResolution',
});
export const HistoryItemShape = shapeOf<HistoryItem>({
  paymentId: true,
  runId: true,
  source: true,
  datasetId: true,
  token: true,
  amount: true,
  txHash: true,
  blockNumber: true,
  paidAt: true,
});
export const ContributorHistoryShape = shapeOf<ContributorHistory>({
  account: true,
  total: true,
  items: 'HistoryItem',
});
export const ClaimProofShape = shapeOf<ClaimProof>({
  token: true,
  cumulative: true,
  claimed: true,
  claimable: true,
  proof: true,
  call: 'ContractCall',
});
export const ContributorProofsShape = shapeOf<ContributorProofs>({
  account: true,
  epoch: true,
  root: true,
  chainId: true,
  splitter: true,
  claims: 'ClaimProof',
  claimMany: 'ContractCall',
  votes: 'VotesClaim',
  claimWithVotes: 'ContractCall',
});
export const VotesClaimShape = shapeOf<VotesClaim>({
  votes: true,
  cumulative: true,
  claimed: true,
  claimable: true,
  proof: true,
  call: 'ContractCall',
});
export const EarnedVotesRuleShape = shapeOf<EarnedVotesRule>({ token: true, perUnit: true });
export const TokenTotalShape = shapeOf<TokenTotal>({ token: true, total: true, accounts: true });
export const EpochShape = shapeOf<Epoch>({
  epoch: true,
  status: true,
  current: true,
  root: true,
  dataHash: true,
  leafCount: true,
  paymentCount: true,
  proposeTx: true,
  acceptTx: true,
  error: true,
  claimableAt: true,
  createdAt: true,
  basisBlock: true,
  basisBlockHash: true,
  invalidatedAt: true,
  invalidatedReason: true,
  lostPayments: true,
  totals: 'TokenTotal',
});
export const EpochListShape = shapeOf<EpochList>({ total: true, items: 'Epoch' });
export const EpochLeafShape = shapeOf<EpochLeaf>({ token: true, account: true, cumulative: true });
export const EpochLeavesShape = shapeOf<EpochLeaves>({
  epoch: true,
  root: true,
  leafEncoding: true,
  total: true,
  items: 'EpochLeaf',
});
export const PublicEntryShape = shapeOf<PublicEntry>({ datasetId: true, weight: true });
export const PublicPaymentShape = shapeOf<PublicPayment>({
  txHash: true,
  logIndex: true,
  blockNumber: true,
  runId: true,
  token: true,
  amount: true,
  fee: true,
  net: true,
  source: true,
  entries: 'PublicEntry',
  runFees: 'PublicRunFee',
});
export const PublicRunFeeShape = shapeOf<PublicRunFee>({ datasetId: true, amount: true });
export const EpochInputsShape = shapeOf<EpochInputs>({
  epoch: true,
  chainId: true,
  splitter: true,
  root: true,
  dataHash: true,
  rules: true,
  payments: 'PublicPayment',
  datasets: true,
  votes: 'EarnedVotesRule',
  disputes: 'EpochDispute',
});
export const PaymentShape = shapeOf<Payment>({
  id: true,
  runId: true,
  token: true,
  payer: true,
  amount: true,
  fee: true,
  net: true,
  status: true,
  source: true,
  ledgerTotal: true,
  allocationError: true,
  txHash: true,
  logIndex: true,
  blockNumber: true,
  paidAt: true,
});
export const PaymentListShape = shapeOf<PaymentList>({ total: true, items: 'Payment' });
