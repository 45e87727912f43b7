import { HttpStatus } from '@nestjs/common';
import type { CommonErrorCode } from '../common/errors/common.errors';
import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import { defineErrorCodes } from '../common/errors/error-code-table';

/** Refusals of the contributions feature (upload, registration, catalogue) and their HTTP statuses. */
export const CONTRIBUTION_ERROR_CODES = defineErrorCodes({
  DATASET_NOT_FOUND: HttpStatus.NOT_FOUND,
  FILE_NOT_FOUND: HttpStatus.NOT_FOUND,
  BLOB_NOT_FOUND: HttpStatus.NOT_FOUND,
  FILE_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  TOO_MANY_FILES: HttpStatus.PAYLOAD_TOO_LARGE,
  INVALID_SIGNATURE: HttpStatus.BAD_REQUEST,
  DEADLINE_EXPIRED: HttpStatus.BAD_REQUEST,
  CONTENT_ROOT_MISMATCH: HttpStatus.BAD_REQUEST,
  LICENSE_TERMS_MISMATCH: HttpStatus.BAD_REQUEST,
  UNKNOWN_BLOB: HttpStatus.BAD_REQUEST,
  UNKNOWN_PARENT: HttpStatus.BAD_REQUEST,
  UNKNOWN_PREVIOUS_VERSION: HttpStatus.BAD_REQUEST,
  LINEAGE_CYCLE: HttpStatus.BAD_REQUEST,
  BLOB_HASH_MISMATCH: HttpStatus.BAD_REQUEST,
  SIGNER_NOT_OWNER: HttpStatus.FORBIDDEN,
  NOT_PREVIOUS_VERSION_OWNER: HttpStatus.FORBIDDEN,
  NONCE_REUSED: HttpStatus.CONFLICT,
  DATASET_EXISTS: HttpStatus.CONFLICT,
  UPLOAD_OFFSET_MISMATCH: HttpStatus.CONFLICT,
  BLOB_COLLECTED: HttpStatus.CONFLICT,
  UPLOAD_NOT_FOUND: HttpStatus.NOT_FOUND,
  UPLOAD_EXPIRED: HttpStatus.GONE,
  TUS_VERSION_UNSUPPORTED: HttpStatus.PRECONDITION_FAILED,
  RANGE_NOT_SATISFIABLE: HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
});

export type ContributionErrorCode =
  keyof typeof CONTRIBUTION_ERROR_CODES | Extract<CommonErrorCode, 'VALIDATION_FAILED' | 'UNSUPPORTED_MEDIA_TYPE'>;

export function contributionError(
  code: ContributionErrorCode,
  message: string,
  details: ErrorDetail[] = [],
  meta?: Record<string, unknown>,
): DomainError<ContributionErrorCode> {
  return new DomainError(code, message, details, meta);
}

/** One field at fault: the message and the single detail say the same thing. */
export function fieldError(
  code: ContributionErrorCode,
  field: string,
  reason: string,
  meta?: Record<string, unknown>,
): DomainError<ContributionErrorCode> {
  return new DomainError(code, `${field}: ${reason}`, [{ field, reason }], meta);
}

export const fileTooLarge = (maxBytes: number, field = 'body') =>
  fieldError('FILE_TOO_LARGE', field, `exceeds MAX_FILE_BYTES (${maxBytes} bytes)`, {
    limit: 'MAX_FILE_BYTES',
    maxBytes,
  });

export const datasetNotFound = (id: string) => fieldError('DATASET_NOT_FOUND', 'id', `no dataset ${id}`);
