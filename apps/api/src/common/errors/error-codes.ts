import type { HttpStatus } from '@nestjs/common';
import { ACCESS_ERROR_CODES } from '../../access/access.errors';
import { CONTRIBUTION_ERROR_CODES } from '../../contributions/contributions.errors';
import { DISPUTE_ERROR_CODES } from '../../disputes/disputes.errors';
import { INTEGRITY_ERROR_CODES } from '../../integrity/integrity.errors';
import { LICENSE_ERROR_CODES } from '../../licenses/licenses.errors';
import { ROYALTIES_ERROR_CODES } from '../../royalties/royalties.errors';
import { RUN_ERROR_CODES } from '../../runs/runs.errors';
import { COMMON_ERROR_CODES } from './common.errors';
import { GOVERNANCE_ERROR_CODES } from '../../governance/governance.errors';
import { mergeErrorCodes } from './error-code-table';

/**
 * Every domain error code in the API and its HTTP status: the union of the features' tables
 * (each feature declares its codes in its `*.errors.ts`). A code declared twice fails the type check.
 */
export const ERROR_CODES = mergeErrorCodes(
  COMMON_ERROR_CODES,
  ACCESS_ERROR_CODES,
  CONTRIBUTION_ERROR_CODES,
  LICENSE_ERROR_CODES,
  RUN_ERROR_CODES,
  ROYALTIES_ERROR_CODES,
  GOVERNANCE_ERROR_CODES,
  INTEGRITY_ERROR_CODES,
  DISPUTE_ERROR_CODES,
);

export type ErrorCode = keyof typeof ERROR_CODES;

export function httpStatusFor(code: ErrorCode): HttpStatus {
  return ERROR_CODES[code];
}
