import { HttpStatus } from '@nestjs/common';
import { ACCESS_ERROR_CODES } from '../../../apps/api/src/access/access.errors';
import { describe, expect, it } from 'vitest';
import { domainErrorBody } from '../../../apps/api/src/common/errors/api-exception.filter';
import { COMMON_ERROR_CODES } from '../../../apps/api/src/common/errors/common.errors';
import { DomainError } from '../../../apps/api/src/common/errors/domain-error';
import { defineErrorCodes, mergeErrorCodes } from '../../../apps/api/src/common/errors/error-code-table';
import { ERROR_CODES, httpStatusFor, type ErrorCode } from '../../../apps/api/src/common/errors/error-codes';
import { contributionError, CONTRIBUTION_ERROR_CODES } from '../../../apps/api/src/contributions/contributions.errors';
import { LICENSE_ERROR_CODES, LicenseErrors } from '../../../apps/api/src/licenses/licenses.errors';
import { ROYALTIES_ERROR_CODES } from '../../../apps/api/src/royalties/royalties.errors';
import { RUN_ERROR_CODES } from '../../../apps/api/src/runs/runs.errors';
import { GOVERNANCE_ERROR_CODES } from '../../../apps/api/src/governance/governance.errors';
import { INTEGRITY_ERROR_CODES } from '../../../apps/api/src/integrity/integrity.errors';
import { DISPUTE_ERROR_CODES } from '../../../apps/api/src/disputes/disputes.errors';

// The statuses the API answered with before the codes moved into the features' *.errors.ts:
// a code may be added here, but none may change or disappear without a client noticing.
const STATUS_BEFORE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_BODY: 400,
  BODY_TOO_LARGE: 413,
  TOO_MANY_ITEMS: 413,
  TEXT_TOO_LONG: 413,
  HEADERS_TOO_LARGE: 431,
  NOT_FOUND: 404,
  TOO_MANY_REQUESTS: 429,
  DATABASE_UNAVAILABLE: 503,
  CHAIN_UNAVAILABLE: 503,
  BLOB_STORE_UNAVAILABLE: 503,
  UNAUTHENTICATED: 401,
  CREDENTIAL_INVALID: 401,
  SIWE_INVALID: 401,
  SCOPE_REQUIRED: 403,
  SESSION_REQUIRED: 403,
  NOT_OWNER: 403,
  LICENSE_REQUIRED: 403,
  LICENSE_EXPIRED: 403,
  DATASET_PRIVATE: 403,
  BLOB_NOT_AVAILABLE: 403,
  SIGNED_URL_INVALID: 403,
  QUOTA_EXCEEDED: 413,
  API_KEY_NOT_FOUND: 404,
  DATASET_NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  BLOB_NOT_FOUND: 404,
  FILE_TOO_LARGE: 413,
  TOO_MANY_FILES: 413,
  INVALID_SIGNATURE: 400,
  DEADLINE_EXPIRED: 400,
  CONTENT_ROOT_MISMATCH: 400,
  LICENSE_TERMS_MISMATCH: 400,
  UNKNOWN_BLOB: 400,
  UNKNOWN_PARENT: 400,
  UNKNOWN_PREVIOUS_VERSION: 400,
  LINEAGE_CYCLE: 400,
  BLOB_HASH_MISMATCH: 400,
  SIGNER_NOT_OWNER: 403,
  NOT_PREVIOUS_VERSION_OWNER: 403,
  NONCE_REUSED: 409,
  DATASET_EXISTS: 409,
  UPLOAD_NOT_FOUND: 404,
  UPLOAD_EXPIRED: 410,
  UPLOAD_OFFSET_MISMATCH: 409,
  BLOB_COLLECTED: 409,
  TUS_VERSION_UNSUPPORTED: 412,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  LICENSE_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  LICENSING_CLOSED: 403,
  UNLICENSED_DATASETS: 403,
  UNKNOWN_DATASETS: 400,
  ENTRIES_ROOT_MISMATCH: 400,
  LICENSE_EXISTS: 409,
  LICENSE_FEE_UNPAYABLE: 409,
  RUN_EXISTS: 409,
  RUN_CHUNK_OFFSET: 409,
  RUN_INCOMPLETE: 409,
  EPOCH_NOT_FOUND: 404,
  GOVERNANCE_NOT_DEPLOYED: 404,
  PROPOSAL_NOT_FOUND: 404,
  UNDECLARED_OVERLAP: 409,
  DATASET_WITHDRAWN: 410,
  ALREADY_TAKEN_DOWN: 409,
  DATASET_DELISTED: 410,
  DISPUTE_NOT_FOUND: 404,
  DISPUTES_NOT_DEPLOYED: 404,
};

describe('error codes', () => {
  it('answer each code with the HTTP status it had before the move', () => {
    expect({ ...ERROR_CODES }).toEqual(STATUS_BEFORE);
  });

  it('are the union of the features’ tables, each code declared once', () => {
    const tables = [
      COMMON_ERROR_CODES,
      ACCESS_ERROR_CODES,
      CONTRIBUTION_ERROR_CODES,
      LICENSE_ERROR_CODES,
      RUN_ERROR_CODES,
      ROYALTIES_ERROR_CODES,
      GOVERNANCE_ERROR_CODES,
      INTEGRITY_ERROR_CODES,
      DISPUTE_ERROR_CODES,
    ];
    const declared = tables.flatMap((table) => Object.keys(table));
    expect(new Set(declared).size).toBe(declared.length);
    expect(declared.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('refuse a table that declares a code twice, also when the type check was bypassed', () => {
    const twice = [defineErrorCodes({ X: HttpStatus.CONFLICT }), defineErrorCodes({ X: HttpStatus.CONFLICT })] as const;
    expect(() => mergeErrorCodes(...(twice as unknown as [{ X: HttpStatus.CONFLICT }]))).toThrow(
      'error code X is declared twice',
    );
  });

  it('render a domain error in the one error shape, with its feature-declared status', () => {
    const error = LicenseErrors.licenseExists('lic-1', 'active');
    expect(domainErrorBody(error)).toEqual({
      licenseId: 'lic-1',
      status: 'active',
      statusCode: 409,
      error: 'LICENSE_EXISTS',
      message: 'this lab already holds a active license for the dataset',
      details: [{ field: 'licensee', reason: 'already holds license lic-1 (active)' }],
    });
    expect(httpStatusFor(contributionError('RANGE_NOT_SATISFIABLE', 'x').code)).toBe(
      HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
    );
  });
});

// Type-level checks: `npm run typecheck` covers test/, so each line below must fail to compile.
export function compileTimeRefusals(): void {
  // @ts-expect-error a mistyped code is not a declared code
  void new DomainError('DATASET_NOT_FOUNDD', 'typo');
  // @ts-expect-error a feature factory takes only its own (and its borrowed) codes
  void contributionError('EPOCH_NOT_FOUND', 'the royalties feature’s code');
  // @ts-expect-error a code declared without an HTTP status does not type as a table
  void defineErrorCodes({ NO_STATUS: undefined });
  const conflicting = defineErrorCodes({ TWICE: HttpStatus.CONFLICT });
  const missing = defineErrorCodes({ TWICE: HttpStatus.NOT_FOUND });
  // @ts-expect-error two features declaring the same code do not merge
  void mergeErrorCodes(conflicting, missing);
  // @ts-expect-error the status of a code is part of its type (EPOCH_NOT_FOUND is a 404)
  const conflict: HttpStatus.CONFLICT = ERROR_CODES.EPOCH_NOT_FOUND;
  void conflict;
}
