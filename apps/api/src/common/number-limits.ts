// The ranges of numbers at the edge (`number-fields.ts`), without the validators: worker threads
// (`common/off-loop/`) check run weights with them and should not load Nest or class-validator.

export const UINT256_MAX = (1n << 256n) - 1n;
/** 9999-12-31T23:59:59Z: the last second `timestamptz` stores that ISO 8601 writes with four digits. */
export const MAX_UNIX_SECONDS = 253_402_300_799;
/** PostgreSQL's `integer`: the largest page offset or epoch number a query can take. */
export const MAX_INT4 = 2_147_483_647;
