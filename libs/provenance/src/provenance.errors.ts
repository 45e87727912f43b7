export type ProvenanceErrorCode =
  | 'INVALID_PATH'
  | 'DUPLICATE_PATH'
  | 'EMPTY_DATASET'
  | 'SYMLINK_REFUSED'
  | 'UNSUPPORTED_FILE_TYPE'
  | 'INVALID_ENTRY'
  | 'ENTRY_NOT_FOUND'
  | 'INVALID_FIELD'
  | 'INVALID_TEMPLATE';

/** Every refusal in this lib: a stable `code` for the API's error map, plus the field when one is to blame. */
export class ProvenanceError extends Error {
  override readonly name: string = 'ProvenanceError';

  constructor(
    readonly code: ProvenanceErrorCode,
    readonly reason: string,
    readonly field?: string,
  ) {
    super(field ? `${code} ${field}: ${reason}` : `${code}: ${reason}`);
  }
}

/** One bad field of a signed message, e.g. `{ field: 'owners[1].shareBps', reason: 'must be 1..10000' }`. */
export interface FieldError {
  field: string;
  reason: string;
}

/** Thrown by the `assertValid*` helpers: all field errors at once; `field`/`reason` are the first. */
export class ProvenanceValidationError extends ProvenanceError {
  override readonly name = 'ProvenanceValidationError';

  constructor(readonly errors: readonly FieldError[]) {
    super('INVALID_FIELD', errors.map((e) => `${e.field}: ${e.reason}`).join('; '), errors[0]?.field);
  }
}
