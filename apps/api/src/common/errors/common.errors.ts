import { HttpStatus } from '@nestjs/common';
import { defineErrorCodes } from './error-code-table';

/** Codes any feature may raise: a malformed request, and a dependency (PostgreSQL, the chain's JSON-RPC) unreachable or shutting down. */
export const COMMON_ERROR_CODES = defineErrorCodes({
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  DATABASE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  CHAIN_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
});

export type CommonErrorCode = keyof typeof COMMON_ERROR_CODES;
