import { HttpStatus } from '@nestjs/common';
import type { CommonErrorCode } from '../common/errors/common.errors';
import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import { defineErrorCodes } from '../common/errors/error-code-table';
import type { ContributionErrorCode } from '../contributions/contributions.errors';

/** Refusals of the integrity feature (overlap between datasets) and their HTTP statuses. */
export const INTEGRITY_ERROR_CODES = defineErrorCodes({
  /** Too much of a new dataset's bytes are in earlier datasets of other owners it does not declare as parents. */
  UNDECLARED_OVERLAP: HttpStatus.CONFLICT,
});

export type IntegrityErrorCode =
  | keyof typeof INTEGRITY_ERROR_CODES
  | Extract<CommonErrorCode, 'VALIDATION_FAILED'>
  | Extract<ContributionErrorCode, 'DATASET_NOT_FOUND'>;

export function integrityError(
  code: IntegrityErrorCode,
  message: string,
  details: ErrorDetail[] = [],
  meta?: Record<string, unknown>,
): DomainError<IntegrityErrorCode> {
  return new DomainError(code, message, details, meta);
}
