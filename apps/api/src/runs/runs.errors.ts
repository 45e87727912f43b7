import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import { ProvenanceError, ProvenanceValidationError } from '@upstream/provenance';

/** Refusals of the training-runs feature; statuses are mapped in common/errors/error-codes.ts. */
export const RunErrors = {
  runNotFound: (ref: string) =>
    new DomainError('RUN_NOT_FOUND', `run ${ref} does not exist (or is not committed yet)`, [{ field: 'id', reason: 'no committed run with this id or runId' }]),
  uploadNotFound: (id: string) =>
    new DomainError('RUN_NOT_FOUND', `no open upload ${id}`, [{ field: 'id', reason: 'no run upload in progress with this id (committed, refused or never started)' }]),
  runExists: (id: string, runId: string) =>
    new DomainError('RUN_EXISTS', `this manifest is already recorded as run ${runId}`, [{ field: 'signature', reason: 'manifest already recorded' }], { id, runId }),
  chunkOffset: (expected: number, got: number) =>
    new DomainError('RUN_CHUNK_OFFSET', `expected the chunk at offset ${expected}, got ${got}`, [{ field: 'offset', reason: `must be ${expected} (entries received so far)` }], {
      expectedOffset: expected,
    }),
  tooManyEntries: (entryCount: number, end: number) =>
    new DomainError('VALIDATION_FAILED', `the manifest declares ${entryCount} entries; this chunk would end at ${end}`, [
      { field: 'entries', reason: `more entries than entryCount (${entryCount})` },
    ]),
  incomplete: (received: number, entryCount: number) =>
    new DomainError('RUN_INCOMPLETE', `received ${received} of ${entryCount} entries`, [{ field: 'entries', reason: `send entries from offset ${received} first` }], {
      received,
      entryCount,
    }),
  rootMismatch: (signed: string, computed: string) =>
    new DomainError('ENTRIES_ROOT_MISMATCH', 'the entries do not hash to the signed entriesRoot', [
      { field: 'entriesRoot', reason: `signed ${signed} but the entries hash to ${computed}` },
    ]),
  invalidEntries: (details: ErrorDetail[]) => new DomainError('VALIDATION_FAILED', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details),
  unknownDatasets: (details: ErrorDetail[], count: number) =>
    new DomainError('UNKNOWN_DATASETS', `${count} entr${count === 1 ? 'y names a dataset' : 'ies name datasets'} that do not exist`, details, { count }),
  unlicensedDatasets: (lab: string, details: ErrorDetail[], count: number) =>
    new DomainError('UNLICENSED_DATASETS', `${lab} holds no active license for ${count} dataset${count === 1 ? '' : 's'} of this run`, details, { count }),
};

/** A provenance-lib refusal (e.g. a dataset listed twice across chunks) as a field-named 400. */
export function fromProvenanceError(error: unknown): DomainError {
  if (error instanceof ProvenanceValidationError) return RunErrors.invalidEntries(error.errors.map((e) => ({ field: e.field, reason: e.reason })));
  if (error instanceof ProvenanceError) return RunErrors.invalidEntries([{ field: error.field ?? 'entries', reason: error.reason }]);
  throw error;
}
