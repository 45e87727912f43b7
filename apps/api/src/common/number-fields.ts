import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

// Numbers at the edge have explicit ranges, so nothing out of range reaches ethers or PostgreSQL
// (where it would be a 500): uint256 amounts as decimal strings, unix seconds PostgreSQL's
// `timestamptz` stores with a four-digit year, and integers in query strings read strictly.

import { MAX_UNIX_SECONDS, UINT256_MAX } from './number-limits';

export { MAX_INT4, MAX_UNIX_SECONDS, UINT256_MAX } from './number-limits';

const DECIMAL = /^[0-9]{1,78}$/;

/** `value` as a bigint if it is a decimal string (or a safe JSON integer) within `min..UINT256_MAX`. */
export function parseUint256(value: unknown, min = 0n): bigint | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL.test(text)) return undefined;
  const n = BigInt(text);
  return n >= min && n <= UINT256_MAX ? n : undefined;
}

/**
 * A uint256 field as a decimal string (a safe JSON integer is read as one): `min` (default 0) to
 * 2^256 - 1. The value stays a string; callers read it with `BigInt`.
 */
export const IsUint256String = (field: string, options: { min?: bigint } = {}) => {
  const min = options.min ?? 0n;
  const range = min === 0n ? 'a non-negative integer' : `an integer of at least ${min}`;
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value,
    ),
    ValidateBy({
      name: 'isUint256String',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseUint256(value, min) !== undefined,
        defaultMessage: () => `${field} must be ${range} (decimal string) that fits uint256 (at most 2^256 - 1)`,
      },
    }),
  );
};

/** An integer in `min..max` (inclusive), as a JSON number. */
export const IsIntInRange = (field: string, min: number, max: number, what = 'an integer') =>
  ValidateBy({
    name: 'isIntInRange',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max,
      defaultMessage: () => `${field} must be ${what} from ${min} to ${max}`,
    },
  });

/** Unix seconds as a JSON integer, from `min` (default 0) to 9999-12-31T23:59:59Z. */
export const IsUnixSeconds = (field: string, options: { min?: number } = {}) =>
  IsIntInRange(field, options.min ?? 0, MAX_UNIX_SECONDS, 'unix seconds (an integer)');

/**
 * An integer from a query string or path (`min..max`): plain decimal digits only, so `1e20`, `0x10`,
 * ` 5` or `5.0` are refused rather than read as numbers by `Number()`.
 */
export const IsQueryInt = (field: string, min: number, max: number) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : value,
    ),
    IsIntInRange(field, min, max),
  );
