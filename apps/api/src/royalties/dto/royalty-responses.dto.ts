import { ApiProperty } from '@nestjs/swagger';
import { EPOCH_STATUSES } from '../epochs.repository';
import type {
  ClaimProof,
  ContractCall,
  ContributorBalances,
  ContributorHistory,
  ContributorProofs,
  Epoch,
  EpochInputs,
  EpochLeaf,
  EpochLeaves,
  EpochList,
  HistoryItem,
  Payment,
  PaymentList,
  PublicEntry,
  PublicRunFee,
  PublicPayment,
  TokenBalance,
  TokenTotal,
  VotesClaim,
  EarnedVotesRule,
  EpochDispute,
  EpochDisputeOwner,
  EpochDisputeResolution,
  EscrowHolding,
  EventPosition,
} from '@upstream/api-contract';

const ADDR = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const TOKEN = '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0';
const H32 = '0x' + '3f'.repeat(32);

export class TokenBalanceDto implements TokenBalance {
  @ApiProperty({ example: TOKEN }) token!: string;
  @ApiProperty({ example: '975000', description: 'All-time earned in the ledger (decimal string, smallest unit)' })
  earned!: string;
  @ApiProperty({ example: '500000', description: 'Claimed on-chain so far (indexed Claimed events)' }) claimed!: string;
  @ApiProperty({ example: '975000', description: 'Cumulative amount in the current accepted root' })
  inCurrentRoot!: string;
  @ApiProperty({ example: '475000', description: 'Claimable now: in the current root minus claimed' })
  claimable!: string;
  @ApiProperty({
    example: '0',
    description: 'Earned but not yet in an accepted root: waiting in a queued root (`queued`) or for the next epoch',
  })
  pending!: string;
  @ApiProperty({
    example: '0',
    description:
      'The part of `pending` in roots proposed on chain and waiting for their delay: claimable once accepted',
  })
  queued!: string;
  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'When the newest queued root can be accepted (ISO time); null when no root is queued',
  })
  queuedClaimableAt!: string | null;
}

export class EscrowHoldingDto implements EscrowHolding {
  @ApiProperty({ example: '1', description: "The dispute's id on DisputeBonds" }) disputeId!: string;
  @ApiProperty({ example: H32, description: "The disputed dataset's content root" }) datasetId!: string;
  @ApiProperty({ example: TOKEN }) token!: string;
  @ApiProperty({ example: '487500', description: 'Held so far (decimal string, smallest unit)' }) amount!: string;
}

export class ContributorBalancesDto implements ContributorBalances {
  @ApiProperty({ example: ADDR }) account!: string;
  @ApiProperty({ example: 1, nullable: true, type: Number, description: 'Epoch of the current accepted root' })
  currentEpoch!: number | null;
  @ApiProperty({ type: [TokenBalanceDto] }) balances!: TokenBalanceDto[];
  @ApiProperty({
    type: [EscrowHoldingDto],
    description:
      "This account's shares held while disputes against its datasets are open (in no `earned` until released: " +
      'to it if the dispute is rejected, to the rightful owners if upheld)',
  })
  escrow!: EscrowHoldingDto[];
}

export class HistoryItemDto implements HistoryItem {
  @ApiProperty({ example: '12' }) paymentId!: string;
  @ApiProperty({ example: H32, description: 'runId paid (training run or license payment reference)' }) runId!: string;
  @ApiProperty({ example: 'run', enum: ['run', 'license', 'bond'] }) source!: string;
  @ApiProperty({ example: H32, description: 'Content root of the dataset through which the account earned this' })
  datasetId!: string;
  @ApiProperty({ example: TOKEN }) token!: string;
  @ApiProperty({ example: '487500' }) amount!: string;
  @ApiProperty({ example: H32 }) txHash!: string;
  @ApiProperty({ example: 42 }) blockNumber!: number;
  @ApiProperty({ example: '2026-11-02T10:00:00.000Z' }) paidAt!: string;
}

export class ContributorHistoryDto implements ContributorHistory {
  @ApiProperty({ example: ADDR }) account!: string;
  @ApiProperty({ example: 3 }) total!: number;
  @ApiProperty({ type: [HistoryItemDto] }) items!: HistoryItemDto[];
}

