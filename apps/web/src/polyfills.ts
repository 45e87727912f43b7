// Loaded first by every chunk that runs the pure libs: they read the global `Buffer`.
import { Buffer } from 'buffer';
import { compareBytes } from './buffer-compare';

// The polyfill's compare copies its target whole on every call; see buffer-compare.ts.
// eslint-disable-next-line @typescript-eslint/no-unsafe-member-access -- typed-lint resolves 'buffer' to Node's module, which it cannot type here; tsc (apps/web/tsconfig.json) checks this line.
Buffer.prototype.compare = function compare(
  this: Uint8Array,
  target: Uint8Array,
  targetStart?: number,
  targetEnd?: number,
  sourceStart?: number,
  sourceEnd?: number,
) {
  return compareBytes(this, target, targetStart, targetEnd, sourceStart, sourceEnd);
};
globalThis.Buffer ??= Buffer;
