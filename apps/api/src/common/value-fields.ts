import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';
import {
  ADDRESS_NORMAL,
  BYTES32_NORMAL,
  SHA256_NORMAL,
  normaliseAddress,
  normaliseBytes32,
  normaliseSha256,
} from '@upstream/api-contract';

// Each decorator normalises a well-formed value of any case once (class-transformer runs before
// validation), then validates the normalised form; a malformed value is left as it came and refused
// with the route's own message, so the 400 a client sees is unchanged.

const normalisingField = (normalise: (value: unknown) => unknown, pattern: RegExp, message: string) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => normalise(value) ?? value),
    Matches(pattern, { message }),
  );

/** An `Address` field: any-case `0x` + 40 hex in, lowercase out. */
export const IsAddressField = (message: string) => normalisingField(normaliseAddress, ADDRESS_NORMAL, message);
/** A `Bytes32` field: any-case `0x` + 64 hex in, lowercase out. */
export const IsBytes32Field = (message: string) => normalisingField(normaliseBytes32, BYTES32_NORMAL, message);
/** A `Sha256` field: 64 hex digits in any case, optionally `0x`-prefixed, in; lowercase without `0x` out. */
export const IsSha256Field = (message: string) => normalisingField(normaliseSha256, SHA256_NORMAL, message);

const UUID_OR_BYTES32 = /^(0x[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const lowercaseIfString = (value: unknown): unknown => (typeof value === 'string' ? value.toLowerCase() : value);

/**
 * A record reference as every route takes it: the record's uuid or its on-chain id (a dataset's content
 * root, a run's runId), any case in, lowercase out.
 */
export const IsRecordRefField = (message: string) => normalisingField(lowercaseIfString, UUID_OR_BYTES32, message);
