import { HttpStatus } from '@nestjs/common';

/** Every domain error code in the API. Adding one without a status below fails the type check. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND';

export function httpStatusFor(code: ErrorCode): HttpStatus {
  switch (code) {
    case 'VALIDATION_FAILED':
      return HttpStatus.BAD_REQUEST;
    case 'NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    default:
      return assertUnreachable(code);
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`unhandled error code: ${String(value)}`);
}
