import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  AnchorTx,
  Run,
  RunAnchorBatch,
  RunAnchorStatus,
  RunEntriesPage,
  RunEntryProof,
  RunEntryRow,
  RunFee,
  RunPaymentTotal,
  RunUpload,
} from '@upstream/api-contract';

export class RunAnchorBatchDto implements RunAnchorBatch {
  @ApiProperty({ example: '12' }) id!: string;
  @ApiProperty({ example: '0x' + '4e'.repeat(32) }) root!: string;
  @ApiProperty({ example: 100 }) itemCount!: number;
  @ApiProperty({ type: [String], description: 'Proof of the run digest in the batch root' }) proof!: string[];
}

export class AnchorTxDto implements AnchorTx {
  @ApiProperty({ example: '0x' + '7a'.repeat(32) }) txHash!: string;
  @ApiProperty({ example: 1234 }) blockNumber!: number;
  @ApiProperty({ example: '2026-11-02T10:00:00.000Z' }) anchoredAt!: string;
}

/** The outbox transaction that anchors a batch. */
export class RunAnchorTransactionDto {
  @ApiProperty({ example: 'mined' }) status!: string;
  @ApiProperty({ type: String, nullable: true, example: '0x' + '7a'.repeat(32), description: 'null until sent' })
  hash!: string | null;
}

export class AnchorStatusDto implements RunAnchorStatus {
  @ApiProperty({ enum: ['pending', 'batched', 'anchored'], example: 'anchored' }) state!: string;
  @ApiProperty({ description: 'The anchored leaf: the run’s EIP-712 digest', example: '0x' + '5a'.repeat(32) })
  leaf!: string;
  @ApiPropertyOptional({ type: RunAnchorBatchDto }) batch?: RunAnchorBatchDto;
  @ApiPropertyOptional({ type: RunAnchorTransactionDto, description: 'The batch’s outbox transaction' })
  transaction?: RunAnchorTransactionDto;
  @ApiPropertyOptional({ type: AnchorTxDto, description: 'The ProvenanceRegistry.Anchored event' })
  anchor?: AnchorTxDto;
}

export class RunPaymentTotalDto implements RunPaymentTotal {
  @ApiProperty({ example: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0' }) token!: string;
  @ApiProperty({ description: 'Sum of RunPaid amounts', example: '1000000' }) amount!: string;
  @ApiProperty({ description: 'Sum of RunPaid protocol fees', example: '10000' }) fee!: string;
  @ApiProperty({ description: 'Sum of RunPaid net amounts (what flows to the data)', example: '990000' }) net!: string;
  @ApiProperty({ example: 1 }) payments!: number;
}

export class RunFeeDto implements RunFee {
  @ApiProperty({ description: 'The paid-per-run dataset’s content root', example: '0x' + 'ab'.repeat(32) })
  datasetId!: string;
  @ApiProperty({ example: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0' }) token!: string;
  @ApiProperty({ description: 'The license’s per-run fee, smallest token units', example: '1000000' }) amount!: string;
  @ApiProperty({ description: 'What the run’s payments have paid of it', example: '0' }) paid!: string;
}

export class RunDto implements Run {
  @ApiProperty({ description: 'This API’s id of the run', example: '0d9a4b6e-2f1c-4b7a-9a57-3c1d2e4f5a6b' })
  id!: string;
  @ApiProperty({
    description: 'bytes32 runId for payRun = the manifest’s EIP-712 digest',
    example: '0x' + '5a'.repeat(32),
  })
  runId!: string;
  @ApiProperty({ example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' }) lab!: string;
  @ApiProperty({ example: 'llama-upstream-7b' }) modelName!: string;
  @ApiProperty({ example: '0x' + '02'.repeat(32) }) modelHash!: string;
  @ApiProperty({ example: '0x' + '01'.repeat(32) }) runRef!: string;
  @ApiProperty({ example: '0x' + '03'.repeat(32) }) entriesRoot!: string;
  @ApiProperty({ example: 3 }) entryCount!: number;
  @ApiProperty({ example: 'tokens' }) weightUnit!: string;
  @ApiProperty({ example: '3750000' }) totalWeight!: string;
  @ApiProperty({ example: '2026-10-01T00:00:00.000Z' }) startedAt!: string;
  @ApiProperty({ example: '2026-10-02T00:00:00.000Z' }) endedAt!: string;
  @ApiProperty({ example: '42' }) nonce!: string;
  @ApiProperty({ example: '2030-01-01T00:00:00.000Z' }) deadline!: string;
  @ApiProperty({ description: 'The lab’s EIP-712 signature of the manifest' }) signature!: string;
  @ApiProperty({ example: '2026-11-02T10:00:00.000Z' }) createdAt!: string;
  @ApiProperty({ type: AnchorStatusDto }) anchor!: AnchorStatusDto;
  @ApiProperty({ type: [RunPaymentTotalDto], description: 'RunPaid payments seen for this runId, per token' })
  paid!: RunPaymentTotalDto[];
  @ApiProperty({
    type: [RunFeeDto],
    description:
      'Per-run fees owed for paid-per-run datasets (every run under a license after the first, which the acquisition fee paid)',
  })
  fees!: RunFeeDto[];
  @ApiProperty({
    enum: ['none', 'awaiting_fee', 'paid'],
    example: 'none',
    description: 'awaiting_fee until the run’s payments in each fee’s token have paid its fees',
  })
  feeStatus!: 'none' | 'awaiting_fee' | 'paid';
}

export class RunUploadDto implements RunUpload {
  @ApiProperty({
    description: 'Upload id; becomes the run’s id on commit',
    example: '0d9a4b6e-2f1c-4b7a-9a57-3c1d2e4f5a6b',
  })
  id!: string;
  @ApiProperty({ example: '0x' + '5a'.repeat(32) }) runId!: string;
  @ApiProperty({ enum: ['open', 'committed'], example: 'open' }) status!: 'open' | 'committed';
  @ApiProperty({ description: 'Entries received so far = the next chunk’s offset', example: 50000 }) received!: number;
  @ApiProperty({ example: 1000000 }) entryCount!: number;
  @ApiPropertyOptional({ type: RunDto, description: 'The recorded run, once committed' }) run?: RunDto;
}

export class RunEntryRowDto implements RunEntryRow {
  @ApiProperty({ example: 0 }) position!: number;
  @ApiProperty({ example: '0x' + 'ab'.repeat(32) }) datasetId!: string;
  @ApiProperty({ example: '9b2d4c1e-…' }) datasetUuid!: string;
  @ApiProperty({ example: '1250000' }) weight!: string;
}

export class RunEntriesPageDto implements RunEntriesPage {
  @ApiProperty({ example: '0x' + '5a'.repeat(32) }) runId!: string;
  @ApiProperty({ type: [RunEntryRowDto] }) items!: RunEntryRowDto[];
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ example: 3 }) total!: number;
}

export class RunEntryProofDto implements RunEntryProof {
  @ApiProperty({ example: '0x' + '5a'.repeat(32) }) runId!: string;
  @ApiProperty({ example: '0x' + '03'.repeat(32) }) entriesRoot!: string;
  @ApiProperty({ type: RunEntryRowDto }) entry!: RunEntryRowDto;
  @ApiProperty({
    type: [String],
    description: 'StandardMerkleTree proof of the leaf abi.encode(bytes32 datasetId, uint256 weight) in entriesRoot',
  })
  proof!: string[];
}
