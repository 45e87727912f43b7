import { HttpStatus } from '@nestjs/common';
import { DomainError } from './domain-error';
import { defineErrorCodes } from './error-code-table';

/**
 * Codes any feature may raise: a malformed request (its body, its content type, its headers), and a
 * dependency (PostgreSQL, the chain's JSON-RPC) unreachable or shutting down.
 */
export const COMMON_ERROR_CODES = defineErrorCodes({
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  MALFORMED_BODY: HttpStatus.BAD_REQUEST,
  BODY_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  TOO_MANY_ITEMS: HttpStatus.PAYLOAD_TOO_LARGE,
  TEXT_TOO_LONG: HttpStatus.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  // 431 Request Header Fields Too Large, which Nest's HttpStatus does not name.
  HEADERS_TOO_LARGE: 431 as HttpStatus,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  // The rate limit (RATE_LIMIT_PER_MINUTE, UPLOAD_RATE_LIMIT_PER_MINUTE), answered by the throttler.
  TOO_MANY_REQUESTS: HttpStatus.TOO_MANY_REQUESTS,
  DATABASE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  CHAIN_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  // The object store of BLOB_STORE_URL cannot be reached or fails on its side (5xx).
  BLOB_STORE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
});

export type CommonErrorCode = keyof typeof COMMON_ERROR_CODES;

/** A request refused before any feature saw it, naming the part at fault (`body`, `Content-Type`, a key path). */
export function requestError(code: CommonErrorCode, field: string, reason: string): DomainError<CommonErrorCode> {
  return new DomainError(code, `${field}: ${reason}`, [{ field, reason }]);
}
