// The pure libs read the global `Buffer` (see docs/reference/architecture.md); polyfills.ts provides it from the
// `buffer` package, and this gives it the same type here.
import type { Buffer as BufferPolyfill } from 'buffer';

declare global {
  var Buffer: typeof BufferPolyfill;
  type Buffer = BufferPolyfill;
}
