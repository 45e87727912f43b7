/**
 * Value types at the boundary: an `Address`, a `Bytes32` and a `Sha256` are parsed and normalised
 * (lowercase) once where they enter, then carried inward branded so nothing re-normalises them.
 */

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A 20-byte account or contract address: `0x` + 40 lowercase hex digits (EIP-55 checksums dropped). */
export type Address = Brand<`0x${string}`, 'Address'>;
/** A 32-byte value (content root, run id, terms hash, tx hash): `0x` + 64 lowercase hex digits. */
export type Bytes32 = Brand<`0x${string}`, 'Bytes32'>;
/** A SHA-256 file digest as blobs store it: 64 lowercase hex digits, no `0x`. */
export type Sha256 = Brand<string, 'Sha256'>;

/** What each accepts on input, in any case; the normalised form is the lowercase one (Sha256 also drops `0x`). */
export const ADDRESS_INPUT = /^0x[0-9a-fA-F]{40}$/;
export const BYTES32_INPUT = /^0x[0-9a-fA-F]{64}$/;
export const SHA256_INPUT = /^(0x)?[0-9a-fA-F]{64}$/;

/** The normalised forms, as the database CHECKs accept them (`1700000010000-hex-checks-by-length.ts`). */
export const ADDRESS_NORMAL = /^0x[0-9a-f]{40}$/;
export const BYTES32_NORMAL = /^0x[0-9a-f]{64}$/;
export const SHA256_NORMAL = /^[0-9a-f]{64}$/;

/** Thrown by the parse functions; `field` names the input that was refused. */
export class ValueParseError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'ValueParseError';
  }
}

export const isAddress = (value: unknown): value is Address => typeof value === 'string' && ADDRESS_NORMAL.test(value);
export const isBytes32 = (value: unknown): value is Bytes32 => typeof value === 'string' && BYTES32_NORMAL.test(value);
export const isSha256 = (value: unknown): value is Sha256 => typeof value === 'string' && SHA256_NORMAL.test(value);

/** Any-case input to its normalised form, or undefined when it is not one (used by the DTO transforms). */
export function normaliseAddress(value: unknown): Address | undefined {
  return typeof value === 'string' && ADDRESS_INPUT.test(value) ? (value.toLowerCase() as Address) : undefined;
}
export function normaliseBytes32(value: unknown): Bytes32 | undefined {
  return typeof value === 'string' && BYTES32_INPUT.test(value) ? (value.toLowerCase() as Bytes32) : undefined;
}
export function normaliseSha256(value: unknown): Sha256 | undefined {
  return typeof value === 'string' && SHA256_INPUT.test(value)
    ? (value.slice(value.length - 64).toLowerCase() as Sha256)
    : undefined;
}

export function parseAddress(value: unknown, field: string): Address {
  const parsed = normaliseAddress(value);
  if (parsed === undefined) throw new ValueParseError(field, 'must be 0x followed by 40 hex digits');
  return parsed;
}
export function parseBytes32(value: unknown, field: string): Bytes32 {
  const parsed = normaliseBytes32(value);
  if (parsed === undefined) throw new ValueParseError(field, 'must be 0x followed by 64 hex digits');
  return parsed;
}
export function parseSha256(value: unknown, field: string): Sha256 {
  const parsed = normaliseSha256(value);
  if (parsed === undefined) throw new ValueParseError(field, 'must be 64 hex digits (optionally 0x-prefixed)');
  return parsed;
}

/**
 * A parsed request DTO as its wire form: every `Address`, `Bytes32` and `Sha256` widened back to the
 * string a client sends (nested objects and arrays too), so a contract type can be checked against it.
 */
export type Unparsed<T> = { [K in keyof T]: UnparsedValue<T[K]> };
type UnparsedValue<V> = V extends Address | Bytes32 | Sha256
  ? string
  : V extends readonly (infer U)[]
    ? UnparsedValue<U>[]
    : V extends object
      ? Unparsed<V>
      : V;
