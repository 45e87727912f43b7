import { AbiCoder, getBytes } from 'ethers';
import { keccak256, leafHashInto } from './keccak.hasher';
import { MerkleError } from './merkle.errors';

/** A value as StandardMerkleTree accepts it for one ABI type. */
export type LeafValue = bigint | number | string | boolean | Uint8Array;

const HEX_RE = /^0x[0-9a-fA-F]*$/;
const UINT_RE = /^uint(\d{0,3})$/;
const BYTES_N_RE = /^bytes(\d{1,2})$/;
const coder = AbiCoder.defaultAbiCoder();

/**
 * True for ABI types whose encoding is exactly one 32-byte word (no offsets, no tails):
 * uintN, address, bool, bytes1..bytes32. Leaves made only of these skip ethers' AbiCoder.
 */
export function isFixedWordType(type: string): boolean {
  if (type === 'address' || type === 'bool') return true;
  const u = UINT_RE.exec(type);
  if (u) return uintBits(type) !== undefined;
  const b = BYTES_N_RE.exec(type);
  return b !== null && Number(b[1]) >= 1 && Number(b[1]) <= 32;
}

function uintBits(type: string): number | undefined {
  const m = UINT_RE.exec(type);
  if (!m) return undefined;
  const bits = m[1] === '' ? 256 : Number(m[1]);
  return bits >= 8 && bits <= 256 && bits % 8 === 0 ? bits : undefined;
}

function asBuffer(out: Uint8Array): Buffer {
  return Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function toBigInt(value: LeafValue, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new MerkleError('INVALID_VALUE', `${what}: ${value} is not a safe integer`);
    return BigInt(value);
  }
  if (typeof value === 'string' && /^(0x[0-9a-fA-F]+|\d+)$/.test(value)) return BigInt(value);
  throw new MerkleError('INVALID_VALUE', `${what}: expected an unsigned integer`);
}

const UINT_LIMITS: bigint[] = Array.from({ length: 33 }, (_, bytes) => 1n << BigInt(bytes * 8));

/** Writes an unsigned integer as a big-endian 32-byte word. */
export function writeUintWord(out: Uint8Array, offset: number, value: LeafValue, bits = 256): void {
  const v = typeof value === 'bigint' ? value : toBigInt(value, `uint${bits}`);
  if (v < 0n || v >= (UINT_LIMITS[bits >> 3] ?? 0n)) {
    throw new MerkleError('INVALID_VALUE', `uint${bits}: ${v} is out of range`);
  }
  const buf = asBuffer(out);
  const o = offset;
  if (v <= 0xffffffffffffffffn) {
    buf.fill(0, o, o + 24);
    buf.writeBigUInt64BE(v, o + 24);
    return;
  }
  buf.writeBigUInt64BE(v >> 192n, o);
  buf.writeBigUInt64BE((v >> 128n) & 0xffffffffffffffffn, o + 8);
  buf.writeBigUInt64BE((v >> 64n) & 0xffffffffffffffffn, o + 16);
  buf.writeBigUInt64BE(v & 0xffffffffffffffffn, o + 24);
}

/**
 * Writes an address left-padded to 32 bytes. Mixed-case input must carry a valid
 * EIP-55 checksum (checked with the fast keccak, not ethers).
 */
export function writeAddressWord(out: Uint8Array, offset: number, address: string | Uint8Array): void {
  const buf = asBuffer(out);
  const o = offset;
  buf.fill(0, o, o + 12);
  if (typeof address !== 'string') {
    if (address.length !== 20) throw new MerkleError('INVALID_VALUE', 'address: expected 20 bytes');
    buf.set(address, o + 12);
    return;
  }
  // Buffer#write stops at the first non-hex character, so a short count means bad input.
  if (
    address.length !== 42 ||
    address.charCodeAt(0) !== 48 ||
    (address.charCodeAt(1) | 32) !== 120 ||
    buf.write(address.slice(2), o + 12, 20, 'hex') !== 20
  ) {
    throw new MerkleError('INVALID_VALUE', `address: ${address} is not 0x + 40 hex digits`);
  }
  if (HAS_UPPER_HEX.test(address) && HAS_LOWER_HEX.test(address)) assertChecksum(address);
}

const HAS_UPPER_HEX = /[A-F]/;
const HAS_LOWER_HEX = /[a-f]/;

/** EIP-55: all-lower and all-upper hex are accepted as unchecksummed; mixed case must match. */
export function assertChecksum(address: string): void {
  const body = address.slice(2);
  const lower = body.toLowerCase();
  if (body === lower || body === body.toUpperCase()) return;
  const hash = keccak256(Buffer.from(lower, 'ascii'));
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1] >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    const c = body[i];
    const expected = nibble >= 8 ? c.toUpperCase() : c.toLowerCase();
    if (c !== expected) throw new MerkleError('INVALID_VALUE', `address: ${address} has a bad EIP-55 checksum`);
  }
}

