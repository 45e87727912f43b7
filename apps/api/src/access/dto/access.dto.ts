import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { OffsetPageQueryDto } from '../../common/page-query.dto';
import {
  ACCESS_POLICIES,
  API_SCOPES,
  type AccessPolicy,
  type AccessPolicyState,
  type ApiKeyInfo,
  type ApiKeyList,
  type ApiScope,
  type CallerInfo,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  type Delivery,
  type DeliveryPage,
  type Session,
  type SetAccessPolicyRequest,
  type SignedUrl,
  type SignedUrlRequest,
  type SignInRequest,
  type SignOutResult,
  type SiweChallenge,
  type StorageUse,
  type UndeclaredDeliveries,
  type UndeclaredDelivery,
} from '@upstream/api-contract';
import { IsCleanText } from '../../common/clean-text';

const SIWE_EXAMPLE = [
  'localhost:3000 wants you to sign in with your Ethereum account:',
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  '',
  'Sign in to Upstream',
  '',
  'URI: http://localhost:3000',
  'Version: 1',
  'Chain ID: 31337',
  'Nonce: 4f1c0b9a2d7e6c5b8a9f0e1d2c3b4a59',
  'Issued At: 2026-11-30T12:00:00.000Z',
].join('\n');

export class SignInDto implements SignInRequest {
  @ApiProperty({ description: 'The EIP-4361 message, exactly as signed', example: SIWE_EXAMPLE })
  @IsString({ message: 'message must be a string' })
  @MinLength(1, { message: 'message must not be empty' })
  @MaxLength(4096, { message: 'message must be at most 4096 characters' })
  @IsCleanText({ multiline: true })
  message!: string;

  @ApiProperty({
    description: 'personal_sign signature (EOA), or what the contract wallet accepts (ERC-1271)',
    example: '0x' + '11'.repeat(65),
  })
  @Matches(/^0x(?:[0-9a-fA-F]{2}){1,2048}$/, { message: 'signature must be 0x-prefixed hex bytes' })
  signature!: string;
}

export class CreateApiKeyDto implements CreateApiKeyRequest {
  @ApiProperty({ description: 'What the key is for (shown in the list)', example: 'training cluster' })
  @IsString({ message: 'label must be a string' })
  @MinLength(1, { message: 'label must not be empty' })
  @MaxLength(100, { message: 'label must be at most 100 characters' })
  @IsCleanText()
  label!: string;

  @ApiProperty({ enum: API_SCOPES, isArray: true, example: ['download', 'read'] })
  @IsArray({ message: 'scopes must be an array' })
  @ArrayMinSize(1, { message: 'scopes must name at least one scope' })
  @ArrayMaxSize(API_SCOPES.length, { message: `scopes has at most ${API_SCOPES.length} entries` })
  @IsIn(API_SCOPES, { each: true, message: `each scope must be one of ${API_SCOPES.join(', ')}` })
  scopes!: ApiScope[];

  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 90 })
  @IsOptional()
  @IsInt({ message: 'expiresInDays must be an integer' })
  @Min(1, { message: 'expiresInDays must be at least 1' })
  @Max(365, { message: 'expiresInDays must be at most 365' })
  expiresInDays?: number;
}

export class SetAccessPolicyDto implements SetAccessPolicyRequest {
  @ApiProperty({ enum: ACCESS_POLICIES, example: 'licensed' })
  @IsIn(ACCESS_POLICIES, { message: `policy must be one of ${ACCESS_POLICIES.join(', ')}` })
  policy!: AccessPolicy;
}

export class SignedUrlRequestDto implements SignedUrlRequest {
  @ApiProperty({ example: 'images/0001.png' })
  @IsString({ message: 'path must be a string' })
  @MinLength(1, { message: 'path must not be empty' })
  @MaxLength(4096, { message: 'path must be at most 4096 characters' })
  @IsCleanText()
  path!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 86_400, default: 3_600 })
  @IsOptional()
  @IsInt({ message: 'expiresInSeconds must be an integer' })
  @Min(1, { message: 'expiresInSeconds must be at least 1' })
  @Max(86_400, { message: 'expiresInSeconds must be at most 86400' })
  expiresInSeconds?: number;
}

export class DeliveriesQueryDto extends OffsetPageQueryDto {}

