import { Piscina, transferableSymbol, valueSymbol } from 'piscina';

/**
 * A worker task's result with its top-level byte columns (Buffers, typed arrays that own their whole
 * memory) moved to the event loop's thread instead of copied: 10 MB of columns cost 10 MB, not 30
 * (the thread's copy, the serialized message and the caller's copy). Piscina unwraps it; the caller
 * gets the result, its Buffers as plain Uint8Arrays.
 */
export function movedResult<T extends object>(result: T): T {
  const buffers = Object.values(result)
    .filter((v): v is ArrayBufferView => ArrayBuffer.isView(v) && ownsItsMemory(v))
    .map((v) => v.buffer);
  if (buffers.length === 0) return result;
  return Piscina.move({ [transferableSymbol]: buffers, [valueSymbol]: result }) as unknown as T;
}

/** True when `view` is the whole of its ArrayBuffer (a slice of Node's shared pool is not, and must not be moved). */
export function ownsItsMemory(view: ArrayBufferView): boolean {
  return (
    view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && !(view.buffer instanceof SharedArrayBuffer)
  );
}

/**
 * Frees bytes moved into this thread now rather than when the task ends (ES2024
 * `ArrayBuffer.prototype.transfer`: the memory is released with the emptied buffer). For a body
 * parsed already: 11 MB less held while its files are hashed. Views that do not own their memory are left alone.
 */
export function releaseBytes(bytes: Uint8Array): void {
  if (ownsItsMemory(bytes)) (bytes.buffer as ArrayBuffer & { transfer(length: number): ArrayBuffer }).transfer(0);
}
