import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import type { ErrorCode } from '../common/errors/error-codes';

/** Refusals of the contributions feature (upload, registration, catalogue); statuses live in error-codes.ts. */
export type ContributionErrorCode = Extract<
  ErrorCode,
  | 'VALIDATION_FAILED'
  | 'DATASET_NOT_FOUND'
  | 'FILE_NOT_FOUND'
  | 'BLOB_NOT_FOUND'
  | 'FILE_TOO_LARGE'
  | 'TOO_MANY_FILES'
  | 'INVALID_SIGNATURE'
  | 'DEADLINE_EXPIRED'
  | 'CONTENT_ROOT_MISMATCH'
  | 'LICENSE_TERMS_MISMATCH'
  | 'UNKNOWN_BLOB'
  | 'UNKNOWN_PARENT'
  | 'UNKNOWN_PREVIOUS_VERSION'
  | 'LINEAGE_CYCLE'
  | 'BLOB_HASH_MISMATCH'
  | 'SIGNER_NOT_OWNER'
  | 'NOT_PREVIOUS_VERSION_OWNER'
  | 'NONCE_REUSED'
  | 'DATASET_EXISTS'
  | 'UPLOAD_NOT_FOUND'
  | 'UPLOAD_EXPIRED'
  | 'UPLOAD_OFFSET_MISMATCH'
  | 'TUS_VERSION_UNSUPPORTED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RANGE_NOT_SATISFIABLE'
>;

export function contributionError(
  code: ContributionErrorCode,
  message: string,
  details: ErrorDetail[] = [],
  meta?: Record<string, unknown>,
): DomainError<ContributionErrorCode> {
  return new DomainError(code, message, details, meta);
}

/** One field at fault: the message and the single detail say the same thing. */
export function fieldError(code: ContributionErrorCode, field: string, reason: string, meta?: Record<string, unknown>): DomainError<ContributionErrorCode> {
  return new DomainError(code, `${field}: ${reason}`, [{ field, reason }], meta);
}

export const fileTooLarge = (maxBytes: number, field = 'body') =>
  fieldError('FILE_TOO_LARGE', field, `exceeds MAX_FILE_BYTES (${maxBytes} bytes)`, { limit: 'MAX_FILE_BYTES', maxBytes });

export const datasetNotFound = (id: string) => fieldError('DATASET_NOT_FOUND', 'id', `no dataset ${id}`);
