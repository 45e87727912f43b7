import { createKeccak, type IHasher } from 'hash-wasm';
import { MerkleError } from './merkle.errors';

/**
 * One shared hash-wasm keccak-256 instance. WASM instantiation is async, so callers
 * `await initMerkle()` once; every hash after that is synchronous (~0.5–2 µs).
 */
let hasher: IHasher | undefined;
let pending: Promise<void> | undefined;

export function initMerkle(): Promise<void> {
  if (hasher) return Promise.resolve();
  pending ??= createKeccak(256).then((h) => {
    hasher = h;
  });
  return pending;
}

export function isMerkleReady(): boolean {
  return hasher !== undefined;
}

export function keccakHasher(): IHasher {
  if (!hasher) {
    throw new MerkleError('NOT_INITIALIZED', 'call `await initMerkle()` before hashing');
  }
  return hasher;
}

/** keccak256 of `data`; returns a fresh 32-byte Buffer. */
export function keccak256(data: Uint8Array): Buffer {
  const h = keccakHasher();
  h.init();
  h.update(data);
  const d = h.digest('binary');
  return Buffer.from(d.buffer, d.byteOffset, 32);
}

/** keccak256(data) written into `out` at `outOffset` (no intermediate Buffer). */
export function keccak256Into(data: Uint8Array, out: Uint8Array, outOffset: number): void {
  const h = keccakHasher();
  h.init();
  h.update(data);
  out.set(h.digest('binary'), outOffset);
}

/** StandardMerkleTree leaf hash: keccak256(keccak256(encoded)), written into `out`. */
export function leafHashInto(encoded: Uint8Array, out: Uint8Array, outOffset: number): void {
  const h = keccakHasher();
  h.init();
  h.update(encoded);
  const inner = h.digest('binary');
  h.init();
  h.update(inner);
  out.set(h.digest('binary'), outOffset);
}

/** StandardMerkleTree leaf hash of already ABI-encoded bytes. */
export function leafHash(encoded: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(32);
  leafHashInto(encoded, out, 0);
  return out;
}

/** keccak256 of the two 32-byte nodes in ascending byte order (OpenZeppelin `_hashPair`). */
export function hashPair(a: Uint8Array, b: Uint8Array): Buffer {
  const h = keccakHasher();
  h.init();
  if (Buffer.compare(a, b) <= 0) {
    h.update(a);
    h.update(b);
  } else {
    h.update(b);
    h.update(a);
  }
  const d = h.digest('binary');
  return Buffer.from(d.buffer, d.byteOffset, 32);
}
