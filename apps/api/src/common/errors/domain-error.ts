import type { ErrorCode } from './error-codes';

/** A reason a request was refused: which field, and why. */
export interface ErrorDetail {
  field: string;
  reason: string;
}

/**
 * Every refusal the services raise. The code must be one a feature declared (with its HTTP
 * status) in its `*.errors.ts`; error-codes.ts joins those tables, so a mistyped code fails to compile.
 */
export class DomainError<Code extends ErrorCode = ErrorCode> extends Error {
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

/** Whether `value` is a DomainError (of any code): `instanceof` alone would type it `DomainError<any>`. */
export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
