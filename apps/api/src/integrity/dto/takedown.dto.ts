import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { DatasetTakedown, TakedownRequest } from '@upstream/api-contract';
import { AnchorResponseDto } from '../../anchoring/dto/anchor-status.dto';
import { IsCleanText } from '../../common/clean-text';
import { IsUint256String, IsUnixSeconds } from '../../common/number-fields';
import { ADDRESS, SIGNATURE } from '../../licenses/dto/create-license.dto';

const ROOT = '0x3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b';
const UUID = '0b6cc9a4-3c1d-4b8e-9a57-2f7f0f3a2a11';
const ACCOUNT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';

/** An owner's signed EIP-712 Takedown {datasetId, reason, deleteBytes, nonce, deadline}. */
export class TakedownDto implements TakedownRequest {
  @ApiProperty({ example: 'consent withdrawn by the people photographed', minLength: 1, maxLength: 1000 })
  @IsString()
  @MinLength(1, { message: 'reason must not be empty' })
  @MaxLength(1000)
  @IsCleanText({ multiline: true })
  reason!: string;

  @ApiPropertyOptional({ default: false, description: 'Delete the bytes no other live dataset holds' })
  @IsOptional()
  @IsBoolean({ message: 'deleteBytes must be true or false' })
  deleteBytes?: boolean;

  @ApiProperty({ description: 'An owner of the dataset; must be the signer', example: ACCOUNT })
  @Matches(ADDRESS, { message: 'signer must be a 0x address (40 hex digits)' })
  signer!: string;

  @ApiProperty({ example: '7' })
  @IsUint256String('nonce')
  nonce!: string;

  @ApiProperty({ example: 1893456000 })
  @IsUnixSeconds('deadline', { min: 1 })
  deadline!: number;

  @ApiProperty({ example: '0x' + '11'.repeat(65) })
  @Matches(SIGNATURE, {
    message: 'signature must be 0x followed by hex bytes (65 for an account key; more for some contract wallets)',
  })
  signature!: string;
}

export class DatasetTakedownDto implements DatasetTakedown {
  @ApiProperty({ example: UUID }) datasetId!: string;
  @ApiProperty({ example: ROOT }) contentRoot!: string;
  @ApiProperty({ example: '2026-11-30T10:00:00.000Z' }) takenDownAt!: string;
  @ApiProperty({ example: 'consent withdrawn by the people photographed' }) reason!: string;
  @ApiProperty({ example: ACCOUNT, description: 'The owner who signed it' }) signer!: string;
  @ApiProperty({ example: true }) deleteBytes!: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-11-30T10:00:00.000Z',
    description: 'When the bytes were deleted; null when they were kept',
  })
  bytesDeletedAt!: string | null;
  @ApiProperty({ example: 12, description: 'Blobs deleted from the store' }) blobsDeleted!: number;
  @ApiProperty({
    example: 0,
    description: 'Blobs kept because another live dataset holds the same bytes (served only under that one)',
  })
  blobsKept!: number;
  @ApiProperty({
    example: ROOT,
    description: 'EIP-712 digest of the signed Takedown: the leaf anchored in the ProvenanceRegistry (kind 2)',
  })
  digest!: string;
  @ApiProperty({ example: '0x' + '1b'.repeat(65) }) signature!: string;
  @ApiProperty({
    type: AnchorResponseDto,
    description: "The takedown's anchoring: pending, in a batch (with its proof), then anchored with its transaction",
  })
  anchorStatus!: AnchorResponseDto;
}
