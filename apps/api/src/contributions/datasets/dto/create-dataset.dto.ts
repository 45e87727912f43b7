import type { AccessPolicy } from '@upstream/api-contract';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Bytes32, Sha256 } from '@upstream/api-contract';
import { IsBytes32Field, IsSha256Field } from '../../../common/value-fields';
import { IsUint256String } from '../../../common/number-fields';
import { MAX_LICENSE_DURATION_DAYS } from '@upstream/provenance';
import { Exclude, Transform, Type } from 'class-transformer';
import {
  Allow,
  Max,
  Min,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsCleanText } from '../../../common/clean-text';

export const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
export const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const UINT = /^\d{1,78}$/;
/** 65 bytes from an account key; a contract wallet (ERC-1271) may need more (a Safe: 65 per signer). */
const SIGNATURE = /^0x(?:[0-9a-fA-F]{2}){65,2048}$/;
const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/\S+$/;

/** JSON numbers are accepted for integers too, but read as decimal strings so nothing loses precision. */
const asDecimalString = ({ value }: { value: unknown }) =>
  typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;

export class FileEntryDto {
  @ApiProperty({
    example: 'images/cat-0001.jpg',
    description: 'Relative path; `/` or `\\` separators; normalized to NFC',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  @IsCleanText()
  path!: string;

  @ApiProperty({ example: '48213', description: 'Size in bytes (decimal string or integer)' })
  @Transform(asDecimalString)
  @Matches(/^\d{1,20}$/, { message: 'size must be a non-negative integer (decimal string)' })
  size!: string;

  @ApiProperty({
    type: String,
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    description: 'SHA-256 of the file (64 hex digits)',
  })
  @IsSha256Field('sha256 must be 64 hex digits')
  sha256!: Sha256;
}

export class OwnerDto {
  @ApiProperty({ example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })
  @Matches(ADDRESS, { message: 'account must be a 0x address (40 hex digits)' })
  account!: string;

  @ApiProperty({ example: 6000, description: 'Share in basis points; all owners sum to 10,000' })
  @IsInt()
  shareBps!: number;
}

export class ParentDto {
  @ApiProperty({
    type: String,
    example: '0x5c1f3e0d7a0b6f04ad8e7b9f2b8d7c3f1e6a4b2c9d8e7f6a5b4c3d2e1f0a9b8c',
    description: "The parent dataset's content root (bytes32), as signed",
  })
  @IsBytes32Field('datasetId must be the parent content root: 0x followed by 64 hex digits')
  datasetId!: Bytes32;

  @ApiProperty({ example: 1000, description: "Basis points of this dataset's royalties that flow to the parent" })
  @IsInt()
  upstreamBps!: number;
}

export class LicenseFeeDto {
  @ApiProperty({ example: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0', description: 'ERC-20 token of the fee' })
  @Matches(ADDRESS, { message: 'token must be a 0x address (40 hex digits)' })
  token!: string;

  @ApiProperty({
    example: '1000000000000000000',
    description: 'Fee per training run in smallest token units (decimal string)',
  })
  @IsUint256String('amount')
  amount!: string;
}

export class LicenseDto {
  @ApiProperty({ enum: ['open-training', 'paid-per-run', 'research-only'], example: 'open-training' })
  @IsIn(['open-training', 'paid-per-run', 'research-only'])
  template!: 'open-training' | 'paid-per-run' | 'research-only';

  @ApiPropertyOptional({ type: LicenseFeeDto, description: 'Required by paid-per-run' })
  @IsOptional()
  @ValidateNested()
  @Type(() => LicenseFeeDto)
  fee?: LicenseFeeDto;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_LICENSE_DURATION_DAYS,
    example: 365,
    description:
      'Days a license stays in force once active; absent: no end. Part of the terms document (and its hash) only when set',
  })
  @IsOptional()
  @IsInt({ message: 'durationDays must be an integer (days)' })
  @Min(1, { message: 'durationDays must be at least 1' })
  @Max(MAX_LICENSE_DURATION_DAYS, { message: `durationDays must be at most ${MAX_LICENSE_DURATION_DAYS}` })
  durationDays?: number;
}

export class CreateDatasetDto {
  @ApiProperty({ example: 'Street cats of Lisbon' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsCleanText()
  title!: string;

  @ApiPropertyOptional({ example: '12,000 photos of cats, CC-licensed, with captions' })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  @IsCleanText({ multiline: true })
  description?: string;

  @ApiPropertyOptional({
    enum: ['uploaded', 'external'],
    default: 'uploaded',
    description: 'uploaded: every file is in the blob store; external: registered by hashes alone',
  })
  @IsOptional()
  @IsIn(['uploaded', 'external'])
  storage?: 'uploaded' | 'external';

  @ApiPropertyOptional({
    enum: ['public', 'licensed', 'private'],
    description:
      'Who may fetch the bytes: anyone; owners and licensees; owners only. Default public for open-training, licensed otherwise',
  })
  @IsOptional()
  @IsIn(['public', 'licensed', 'private'], { message: 'accessPolicy must be one of public, licensed, private' })
  accessPolicy?: AccessPolicy;

  @ApiPropertyOptional({
    example: 's3://lab-data/cats/',
    description: 'Where an external dataset lives (required with storage external)',
  })
  @ValidateIf((o: CreateDatasetDto) => o.storage === 'external' || o.externalUri !== undefined)
  @Matches(URI, { message: 'externalUri must be a URI such as https://… or s3://…' })
  @MaxLength(2048)
  @IsCleanText()
  externalUri?: string;

  /**
   * Not on the instance: the service reads `files` from the body itself (`FileListPool`, in a
   * worker thread for long lists) with FileEntryDto's rules, so neither class-transformer nor
   * class-validator walks a list of 100,000 files on the event loop. Always undefined here.
   */
  @ApiProperty({ type: [FileEntryDto], description: 'Every file: path, size, sha256' })
  @Exclude({ toClassOnly: true })
  @Allow()
  files?: FileEntryDto[];

  @ApiProperty({
    type: String,
    example: '0x3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b',
    description: 'Content root of the files (the server recomputes it)',
  })
  @IsBytes32Field('contentRoot must be 0x followed by 64 hex digits')
  contentRoot!: Bytes32;

  /** Not on the instance either, as `files` (OwnerDto's rules, applied by `prepareParties`). */
  @ApiProperty({ type: [OwnerDto], description: 'At least one; shares sum to 10,000 basis points' })
  @Exclude({ toClassOnly: true })
  @Allow()
  owners?: OwnerDto[];

  /** Not on the instance either (ParentDto's rules, applied by `prepareParties`). */
  @ApiPropertyOptional({ type: [ParentDto], default: [] })
  @Exclude({ toClassOnly: true })
  @Allow()
  parents?: ParentDto[];

  @ApiProperty({ type: LicenseDto })
  @IsObject({ message: 'license must be an object such as { "template": "open-training" }' })
  @ValidateNested()
  @Type(() => LicenseDto)
  license!: LicenseDto;

  @ApiPropertyOptional({
    type: String,
    example: '0x8b3f…',
    description: 'keccak256 of the terms; if given it must equal what the server derives from `license`',
  })
  @IsOptional()
  @IsBytes32Field('licenseTermsHash must be 0x followed by 64 hex digits')
  licenseTermsHash?: Bytes32;

  @ApiPropertyOptional({
    example: '0b6cc9a4-3c1d-4b8e-9a57-2f7f0f3a2a11',
    description: 'The dataset this is a new version of (signer must own it)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'previousVersionId must be a UUID' })
  previousVersionId?: string;

  @ApiProperty({ example: '1731000000123', description: 'Signer-chosen uint256, used once per signer' })
  @IsUint256String('nonce')
  nonce!: string;

  @ApiProperty({ example: '1893456000', description: 'Unix seconds after which the signature is void' })
  @Transform(asDecimalString)
  @Matches(UINT, { message: 'deadline must be unix seconds (decimal string)' })
  deadline!: string;

  @ApiProperty({
    example: '0x' + '1b'.repeat(65),
    description: 'EIP-712 signature of the Contribution over the domain from GET /chain',
  })
  @Matches(SIGNATURE, {
    message: 'signature must be 0x followed by hex bytes (65 for an account key; more for some contract wallets)',
  })
  signature!: string;
}