export class CallDto implements ContractCall {
  @ApiProperty({ example: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512' }) to!: string;
  @ApiProperty({ example: '0x6a7d…', description: 'ABI-encoded call data' }) data!: string;
}

export class ClaimProofDto implements ClaimProof {
  @ApiProperty({ example: TOKEN }) token!: string;
  @ApiProperty({ example: '975000', description: 'cumulativeAmount of the leaf' }) cumulative!: string;
  @ApiProperty({ example: '0' }) claimed!: string;
  @ApiProperty({ example: '975000' }) claimable!: string;
  @ApiProperty({ example: [H32], type: [String] }) proof!: string[];
  @ApiProperty({ type: CallDto, description: 'claim(account, token, cumulativeAmount, proof)' }) call!: CallDto;
}

export class VotesClaimDto implements VotesClaim {
  @ApiProperty({ example: '0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9', description: 'UpstreamVotes (the leaf token)' })
  votes!: string;
  @ApiProperty({ example: '975000000000000000', description: 'cumulative votes of the leaf' }) cumulative!: string;
  @ApiProperty({ example: '0', description: 'Earned votes already minted (UpstreamVotes.earnedClaimed)' })
  claimed!: string;
  @ApiProperty({ example: '975000000000000000' }) claimable!: string;
  @ApiProperty({ example: [H32], type: [String] }) proof!: string[];
  @ApiProperty({ type: CallDto, description: 'claimVotes(account, cumulativeVotes, proof) on UpstreamVotes' })
  call!: CallDto;
}

export class EarnedVotesRuleDto implements EarnedVotesRule {
  @ApiProperty({
    example: '0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9',
    description: "UpstreamVotes (the votes leaves' token)",
  })
  token!: string;
  @ApiProperty({
    description: 'payment token → votes (smallest units) per smallest unit of royalty earned in it',
    example: { [TOKEN]: '1000000000000' },
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  perUnit!: Record<string, string>;
}

export class ContributorProofsDto implements ContributorProofs {
  @ApiProperty({ example: ADDR }) account!: string;
  @ApiProperty({ example: 1, nullable: true, type: Number }) epoch!: number | null;
  @ApiProperty({ example: H32, nullable: true, type: String }) root!: string | null;
  @ApiProperty({ example: 31337 }) chainId!: number;
  @ApiProperty({ example: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512' }) splitter!: string;
  @ApiProperty({ type: [ClaimProofDto] }) claims!: ClaimProofDto[];
  @ApiProperty({ type: CallDto, nullable: true, description: 'claimMany over every token with something to claim' })
  claimMany!: CallDto | null;
  @ApiProperty({ type: VotesClaimDto, nullable: true, description: 'The votes leaf in the current root, if any' })
  votes!: VotesClaimDto | null;
  @ApiProperty({
    type: CallDto,
    nullable: true,
    description: 'claimWithVotes on UpstreamVotes: every open token claim and the new votes in one transaction',
  })
  claimWithVotes!: CallDto | null;
}

export class TokenTotalDto implements TokenTotal {
  @ApiProperty({ example: TOKEN }) token!: string;
  @ApiProperty({ example: '975000' }) total!: string;
  @ApiProperty({ example: 4 }) accounts!: number;
}

export class EpochDto implements Epoch {
  @ApiProperty({ example: 1 }) epoch!: number;
  @ApiProperty({
    example: 'accepted',
    enum: EPOCH_STATUSES,
    description:
      '`invalidated`: a chain rollback removed the block it was built on; its root is never made claimable and a new epoch replaces it',
  })
  status!: string;
  @ApiProperty({ example: true, description: 'The accepted root claims are proved against now' }) current!: boolean;
  @ApiProperty({ example: H32 }) root!: string;
  @ApiProperty({ example: H32 }) dataHash!: string;
  @ApiProperty({ example: 4 }) leafCount!: number;
  @ApiProperty({ example: 2 }) paymentCount!: number;
  @ApiProperty({ example: H32, nullable: true, type: String }) proposeTx!: string | null;
  @ApiProperty({ example: H32, nullable: true, type: String }) acceptTx!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'Why proposing failed, when it did' })
  error!: string | null;
  @ApiProperty({ example: '2026-11-03T10:00:00.000Z', nullable: true, type: String }) claimableAt!: string | null;
  @ApiProperty({ example: '2026-11-02T10:00:00.000Z' }) createdAt!: string;
  @ApiProperty({
    example: 120,
    nullable: true,
    type: Number,
    description: 'The indexed block the epoch was built on: it includes the payments up to it',
  })
  basisBlock!: number | null;
  @ApiProperty({ example: H32, nullable: true, type: String }) basisBlockHash!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) invalidatedAt!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) invalidatedReason!: string | null;
  @ApiProperty({ example: 0, description: 'Payments it included that the chain no longer has' }) lostPayments!: number;
  @ApiProperty({ type: [TokenTotalDto] }) totals!: TokenTotalDto[];
}

export class EpochListDto implements EpochList {
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ type: [EpochDto] }) items!: EpochDto[];
}

