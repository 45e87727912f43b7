import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import type { FieldError } from '@upstream/provenance';

/** Refusals of the licensing feature; statuses are mapped in common/errors/error-codes.ts. */
export const LicenseErrors = {
  datasetNotFound: (field: string, ref: string) =>
    new DomainError('DATASET_NOT_FOUND', `dataset ${ref} does not exist`, [{ field, reason: 'no dataset with this id or content root' }]),
  licenseNotFound: (id: string) => new DomainError('LICENSE_NOT_FOUND', `license ${id} does not exist`, [{ field: 'id', reason: 'no license with this id' }]),
  badSignature: (expected: string, recovered?: string) =>
    new DomainError('INVALID_SIGNATURE', `signature is not by ${expected}`, [
      { field: 'signature', reason: recovered ? `recovers to ${recovered}, not ${expected}` : 'is not a valid 65-byte ECDSA signature' },
    ]),
  nonceReused: (signer: string, nonce: bigint) =>
    new DomainError('NONCE_REUSED', `nonce ${nonce} of ${signer} was already used`, [{ field: 'nonce', reason: 'already used by this signer; sign again with a new nonce' }]),
  termsMismatch: (current: string) =>
    new DomainError('LICENSE_TERMS_MISMATCH', 'the signed terms hash is not the dataset’s current terms', [{ field: 'termsHash', reason: `must be ${current}` }], {
      termsHash: current,
    }),
  licensingClosed: (datasetId: string) =>
    new DomainError('LICENSING_CLOSED', `dataset ${datasetId} is not granting new licenses`, [{ field: 'datasetId', reason: 'its owners closed licensing' }]),
  licenseExists: (licenseId: string, status: string) =>
    new DomainError('LICENSE_EXISTS', `this lab already holds a ${status} license for the dataset`, [{ field: 'licensee', reason: `already holds license ${licenseId} (${status})` }], {
      licenseId,
      status,
    }),
  signerNotOwner: (signer: string) =>
    new DomainError('SIGNER_NOT_OWNER', `${signer} is not an owner of the dataset`, [{ field: 'signer', reason: 'must be one of the dataset’s owners' }]),
};

/** Field errors of a signed message: an expired deadline alone is DEADLINE_EXPIRED, anything else VALIDATION_FAILED. */
export function signedMessageError(errors: readonly FieldError[]): DomainError {
  const details: ErrorDetail[] = errors.map((e) => ({ field: e.field, reason: e.reason }));
  const message = details.map((d) => `${d.field}: ${d.reason}`).join('; ');
  if (details.every((d) => d.field === 'deadline' && d.reason === 'must be in the future')) return new DomainError('DEADLINE_EXPIRED', message, details);
  return new DomainError('VALIDATION_FAILED', message, details);
}
