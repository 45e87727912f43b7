import { HttpStatus } from '@nestjs/common';
import { ProvenanceError, ProvenanceValidationError } from '@upstream/provenance';
import type { CommonErrorCode } from '../common/errors/common.errors';
import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import { defineErrorCodes } from '../common/errors/error-code-table';
import type { IntegrityErrorCode } from '../integrity/integrity.errors';

/** Refusals of the training-runs feature and their HTTP statuses. */
export const RUN_ERROR_CODES = defineErrorCodes({
  RUN_NOT_FOUND: HttpStatus.NOT_FOUND,
  UNLICENSED_DATASETS: HttpStatus.FORBIDDEN,
  UNKNOWN_DATASETS: HttpStatus.BAD_REQUEST,
  ENTRIES_ROOT_MISMATCH: HttpStatus.BAD_REQUEST,
  RUN_EXISTS: HttpStatus.CONFLICT,
  RUN_CHUNK_OFFSET: HttpStatus.CONFLICT,
  RUN_INCOMPLETE: HttpStatus.CONFLICT,
});

export type RunErrorCode =
  | keyof typeof RUN_ERROR_CODES
  | Extract<CommonErrorCode, 'VALIDATION_FAILED'>
  | Extract<IntegrityErrorCode, 'DATASET_DELISTED'>;

function runError(
  code: RunErrorCode,
  message: string,
  details: ErrorDetail[] = [],
  meta?: Record<string, unknown>,
): DomainError<RunErrorCode> {
  return new DomainError(code, message, details, meta);
}

export const RunErrors = {
  runNotFound: (ref: string) =>
    runError('RUN_NOT_FOUND', `run ${ref} does not exist (or is not committed yet)`, [
      { field: 'id', reason: 'no committed run with this id or runId' },
    ]),
  uploadNotFound: (id: string) =>
    runError('RUN_NOT_FOUND', `no open upload ${id}`, [
      { field: 'id', reason: 'no run upload in progress with this id (committed, refused or never started)' },
    ]),
  runExists: (id: string, runId: string) =>
    runError(
      'RUN_EXISTS',
      `this manifest is already recorded as run ${runId}`,
      [{ field: 'signature', reason: 'manifest already recorded' }],
      { id, runId },
    ),
  chunkOffset: (expected: number, got: number) =>
    runError(
      'RUN_CHUNK_OFFSET',
      `expected the chunk at offset ${expected}, got ${got}`,
      [{ field: 'offset', reason: `must be ${expected} (entries received so far)` }],
      {
        expectedOffset: expected,
      },
    ),
  tooManyEntries: (entryCount: number, end: number) =>
    runError('VALIDATION_FAILED', `the manifest declares ${entryCount} entries; this chunk would end at ${end}`, [
      { field: 'entries', reason: `more entries than entryCount (${entryCount})` },
    ]),
  incomplete: (received: number, entryCount: number) =>
    runError(
      'RUN_INCOMPLETE',
      `received ${received} of ${entryCount} entries`,
      [{ field: 'entries', reason: `send entries from offset ${received} first` }],
      {
        received,
        entryCount,
      },
    ),
  totalWeightTooLarge: (total: bigint) =>
    runError('VALIDATION_FAILED', 'the entries’ weights sum past uint256', [
      {
        field: 'entries',
        reason: `weights sum to ${total}, more than 2^256 - 1 (a run's total weight must fit uint256)`,
      },
    ]),
  rootMismatch: (signed: string, computed: string) =>
    runError('ENTRIES_ROOT_MISMATCH', 'the entries do not hash to the signed entriesRoot', [
      { field: 'entriesRoot', reason: `signed ${signed} but the entries hash to ${computed}` },
    ]),
  invalidEntries: (details: ErrorDetail[]) =>
    runError('VALIDATION_FAILED', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details),
  unknownDatasets: (details: ErrorDetail[], count: number) =>
    runError(
      'UNKNOWN_DATASETS',
      `${count} entr${count === 1 ? 'y names a dataset' : 'ies name datasets'} that do not exist`,
      details,
      { count },
    ),
  unlicensedDatasets: (lab: string, details: ErrorDetail[], count: number) =>
    runError(
      'UNLICENSED_DATASETS',
      `${lab} holds no active license for ${count} dataset${count === 1 ? '' : 's'} of this run`,
      details,
      { count },
    ),
  delistedDatasets: (details: ErrorDetail[], count: number) =>
    runError(
      'DATASET_DELISTED',
      `${count} dataset${count === 1 ? '' : 's'} of this run ${count === 1 ? 'is' : 'are'} delisted by an upheld dispute`,
      details,
      { count },
    ),
};

/** A provenance-lib refusal (e.g. a dataset listed twice across chunks) as a field-named 400. */
export function fromProvenanceError(error: unknown): DomainError<RunErrorCode> {
  if (error instanceof ProvenanceValidationError)
    return RunErrors.invalidEntries(error.errors.map((e) => ({ field: e.field, reason: e.reason })));
  if (error instanceof ProvenanceError)
    return RunErrors.invalidEntries([{ field: error.field ?? 'entries', reason: error.reason }]);
  throw error;
}
