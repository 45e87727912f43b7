import { HttpStatus } from '@nestjs/common';
import type { FieldError } from '@upstream/provenance';
import type { CommonErrorCode } from '../common/errors/common.errors';
import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import { defineErrorCodes } from '../common/errors/error-code-table';
import type { ContributionErrorCode } from '../contributions/contributions.errors';

/** Refusals only the licensing feature raises, and their HTTP statuses. */
export const LICENSE_ERROR_CODES = defineErrorCodes({
  LICENSE_NOT_FOUND: HttpStatus.NOT_FOUND,
  LICENSING_CLOSED: HttpStatus.FORBIDDEN,
  LICENSE_EXISTS: HttpStatus.CONFLICT,
  LICENSE_FEE_UNPAYABLE: HttpStatus.CONFLICT,
});

/** What licensing may raise: its own codes, plus the dataset and signed-message codes the contributions feature declares. */
export type LicenseErrorCode =
  | keyof typeof LICENSE_ERROR_CODES
  | Extract<CommonErrorCode, 'VALIDATION_FAILED'>
  | Extract<
      ContributionErrorCode,
      | 'DATASET_NOT_FOUND'
      | 'INVALID_SIGNATURE'
      | 'NONCE_REUSED'
      | 'LICENSE_TERMS_MISMATCH'
      | 'SIGNER_NOT_OWNER'
      | 'DEADLINE_EXPIRED'
    >;

function licenseError(
  code: LicenseErrorCode,
  message: string,
  details: ErrorDetail[] = [],
  meta?: Record<string, unknown>,
): DomainError<LicenseErrorCode> {
  return new DomainError(code, message, details, meta);
}

export const LicenseErrors = {
  datasetNotFound: (field: string, ref: string) =>
    licenseError('DATASET_NOT_FOUND', `dataset ${ref} does not exist`, [
      { field, reason: 'no dataset with this id or content root' },
    ]),
  licenseNotFound: (id: string) =>
    licenseError('LICENSE_NOT_FOUND', `license ${id} does not exist`, [
      { field: 'id', reason: 'no license with this id' },
    ]),
  badSignature: (expected: string, reason?: string) =>
    licenseError('INVALID_SIGNATURE', `signature is not by ${expected}`, [
      { field: 'signature', reason: reason ?? 'is not a valid signature' },
    ]),
  nonceReused: (signer: string, nonce: bigint) =>
    licenseError('NONCE_REUSED', `nonce ${nonce} of ${signer} was already used`, [
      { field: 'nonce', reason: 'already used by this signer; sign again with a new nonce' },
    ]),
  termsMismatch: (current: string) =>
    licenseError(
      'LICENSE_TERMS_MISMATCH',
      'the signed terms hash is not the dataset’s current terms',
      [{ field: 'termsHash', reason: `must be ${current}` }],
      {
        termsHash: current,
      },
    ),
  licensingClosed: (datasetId: string) =>
    licenseError('LICENSING_CLOSED', `dataset ${datasetId} is not granting new licenses`, [
      { field: 'datasetId', reason: 'its owners closed licensing' },
    ]),
  licenseExists: (licenseId: string, status: string) =>
    licenseError(
      'LICENSE_EXISTS',
      `this lab already holds a ${status} license for the dataset`,
      [{ field: 'licensee', reason: `already holds license ${licenseId} (${status})` }],
      {
        licenseId,
        status,
      },
    ),
  feeUnpayable: (datasetId: string, amount: bigint) =>
    licenseError(
      'LICENSE_FEE_UNPAYABLE',
      `dataset ${datasetId} asks a fee of ${amount}, which no ERC-20 transfer can carry (above uint256)`,
      [{ field: 'datasetId', reason: 'its license fee is above 2^256 - 1 and can never be paid' }],
    ),
  signerNotOwner: (signer: string) =>
    licenseError('SIGNER_NOT_OWNER', `${signer} is not an owner of the dataset`, [
      { field: 'signer', reason: 'must be one of the dataset’s owners' },
    ]),
};

/** Field errors of a signed message: an expired deadline alone is DEADLINE_EXPIRED, anything else VALIDATION_FAILED. */
export function signedMessageError(errors: readonly FieldError[]): DomainError<LicenseErrorCode> {
  const details: ErrorDetail[] = errors.map((e) => ({ field: e.field, reason: e.reason }));
  const message = details.map((d) => `${d.field}: ${d.reason}`).join('; ');
  if (details.every((d) => d.field === 'deadline' && d.reason === 'must be in the future'))
    return licenseError('DEADLINE_EXPIRED', message, details);
  return licenseError('VALIDATION_FAILED', message, details);
}