/** Writes bytesN (N ≤ 32) right-padded with zeros, as ABI does. */
export function writeFixedBytesWord(out: Uint8Array, offset: number, value: string | Uint8Array, size = 32): void {
  const buf = asBuffer(out);
  const o = offset;
  if (typeof value === 'string') {
    if (!HEX_RE.test(value) || value.length !== 2 + size * 2) {
      throw new MerkleError('INVALID_VALUE', `bytes${size}: expected 0x + ${size * 2} hex digits`);
    }
    buf.write(value.slice(2), o, size, 'hex');
  } else {
    if (value.length !== size) throw new MerkleError('INVALID_VALUE', `bytes${size}: expected ${size} bytes`);
    buf.set(value, o);
  }
  if (size < 32) buf.fill(0, o + size, o + 32);
}

export type WordWriter = (out: Uint8Array, offset: number, value: LeafValue) => void;

/** The writer for one single-word ABI type, resolved once so hot loops skip type parsing. */
export function wordWriter(type: string): WordWriter {
  if (type === 'address') {
    return (out, offset, value) => {
      if (typeof value !== 'string' && !(value instanceof Uint8Array))
        throw new MerkleError('INVALID_VALUE', 'address: expected a hex string');
      writeAddressWord(out, offset, value);
    };
  }
  if (type === 'bool') {
    return (out, offset, value) => {
      if (typeof value !== 'boolean') throw new MerkleError('INVALID_VALUE', 'bool: expected a boolean');
      writeUintWord(out, offset, value ? 1n : 0n, 8);
    };
  }
  const bits = uintBits(type);
  if (bits !== undefined) return (out, offset, value) => writeUintWord(out, offset, value, bits);
  const b = BYTES_N_RE.exec(type);
  const size = b ? Number(b[1]) : 0;
  if (size >= 1 && size <= 32) {
    return (out, offset, value) => {
      if (typeof value !== 'string' && !(value instanceof Uint8Array))
        throw new MerkleError('INVALID_VALUE', `${type}: expected hex or bytes`);
      writeFixedBytesWord(out, offset, value, size);
    };
  }
  throw new MerkleError('UNSUPPORTED_TYPE', `${type} is not a single-word ABI type`);
}

/** Writes one fixed-word ABI value of `type` at `offset`. */
export function writeWord(out: Uint8Array, offset: number, type: string, value: LeafValue): void {
  wordWriter(type)(out, offset, value);
}

/** abi.encode(values) for leaves made only of single-word types: types.length × 32 bytes. */
export function encodeFixedWords(
  types: readonly string[],
  values: readonly LeafValue[],
  out?: Uint8Array,
  offset = 0,
): Uint8Array {
  return encodeWithWriters(types.map(wordWriter), values, out ?? Buffer.allocUnsafe(types.length * 32), offset);
}

function encodeWithWriters(
  writers: readonly WordWriter[],
  values: readonly LeafValue[],
  out: Uint8Array,
  offset: number,
): Uint8Array {
  if (values.length !== writers.length)
    throw new MerkleError('INVALID_VALUE', `expected ${writers.length} values, got ${values.length}`);
  for (let i = 0; i < writers.length; i++) writers[i](out, offset + i * 32, values[i]);
  return out;
}

/** abi.encode(types, values) as bytes: the fixed-word fast path, otherwise ethers' AbiCoder. */
export function encodeLeaf(types: readonly string[], values: readonly LeafValue[]): Uint8Array {
  if (types.every(isFixedWordType)) return encodeFixedWords(types, values);
  return getBytes(coder.encode(types, values as unknown[]));
}

/** StandardMerkleTree leaf hash keccak256(keccak256(abi.encode(types, values))). */
export function standardLeafHash(types: readonly string[], values: readonly LeafValue[]): Buffer {
  const out = Buffer.allocUnsafe(32);
  leafHashInto(encodeLeaf(types, values), out, 0);
  return out;
}

/**
 * Leaf hashes of many rows as one flat Buffer (row i at i*32). Fixed-word rows reuse one
 * scratch buffer, so the hot path allocates nothing per row but hash-wasm's digest.
 */
export function hashLeaves(types: readonly string[], rows: readonly (readonly LeafValue[])[]): Buffer {
  const out = Buffer.allocUnsafe(rows.length * 32);
  if (types.every(isFixedWordType)) {
    const writers = types.map(wordWriter);
    const scratch = Buffer.allocUnsafe(types.length * 32);
    for (let i = 0; i < rows.length; i++) {
      encodeWithWriters(writers, rows[i], scratch, 0);
      leafHashInto(scratch, out, i * 32);
    }
  } else {
    for (let i = 0; i < rows.length; i++) leafHashInto(encodeLeaf(types, rows[i]), out, i * 32);
  }
  return out;
}
