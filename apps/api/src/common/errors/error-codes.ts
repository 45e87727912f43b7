import { HttpStatus } from '@nestjs/common';

/** Every domain error code in the API. Adding one without a status below fails the type check. */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  // dependencies (PostgreSQL, the chain's JSON-RPC endpoint) unreachable or shutting down
  | 'DATABASE_UNAVAILABLE'
  | 'CHAIN_UNAVAILABLE'
  // contributions
  | 'DATASET_NOT_FOUND'
  | 'FILE_NOT_FOUND'
  | 'BLOB_NOT_FOUND'
  | 'FILE_TOO_LARGE'
  | 'TOO_MANY_FILES'
  | 'INVALID_SIGNATURE'
  | 'DEADLINE_EXPIRED'
  | 'CONTENT_ROOT_MISMATCH'
  | 'LICENSE_TERMS_MISMATCH'
  | 'UNKNOWN_BLOB'
  | 'UNKNOWN_PARENT'
  | 'UNKNOWN_PREVIOUS_VERSION'
  | 'LINEAGE_CYCLE'
  | 'BLOB_HASH_MISMATCH'
  | 'SIGNER_NOT_OWNER'
  | 'NOT_PREVIOUS_VERSION_OWNER'
  | 'NONCE_REUSED'
  | 'DATASET_EXISTS'
  | 'UPLOAD_NOT_FOUND'
  | 'UPLOAD_EXPIRED'
  | 'UPLOAD_OFFSET_MISMATCH'
  | 'TUS_VERSION_UNSUPPORTED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RANGE_NOT_SATISFIABLE'
  // licenses and runs
  | 'LICENSE_NOT_FOUND'
  | 'RUN_NOT_FOUND'
  | 'LICENSING_CLOSED'
  | 'UNLICENSED_DATASETS'
  | 'UNKNOWN_DATASETS'
  | 'ENTRIES_ROOT_MISMATCH'
  | 'LICENSE_EXISTS'
  | 'RUN_EXISTS'
  | 'RUN_CHUNK_OFFSET'
  | 'RUN_INCOMPLETE'
  // royalties
  | 'EPOCH_NOT_FOUND';

export function httpStatusFor(code: ErrorCode): HttpStatus {
  switch (code) {
    case 'VALIDATION_FAILED':
      return HttpStatus.BAD_REQUEST;
    case 'NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    // dependencies
    case 'DATABASE_UNAVAILABLE':
    case 'CHAIN_UNAVAILABLE':
      return HttpStatus.SERVICE_UNAVAILABLE;
    // contributions
    case 'DATASET_NOT_FOUND':
    case 'FILE_NOT_FOUND':
    case 'BLOB_NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    case 'FILE_TOO_LARGE':
    case 'TOO_MANY_FILES':
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case 'INVALID_SIGNATURE':
    case 'DEADLINE_EXPIRED':
    case 'CONTENT_ROOT_MISMATCH':
    case 'LICENSE_TERMS_MISMATCH':
    case 'UNKNOWN_BLOB':
    case 'UNKNOWN_PARENT':
    case 'UNKNOWN_PREVIOUS_VERSION':
    case 'LINEAGE_CYCLE':
    case 'BLOB_HASH_MISMATCH':
      return HttpStatus.BAD_REQUEST;
    case 'SIGNER_NOT_OWNER':
    case 'NOT_PREVIOUS_VERSION_OWNER':
      return HttpStatus.FORBIDDEN;
    case 'NONCE_REUSED':
    case 'DATASET_EXISTS':
    case 'UPLOAD_OFFSET_MISMATCH':
      return HttpStatus.CONFLICT;
    case 'UPLOAD_NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    case 'UPLOAD_EXPIRED':
      return HttpStatus.GONE;
    case 'TUS_VERSION_UNSUPPORTED':
      return HttpStatus.PRECONDITION_FAILED;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case 'RANGE_NOT_SATISFIABLE':
      return HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE;
    // licenses and runs
    case 'LICENSE_NOT_FOUND':
    case 'RUN_NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    case 'LICENSING_CLOSED':
    case 'UNLICENSED_DATASETS':
      return HttpStatus.FORBIDDEN;
    case 'UNKNOWN_DATASETS':
    case 'ENTRIES_ROOT_MISMATCH':
      return HttpStatus.BAD_REQUEST;
    case 'LICENSE_EXISTS':
    case 'RUN_EXISTS':
    case 'RUN_CHUNK_OFFSET':
    case 'RUN_INCOMPLETE':
      return HttpStatus.CONFLICT;
    // royalties
    case 'EPOCH_NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    default:
      return assertUnreachable(code);
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`unhandled error code: ${String(value)}`);
}