export class EpochLeafDto implements EpochLeaf {
  @ApiProperty({ example: TOKEN }) token!: string;
  @ApiProperty({ example: ADDR }) account!: string;
  @ApiProperty({ example: '975000' }) cumulative!: string;
}

export class EpochLeavesDto implements EpochLeaves {
  @ApiProperty({ example: 1 }) epoch!: number;
  @ApiProperty({ example: H32 }) root!: string;
  @ApiProperty({
    example: ['uint256', 'address', 'address', 'address', 'uint256'],
    type: [String],
    description: 'StandardMerkleTree leaf: (chainId, splitter, token, account, cumulative)',
  })
  leafEncoding!: string[];
  @ApiProperty({ example: 4 }) total!: number;
  @ApiProperty({ type: [EpochLeafDto] }) items!: EpochLeafDto[];
}

export class PublicEntryDto implements PublicEntry {
  @ApiProperty({ example: H32 }) datasetId!: string;
  @ApiProperty({ example: '1000' }) weight!: string;
}

export class PublicRunFeeDto implements PublicRunFee {
  @ApiProperty({ example: H32, description: 'The paid-per-run dataset’s content root' }) datasetId!: string;
  @ApiProperty({ example: '1000000', description: 'What the payment paid of its per-run fee (gross)' })
  amount!: string;
}

export class PublicPaymentDto implements PublicPayment {
  @ApiProperty({ example: H32 }) txHash!: string;
  @ApiProperty({ example: 0 }) logIndex!: number;
  @ApiProperty({ example: 42 }) blockNumber!: number;
  @ApiProperty({ example: H32 }) runId!: string;
  @ApiProperty({ example: TOKEN }) token!: string;
  @ApiProperty({ example: '1000000' }) amount!: string;
  @ApiProperty({ example: '25000' }) fee!: string;
  @ApiProperty({ example: '975000' }) net!: string;
  @ApiProperty({ example: 'run', enum: ['run', 'license', 'bond'] }) source!: 'run' | 'license' | 'bond';
  @ApiProperty({ type: [PublicEntryDto] }) entries!: PublicEntryDto[];
  @ApiProperty({
    type: [PublicRunFeeDto],
    description: 'Per-run fees this payment paid: each allocated to its dataset as weight 1, the rest over entries',
  })
  runFees!: PublicRunFeeDto[];
}

export class EventPositionDto implements EventPosition {
  @ApiProperty({ example: 42 }) blockNumber!: number;
  @ApiProperty({ example: 0 }) logIndex!: number;
}

export class EpochDisputeOwnerDto implements EpochDisputeOwner {
  @ApiProperty({ example: ADDR }) account!: string;
  @ApiProperty({ example: 10000 }) shareBps!: number;
}

export class EpochDisputeResolutionDto implements EpochDisputeResolution {
  @ApiProperty({ example: 'upheld', enum: ['upheld', 'rejected'] }) outcome!: 'upheld' | 'rejected';
  @ApiProperty({ type: EventPositionDto, description: 'The DisputeResolved event' }) at!: EventPositionDto;
  @ApiProperty({
    type: [EpochDisputeOwnerDto],
    description:
      "Upheld: who receives the dataset's owner part from the opening on (shares sum to 10,000); rejected: []",
  })
  rightfulOwners!: EpochDisputeOwnerDto[];
}

