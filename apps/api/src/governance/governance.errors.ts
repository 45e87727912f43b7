import { HttpStatus } from '@nestjs/common';
import type { CommonErrorCode } from '../common/errors/common.errors';
import { DomainError } from '../common/errors/domain-error';
import { defineErrorCodes } from '../common/errors/error-code-table';

/** Refusals of the governance feature and their HTTP statuses. */
export const GOVERNANCE_ERROR_CODES = defineErrorCodes({
  GOVERNANCE_NOT_DEPLOYED: HttpStatus.NOT_FOUND,
  PROPOSAL_NOT_FOUND: HttpStatus.NOT_FOUND,
});

export type GovernanceErrorCode = keyof typeof GOVERNANCE_ERROR_CODES | Extract<CommonErrorCode, 'VALIDATION_FAILED'>;

export const GovernanceErrors = {
  notDeployed: () =>
    new DomainError<GovernanceErrorCode>(
      'GOVERNANCE_NOT_DEPLOYED',
      'this deployment names no governor: set it up with the contracts (see the README)',
      [{ field: 'deployment', reason: 'has no Governor, Timelock and votes token' }],
    ),
  licenseTemplatesNotDeployed: () =>
    new DomainError<GovernanceErrorCode>(
      'GOVERNANCE_NOT_DEPLOYED',
      'this deployment names no license template registry (it predates LicenseTemplateRegistry)',
      [{ field: 'deployment', reason: 'has no LicenseTemplateRegistry' }],
    ),
  proposalNotFound: (id: string) =>
    new DomainError<GovernanceErrorCode>('PROPOSAL_NOT_FOUND', `no proposal ${id} has been indexed`, [
      { field: 'id', reason: 'no ProposalCreated event with this id (or not final yet)' },
    ]),
  invalid: (field: string, reason: string) =>
    new DomainError<GovernanceErrorCode>('VALIDATION_FAILED', `${field}: ${reason}`, [{ field, reason }]),
};
