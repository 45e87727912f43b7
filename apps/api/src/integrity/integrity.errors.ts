import { HttpStatus } from '@nestjs/common';
import type { CommonErrorCode } from '../common/errors/common.errors';
import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import { defineErrorCodes } from '../common/errors/error-code-table';
import type { ContributionErrorCode } from '../contributions/contributions.errors';
import type { DelistingState, TakedownState, Unavailability } from '../catalogue/dataset-read.repository';

/** Refusals of the integrity feature (overlap between datasets) and their HTTP statuses. */
export const INTEGRITY_ERROR_CODES = defineErrorCodes({
  /** Too much of a new dataset's bytes are in earlier datasets of other owners it does not declare as parents. */
  UNDECLARED_OVERLAP: HttpStatus.CONFLICT,
  /** Its owners took the dataset down: no new licenses, no deliveries. */
  DATASET_WITHDRAWN: HttpStatus.GONE,
  ALREADY_TAKEN_DOWN: HttpStatus.CONFLICT,
  /** A dispute against the dataset was upheld: no new licenses, deliveries or runs. */
  DATASET_DELISTED: HttpStatus.GONE,
});

export type IntegrityErrorCode =
  | keyof typeof INTEGRITY_ERROR_CODES
  | Extract<CommonErrorCode, 'VALIDATION_FAILED'>
  | Extract<
      ContributionErrorCode,
      'DATASET_NOT_FOUND' | 'INVALID_SIGNATURE' | 'SIGNER_NOT_OWNER' | 'NONCE_REUSED' | 'DEADLINE_EXPIRED'
    >;

export function integrityError(
  code: IntegrityErrorCode,
  message: string,
  details: ErrorDetail[] = [],
  meta?: Record<string, unknown>,
): DomainError<IntegrityErrorCode> {
  return new DomainError(code, message, details, meta);
}

/** 410: the dataset was taken down by its owners; names when, why, and whether its bytes were deleted. */
export function datasetWithdrawn(datasetId: string, takedown: TakedownState, field = 'dataset') {
  const at = new Date(takedown.taken_down_at).toISOString();
  const deleted = takedown.bytes_deleted_at ? new Date(takedown.bytes_deleted_at).toISOString() : null;
  const reason = `taken down by its owners at ${at}: ${JSON.stringify(takedown.reason)}${deleted ? `; its bytes were deleted at ${deleted}` : ''}`;
  return integrityError('DATASET_WITHDRAWN', `${field}: dataset ${datasetId} was ${reason}`, [{ field, reason }], {
    datasetId,
    takenDownAt: at,
    takedownReason: takedown.reason,
    bytesDeletedAt: deleted,
  });
}

/** 410: a dispute against the dataset was upheld; names the dispute and when. */
export function datasetDelisted(datasetId: string, delisting: DelistingState, field = 'dataset') {
  const at = new Date(delisting.upheld_at).toISOString();
  const reason = `delisted: dispute ${delisting.dispute_id} against it was upheld at ${at}`;
  return integrityError('DATASET_DELISTED', `${field}: dataset ${datasetId} is ${reason}`, [{ field, reason }], {
    datasetId,
    disputeId: delisting.dispute_id,
    upheldAt: at,
  });
}

/** The refusal of a dataset that is no longer usable for anything new (taken down first, then delisted), or null. */
export function unavailable(datasetId: string, state: Unavailability, field = 'dataset') {
  if (state.takedown) return datasetWithdrawn(datasetId, state.takedown, field);
  if (state.delisting) return datasetDelisted(datasetId, state.delisting, field);
  return null;
}
