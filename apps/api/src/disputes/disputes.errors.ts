import { HttpStatus } from '@nestjs/common';
import type { CommonErrorCode } from '../common/errors/common.errors';
import { DomainError } from '../common/errors/domain-error';
import { defineErrorCodes } from '../common/errors/error-code-table';
import type { ContributionErrorCode } from '../contributions/contributions.errors';

/** Refusals of the disputes feature and their HTTP statuses. */
export const DISPUTE_ERROR_CODES = defineErrorCodes({
  DISPUTE_NOT_FOUND: HttpStatus.NOT_FOUND,
  /** The deployment has no DisputeBonds contract (it predates disputes). */
  DISPUTES_NOT_DEPLOYED: HttpStatus.NOT_FOUND,
});

export type DisputeErrorCode =
  | keyof typeof DISPUTE_ERROR_CODES
  | Extract<CommonErrorCode, 'VALIDATION_FAILED'>
  | Extract<ContributionErrorCode, 'DATASET_NOT_FOUND'>;

function disputeError(code: DisputeErrorCode, message: string, field: string, reason: string) {
  return new DomainError<DisputeErrorCode>(code, message, [{ field, reason }]);
}

export const DisputeErrors = {
  notFound: (id: string) =>
    disputeError('DISPUTE_NOT_FOUND', `no dispute ${id} has been indexed`, 'id', 'no DisputeOpened event with this id'),
  invalidId: (id: string) =>
    disputeError(
      'VALIDATION_FAILED',
      `id: ${JSON.stringify(id.slice(0, 80))} is not a dispute id`,
      'id',
      'must be a dispute id: a positive integer in decimal (at most 78 digits)',
    ),
  notDeployed: () =>
    disputeError(
      'DISPUTES_NOT_DEPLOYED',
      'this deployment names no DisputeBonds contract (it predates disputes)',
      'deployment',
      'has no DisputeBonds',
    ),
  datasetNotFound: (ref: string, field: string) =>
    disputeError('DATASET_NOT_FOUND', `${field}: no dataset ${ref}`, field, 'no dataset with this id or content root'),
};
