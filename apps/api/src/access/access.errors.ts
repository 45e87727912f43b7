import { HttpStatus } from '@nestjs/common';
import type { CommonErrorCode } from '../common/errors/common.errors';
import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import { defineErrorCodes } from '../common/errors/error-code-table';

/** Refusals of the access feature (sign-in, credentials, who may fetch and store bytes) and their HTTP statuses. */
export const ACCESS_ERROR_CODES = defineErrorCodes({
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  CREDENTIAL_INVALID: HttpStatus.UNAUTHORIZED,
  SIWE_INVALID: HttpStatus.UNAUTHORIZED,
  SCOPE_REQUIRED: HttpStatus.FORBIDDEN,
  SESSION_REQUIRED: HttpStatus.FORBIDDEN,
  NOT_OWNER: HttpStatus.FORBIDDEN,
  LICENSE_REQUIRED: HttpStatus.FORBIDDEN,
  LICENSE_EXPIRED: HttpStatus.FORBIDDEN,
  DATASET_PRIVATE: HttpStatus.FORBIDDEN,
  BLOB_NOT_AVAILABLE: HttpStatus.FORBIDDEN,
  SIGNED_URL_INVALID: HttpStatus.FORBIDDEN,
  QUOTA_EXCEEDED: HttpStatus.PAYLOAD_TOO_LARGE,
  API_KEY_NOT_FOUND: HttpStatus.NOT_FOUND,
});

export type AccessErrorCode = keyof typeof ACCESS_ERROR_CODES | Extract<CommonErrorCode, 'VALIDATION_FAILED'>;

export function accessError(
  code: AccessErrorCode,
  message: string,
  details: ErrorDetail[] = [],
  meta?: Record<string, unknown>,
): DomainError<AccessErrorCode> {
  return new DomainError(code, message, details, meta);
}

export const unauthenticated = () =>
  accessError('UNAUTHENTICATED', 'sign in first: send `Authorization: Bearer <session token or API key>`', [
    { field: 'authorization', reason: 'missing' },
  ]);

export const quotaExceeded = (usedBytes: bigint, limitBytes: bigint, field = 'body') =>
  accessError(
    'QUOTA_EXCEEDED',
    `${field}: storing it would pass this account's UPLOAD_QUOTA_BYTES (${usedBytes} of ${limitBytes} bytes used)`,
    [{ field, reason: 'over the storage quota' }],
    { usedBytes: usedBytes.toString(), limitBytes: limitBytes.toString() },
  );
