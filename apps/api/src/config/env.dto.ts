import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import type { Address } from '@upstream/api-contract';
import { IsAddressField } from '../common/value-fields';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/**
 * Every environment variable the service reads. Validated once at start-up;
 * the README's configuration table and docs/reference/configuration.md list the same
 * names and defaults (test/unit/docs/configuration-table.test.ts).
 */
export class EnvDto {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @IsString()
  HOST?: string;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;

  @IsOptional()
  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  EMBEDDED_PG_PORT?: number;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https', 'ws', 'wss'], require_tld: false, require_protocol: true })
  RPC_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  LOCAL_CHAIN_PORT?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  LOCAL_VOTING_PERIOD_BLOCKS?: number;

  @IsOptional()
  @Matches(PRIVATE_KEY, { message: 'OPERATOR_PRIVATE_KEY must be 0x followed by 64 hex digits' })
  OPERATOR_PRIVATE_KEY?: string;

  @IsOptional()
  @IsString()
  DEPLOYMENT_FILE?: string;

  @IsOptional()
  @IsAddressField('ROYALTY_SPLITTER_ADDRESS must be a 0x-prefixed 20-byte hex address')
  ROYALTY_SPLITTER_ADDRESS?: Address;

  @IsOptional()
  @IsAddressField('PROVENANCE_REGISTRY_ADDRESS must be a 0x-prefixed 20-byte hex address')
  PROVENANCE_REGISTRY_ADDRESS?: Address;

  @IsOptional()
  @IsAddressField('PAYMENT_TOKEN_ADDRESS must be a 0x-prefixed 20-byte hex address')
  PAYMENT_TOKEN_ADDRESS?: Address;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  CONFIRMATIONS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional()
  @IsIn(['memory', 'postgres'])
  RATE_LIMIT_STORE?: string;

  @IsOptional()
  @IsIn(['embedded', 'off', 'only'])
  WORKER_MODE?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  WORKER_INTERVAL_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  ANCHOR_BATCH_SIZE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  ANCHOR_INTERVAL_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  EPOCH_INTERVAL_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  MAX_FILE_BYTES?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_FILES_PER_DATASET?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  UPLOAD_RATE_LIMIT_PER_MINUTE?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SHUTDOWN_TIMEOUT_MS?: number;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  PUBLIC_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  SESSION_TTL_HOURS?: number;

  @IsOptional()
  @Matches(/^\d{1,20}$/, { message: 'UPLOAD_QUOTA_BYTES must be a whole number of bytes' })
  UPLOAD_QUOTA_BYTES?: string;

  @IsOptional()
  @Matches(/^\s*(https?:\/\/[^\s,*]+)(\s*,\s*https?:\/\/[^\s,*]+)*\s*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of http(s) origins (never *)',
  })
  CORS_ORIGINS?: string;

  @IsOptional()
  @Matches(/^\s*[a-zA-Z][a-zA-Z0-9+.-]*(\s*,\s*[a-zA-Z][a-zA-Z0-9+.-]*)*\s*$/, {
    message: 'EXTERNAL_URI_SCHEMES must be a comma-separated list of URI schemes (such as https,s3,ipfs,ar)',
  })
  EXTERNAL_URI_SCHEMES?: string;

  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  @IsOptional()
  @IsString()
  @Matches(/^.{32,}$/, { message: 'DOWNLOAD_URL_SECRET must be at least 32 characters' })
  DOWNLOAD_URL_SECRET?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  ORPHAN_BLOB_TTL_SECONDS?: number;

  @IsOptional()
  @Matches(/^(0?\.(?=\d*[1-9])\d{1,6}|1(\.0{1,6})?)$/, {
    message: 'OVERLAP_REFUSE_FRACTION must be a decimal above 0 and at most 1, with up to 6 decimals (such as 0.5)',
  })
  OVERLAP_REFUSE_FRACTION?: string;

  @IsOptional()
  @Matches(/^(0?\.(?=\d*[1-9])\d{1,6}|1(\.0{1,6})?)$/, {
    message: 'NEAR_DUPLICATE_SIMILARITY must be a decimal above 0 and at most 1, with up to 6 decimals (such as 0.5)',
  })
  NEAR_DUPLICATE_SIMILARITY?: string;

  @IsOptional()
  @Matches(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/, {
    message:
      'BLOB_STORE_URL must be s3://bucket or s3://bucket/prefix (a bucket name of 3-63 lowercase letters, digits, dots and hyphens)',
  })
  BLOB_STORE_URL?: string;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  S3_ENDPOINT?: string;

  @IsOptional()
  @IsIn(['off', 'presigned'])
  BLOB_REDIRECT?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  BLOB_REDIRECT_TTL_SECONDS?: number;
}
