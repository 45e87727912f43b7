/** A reason a request was refused: which field, and why. */
export interface ErrorDetail {
  field: string;
  reason: string;
}

/**
 * Every refusal the services raise. Codes are listed in error-codes.ts, the
 * one place that maps them to HTTP statuses.
 */
export class DomainError<Code extends string = string> extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: Code,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Extra data a client may act on (e.g. the id of an existing dataset on 409). */
    readonly meta?: Record<string, unknown>,
  ) {
    super(message);
  }
}