export class EpochDisputeDto implements EpochDispute {
  @ApiProperty({ example: '1' }) disputeId!: string;
  @ApiProperty({ example: H32, description: "The disputed dataset's content root" }) datasetId!: string;
  @ApiProperty({ type: EventPositionDto, description: 'The DisputeOpened event' }) opened!: EventPositionDto;
  @ApiProperty({
    type: EpochDisputeResolutionDto,
    nullable: true,
    description: "Null while the dispute is open at the epoch's basis block",
  })
  resolution!: EpochDisputeResolutionDto | null;
}

export class EpochInputsDto implements EpochInputs {
  @ApiProperty({ example: 1 }) epoch!: number;
  @ApiProperty({ example: 31337 }) chainId!: number;
  @ApiProperty({ example: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512' }) splitter!: string;
  @ApiProperty({ example: H32 }) root!: string;
  @ApiProperty({ example: H32 }) dataHash!: string;
  @ApiProperty({
    example:
      'allocate(net, feeBps 0) per payment with libs/royalties; sum per (account, token); StandardMerkleTree over (chainId, splitter, token, account, cumulative)',
  })
  rules!: string;
  @ApiProperty({ type: [PublicPaymentDto] }) payments!: PublicPaymentDto[];
  @ApiProperty({
    type: EarnedVotesRuleDto,
    nullable: true,
    description: 'How royalties earn votes (votes leaves beside the balances); null: no votes leaves',
  })
  votes!: EarnedVotesRuleDto | null;
  @ApiProperty({
    type: [EpochDisputeDto],
    description:
      "Every dispute opened up to the epoch's basis block, with its resolution if within it (libs/royalties applyDisputes)",
  })
  disputes!: EpochDisputeDto[];
  @ApiProperty({
    description: 'content root → { owners: [{account, shareBps}], parents: [{datasetId, upstreamBps}] }',
    example: { [H32]: { owners: [{ account: ADDR, shareBps: 10000 }], parents: [] } },
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['owners', 'parents'],
      properties: {
        owners: {
          type: 'array',
          items: {
            type: 'object',
            required: ['account', 'shareBps'],
            properties: { account: { type: 'string' }, shareBps: { type: 'integer' } },
          },
        },
        parents: {
          type: 'array',
          items: {
            type: 'object',
            required: ['datasetId', 'upstreamBps'],
            properties: { datasetId: { type: 'string' }, upstreamBps: { type: 'integer' } },
          },
        },
      },
    },
  })
  datasets!: Record<
    string,
    { owners: { account: string; shareBps: number }[]; parents: { datasetId: string; upstreamBps: number }[] }
  >;
}

export class PaymentDto implements Payment {
  @ApiProperty({ example: '12' }) id!: string;
  @ApiProperty({ example: H32 }) runId!: string;
  @ApiProperty({ example: TOKEN }) token!: string;
  @ApiProperty({ example: ADDR }) payer!: string;
  @ApiProperty({ example: '1000000' }) amount!: string;
  @ApiProperty({ example: '25000' }) fee!: string;
  @ApiProperty({ example: '975000' }) net!: string;
  @ApiProperty({ example: 'allocated', enum: ['allocated', 'unallocated'] }) status!: string;
  @ApiProperty({ example: 'run', nullable: true, type: String, enum: ['run', 'license', 'bond'] }) source!:
    string | null;
  @ApiProperty({
    example: '975000',
    description: 'Σ ledger entries of this payment; fee + ledgerTotal == amount once allocated',
  })
  ledgerTotal!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) allocationError!: string | null;
  @ApiProperty({ example: H32 }) txHash!: string;
  @ApiProperty({ example: 0 }) logIndex!: number;
  @ApiProperty({ example: 42 }) blockNumber!: number;
  @ApiProperty({ example: '2026-11-02T10:00:00.000Z' }) paidAt!: string;
}

export class PaymentListDto implements PaymentList {
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ type: [PaymentDto] }) items!: PaymentDto[];
}
