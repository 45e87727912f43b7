export type RoyaltyErrorCode =
  | 'INVALID_AMOUNT'
  | 'INVALID_FEE'
  | 'EMPTY_RUN'
  | 'INVALID_DATASET_ID'
  | 'DUPLICATE_ENTRY'
  | 'ZERO_WEIGHT'
  | 'UNKNOWN_DATASET'
  | 'INVALID_OWNERS'
  | 'INVALID_PARENTS'
  | 'LINEAGE_CYCLE'
  | 'INVALID_ADDRESS'
  | 'DUPLICATE_BALANCE'
  | 'BALANCE_NOT_FOUND'
  | 'INVALID_DISPUTE';

/** Every refusal of the royalty math: a stable `code`, the input `field` to blame and why. */
export class RoyaltyError extends Error {
  override readonly name = 'RoyaltyError';

  constructor(
    readonly code: RoyaltyErrorCode,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${code} ${field}: ${reason}`);
  }
}
