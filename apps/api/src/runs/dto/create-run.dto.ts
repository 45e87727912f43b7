import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Exclude } from 'class-transformer';
import { Allow, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { Bytes32 } from '@upstream/api-contract';
import { IsBytes32Field, IsRecordRefField } from '../../common/value-fields';
import { IsIntInRange, IsUint256String, IsUnixSeconds } from '../../common/number-fields';
import { ADDRESS, SIGNATURE } from '../../licenses/dto/create-license.dto';
import { IsCleanText } from '../../common/clean-text';
import { MAX_CHUNK_ENTRIES } from '../../common/body/request-limits';

/** Entries per request: POST /runs (optional) and each POST /runs/:id/entries chunk (the limits table's). */
export { MAX_CHUNK_ENTRIES };
/** Largest manifest accepted (run_entries positions are int4; 10M keeps a commit within minutes). */
export const MAX_RUN_ENTRIES = 10_000_000;
export const WEIGHT_UNITS = ['tokens', 'bytes', 'samples'] as const;

export class RunEntryDto {
  @ApiProperty({ description: 'The dataset’s content root (its on-chain datasetId)', example: '0x' + 'ab'.repeat(32) })
  datasetId!: string;

  @ApiProperty({ description: 'Usage weight, a positive integer as a decimal string', example: '1250000' })
  weight!: string;
}

/**
 * The signed EIP-712 TrainingRun manifest and, optionally, its entries (all of them for a small
 * run, or the first chunk). `entries` is not on the instance: the route's `PrepareBody` reads it
 * from the body (in a worker thread for a long body), so class-transformer and class-validator
 * never walk 50,000 entries on the event loop.
 * `lab` stays as signed (its EIP-55 checksum is checked with the signature); the service parses it
 * to an `Address` once the signature holds.
 */
export class CreateRunDto {
  @ApiProperty({ description: 'The lab; must be the signer', example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })
  @Matches(ADDRESS, { message: 'lab must be a 0x address (40 hex digits)' })
  lab!: string;

  @ApiProperty({ type: String, description: 'The lab’s own reference for the run', example: '0x' + '01'.repeat(32) })
  @IsBytes32Field('runRef must be 0x followed by 64 hex digits')
  runRef!: Bytes32;

  @ApiProperty({ example: 'llama-upstream-7b' })
  @IsString({ message: 'modelName must be a string' })
  @MinLength(1, { message: 'modelName must not be empty' })
  @MaxLength(256, { message: 'modelName must be at most 256 characters' })
  @IsCleanText()
  modelName!: string;

  @ApiProperty({ type: String, description: 'Hash of the model / checkpoint', example: '0x' + '02'.repeat(32) })
  @IsBytes32Field('modelHash must be 0x followed by 64 hex digits')
  modelHash!: Bytes32;

  @ApiProperty({
    type: String,
    description: 'Root of the (bytes32 datasetId, uint256 weight) entries tree',
    example: '0x' + '03'.repeat(32),
  })
  @IsBytes32Field('entriesRoot must be 0x followed by 64 hex digits')
  entriesRoot!: Bytes32;

  @ApiProperty({ example: 3 })
  @IsInt({ message: 'entryCount must be an integer' })
  @Min(1, { message: 'entryCount must be at least 1' })
  @Max(MAX_RUN_ENTRIES, { message: `entryCount must be at most ${MAX_RUN_ENTRIES}` })
  entryCount!: number;

  @ApiProperty({ enum: WEIGHT_UNITS, example: 'tokens' })
  @IsIn(WEIGHT_UNITS, { message: `weightUnit must be one of ${WEIGHT_UNITS.join(', ')}` })
  weightUnit!: string;

  @ApiProperty({ description: 'Unix seconds', example: 1790000000 })
  @IsUnixSeconds('startedAt')
  startedAt!: number;

  @ApiProperty({ description: 'Unix seconds', example: 1790086400 })
  @IsUnixSeconds('endedAt')
  endedAt!: number;

  @ApiProperty({ example: '42' })
  @IsUint256String('nonce')
  nonce!: string;

  @ApiProperty({ description: 'Unix seconds after which the signature is void', example: 1893456000 })
  @IsUnixSeconds('deadline', { min: 1 })
  deadline!: number;

  @ApiProperty({ example: '0x' + '11'.repeat(65) })
  @Matches(SIGNATURE, {
    message: 'signature must be 0x followed by hex bytes (65 for an account key; more for some contract wallets)',
  })
  signature!: string;

  @ApiPropertyOptional({
    type: [RunEntryDto],
    description: `All entries (then the run is committed at once) or the first chunk; at most ${MAX_CHUNK_ENTRIES}`,
  })
  @Exclude({ toClassOnly: true })
  @Allow()
  entries?: RunEntryDto[];
}

export class RunEntriesChunkDto {
  @ApiProperty({ description: 'Position of the first entry of this chunk (= entries received so far)', example: 50000 })
  @IsIntInRange('offset', 0, MAX_RUN_ENTRIES)
  offset!: number;

  /** Not on the instance, as in CreateRunDto. */
  @ApiProperty({ type: [RunEntryDto], description: `At least 1 and at most ${MAX_CHUNK_ENTRIES}` })
  @Exclude({ toClassOnly: true })
  @Allow()
  entries?: RunEntryDto[];
}

export class PaymentQueryDto {
  @ApiProperty({ description: 'Amount to pay, smallest token units (decimal string)', example: '1000000' })
  @IsUint256String('amount', { min: 1n })
  amount!: string;

  @ApiPropertyOptional({ description: 'ERC-20 token; defaults to the deployment’s PaymentToken' })
  @IsOptional()
  @Matches(ADDRESS, { message: 'token must be a 0x address (40 hex digits)' })
  token?: string;
}

export class ProofQueryDto {
  @ApiProperty({
    type: String,
    description: 'The dataset, by uuid or content root',
    example: '0x' + 'ab'.repeat(32),
  })
  @IsRecordRefField('datasetId must be a dataset uuid or a content root (0x followed by 64 hex digits)')
  datasetId!: string;
}
