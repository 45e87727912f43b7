/**
 * `buf.compare(target, targetStart, targetEnd, sourceStart, sourceEnd)` with Node's semantics (source
 * before target: -1, equal: 0, after: 1), comparing in place. The `buffer` polyfill's compare first
 * copies a plain Uint8Array target whole (`Buffer.from(target)`), so the Merkle builder of the pure libs,
 * which compares 32-byte ranges inside one flat buffer of every node, went quadratic in the browser:
 * a 10,000-leaf epoch took 7–10 s to rebuild in Chromium against ~0.2 s in Node (`npm run bench:web`).
 */
export function compareBytes(
  source: Uint8Array,
  target: Uint8Array,
  targetStart = 0,
  targetEnd = target.length,
  sourceStart = 0,
  sourceEnd = source.length,
): -1 | 0 | 1 {
  if (targetStart < 0 || targetEnd > target.length || sourceStart < 0 || sourceEnd > source.length)
    throw new RangeError('compare: a range is out of bounds');
  if (sourceStart >= sourceEnd && targetStart >= targetEnd) return 0;
  if (sourceStart >= sourceEnd) return -1;
  if (targetStart >= targetEnd) return 1;
  const sourceLength = sourceEnd - sourceStart;
  const targetLength = targetEnd - targetStart;
  const n = Math.min(sourceLength, targetLength);
  for (let i = 0; i < n; i++) {
    const a = source[sourceStart + i];
    const b = target[targetStart + i];
    if (a !== b) return a < b ? -1 : 1;
  }
  return sourceLength < targetLength ? -1 : sourceLength > targetLength ? 1 : 0;
}