export class SiweChallengeDto implements SiweChallenge {
  @ApiProperty({ example: '4f1c0b9a2d7e6c5b8a9f0e1d2c3b4a59' }) nonce!: string;
  @ApiProperty({ example: '2026-11-30T12:10:00.000Z' }) expiresAt!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'PUBLIC_URL host; null: use the host you reached',
    example: 'localhost:3000',
  })
  domain!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'http://localhost:3000' }) uri!: string | null;
  @ApiProperty({ example: 31337 }) chainId!: number;
}

export class SessionDto implements Session {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <token>`', example: 'ups_s_…' }) token!: string;
  @ApiProperty({ example: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266' }) account!: string;
  @ApiProperty({ example: '2026-12-01T12:00:00.000Z' }) expiresAt!: string;
}

export class StorageUseDto implements StorageUse {
  @ApiProperty({ example: '1048576' }) usedBytes!: string;
  @ApiProperty({ description: 'UPLOAD_QUOTA_BYTES', example: '107374182400' }) limitBytes!: string;
}

export class CallerInfoDto implements CallerInfo {
  @ApiProperty({ example: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266' }) account!: string;
  @ApiProperty({ enum: ['session', 'api-key'] }) via!: string;
  @ApiProperty({ enum: API_SCOPES, isArray: true }) scopes!: ApiScope[];
  @ApiProperty({ type: StorageUseDto }) storage!: StorageUseDto;
}

export class SignOutResultDto implements SignOutResult {
  @ApiProperty({ description: 'Credentials revoked', example: 1 }) revoked!: number;
}

export class ApiKeyInfoDto implements ApiKeyInfo {
  @ApiProperty({ example: '3f1c9a52-4f0e-4c61-9f6e-0d1c2b3a4f5e' }) id!: string;
  @ApiProperty({ example: 'training cluster' }) label!: string;
  @ApiProperty({ enum: API_SCOPES, isArray: true }) scopes!: ApiScope[];
  @ApiProperty() createdAt!: string;
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ type: String, nullable: true }) revokedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastUsedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastUsedIp!: string | null;
}

export class CreatedApiKeyDto implements CreatedApiKey {
  @ApiProperty({ description: 'Shown once; stored hashed', example: 'ups_k_…' }) key!: string;
  @ApiProperty({ type: ApiKeyInfoDto }) apiKey!: ApiKeyInfoDto;
}

export class ApiKeyListDto implements ApiKeyList {
  @ApiProperty({ type: [ApiKeyInfoDto] }) items!: ApiKeyInfoDto[];
}

export class AccessPolicyStateDto implements AccessPolicyState {
  @ApiProperty({ example: '9b2d4c1e-…' }) datasetId!: string;
  @ApiProperty({ enum: ACCESS_POLICIES }) policy!: AccessPolicy;
}

export class SignedUrlDto implements SignedUrl {
  @ApiProperty({
    description: 'Relative to the API base URL',
    example: '/blobs/e3b0…?account=0x…&dataset=…&expires=…&sig=…',
  })
  url!: string;
  @ApiProperty() expiresAt!: string;
}

export class DeliveryDto implements Delivery {
  @ApiProperty({ type: String, nullable: true }) account!: string | null;
  @ApiProperty({ type: String, nullable: true }) licenseId!: string | null;
  @ApiProperty() sha256!: string;
  @ApiProperty({ example: '0' }) firstByte!: string;
  @ApiProperty({ example: '1048576' }) bytes!: string;
  @ApiProperty({ enum: ['session', 'api-key', 'signed-url', 'public'] }) via!: string;
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty() deliveredAt!: string;
}

export class DeliveryPageDto implements DeliveryPage {
  @ApiProperty({ type: [DeliveryDto] }) items!: DeliveryDto[];
  @ApiProperty() total!: number;
}

export class UndeclaredDeliveryDto implements UndeclaredDelivery {
  @ApiProperty() account!: string;
  @ApiProperty() deliveries!: number;
  @ApiProperty({ example: '1048576' }) bytes!: string;
  @ApiProperty() lastDeliveredAt!: string;
}

export class UndeclaredDeliveriesDto implements UndeclaredDeliveries {
  @ApiProperty() datasetId!: string;
  @ApiProperty({ type: [UndeclaredDeliveryDto] }) items!: UndeclaredDeliveryDto[];
}
