import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { defineErrorCodes } from '../common/errors/error-code-table';

/** Refusals of the royalties feature (ledger, epochs, claims) and their HTTP statuses. */
export const ROYALTIES_ERROR_CODES = defineErrorCodes({
  EPOCH_NOT_FOUND: HttpStatus.NOT_FOUND,
});

export type RoyaltiesErrorCode = keyof typeof ROYALTIES_ERROR_CODES;

export function epochNotFound(epoch: number): DomainError<RoyaltiesErrorCode> {
  return new DomainError('EPOCH_NOT_FOUND', `epoch ${epoch} does not exist`, [
    { field: 'epoch', reason: `no epoch ${epoch} has been settled` },
  ]);
}
