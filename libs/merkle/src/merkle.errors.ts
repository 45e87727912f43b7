export type MerkleErrorCode =
  | 'NOT_INITIALIZED'
  | 'EMPTY_TREE'
  | 'INVALID_NODE'
  | 'INDEX_OUT_OF_RANGE'
  | 'LEAF_NOT_FOUND'
  | 'INVALID_VALUE'
  | 'UNSUPPORTED_TYPE';

export class MerkleError extends Error {
  override readonly name = 'MerkleError';

  constructor(
    readonly code: MerkleErrorCode,
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
  }
}
