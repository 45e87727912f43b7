import { DomainError } from '../common/errors/domain-error';
import type { ErrorCode } from '../common/errors/error-codes';

/** Refusals of the royalties feature (ledger, epochs, claims); statuses live in error-codes.ts. */
export type RoyaltiesErrorCode = Extract<ErrorCode, 'EPOCH_NOT_FOUND'>;

export function epochNotFound(epoch: number): DomainError<RoyaltiesErrorCode> {
  return new DomainError('EPOCH_NOT_FOUND', `epoch ${epoch} does not exist`, [{ field: 'epoch', reason: `no epoch ${epoch} has been settled` }]);
}
