// @upstream/royalties — who gets paid what, as exact bigint arithmetic with no I/O.
// Owns the fee/weight/lineage/owner split of a run payment and the epoch cumulative-balance tree.
export { RoyaltyError, type RoyaltyErrorCode } from './royalty.errors';
export { LargestRemainderSplit, splitBps, splitLargestRemainder } from './largest-remainder.splitter';
export { byDatasetThenAccount, byKeys, type SortKey } from './sort-key.comparator';
export {
  allocate,
  RunAllocator,
  runEntryNodes,
  runPasses,
  streamPasses,
  TOTAL_BPS,
  type AllocatedBatch,
  type AccountTotal,
  type Allocation,
  type AllocationInput,
  type DatasetFlow,
  type DatasetGraph,
  type DatasetNode,
  type OwnerShare,
  type ParentShare,
  type Passes,
  type RunEntryNode,
  type RunEntryWeight,
  type Share,
} from './royalty.allocator';
export {
  allocatePayment,
  coverRunFees,
  PaymentAllocator,
  splitPaymentNet,
  type PaymentAllocationInput,
  type PaymentSplit,
  type RunFeePart,
} from './run-fee.split';
export {
  cumulativeLeaves,
  EpochLeafHasher,
  EPOCH_LEAF_TYPES,
  EpochTree,
  verifyEpochClaim,
  type CumulativeBalance,
  type EpochClaim,
} from './epoch-leaves.tree';
export {
  cumulativeBalances,
  CumulativeSums,
  disputeEscrow,
  epochDataHash,
  EPOCH_DATA_HASH_TAG,
  EPOCH_DATA_HASH_TYPES,
  rebuildEpoch,
  rebuildFromBalances,
  withEarnedVotes,
  type EpochInputs,
  type EscrowBalance,
  type PublicDataset,
  type PublicPayment,
  type RebuiltEpoch,
  ownersOnly,
} from './epoch.rebuilder';
export { earnedVotes, VotesRule, type EarnedVotesRule } from './earned-votes';
export { EpochLeafStream } from './epoch-leaf.stream';
export {
  applyDisputes,
  comparePositions,
  DISPUTE_LABELS,
  DisputeBook,
  type ChainPosition,
  type DisputedShares,
  type DisputeLabel,
  type DisputeOutcome,
  type EscrowShare,
  type PublicDispute,
} from './dispute-escrow';
