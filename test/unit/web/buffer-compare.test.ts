import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes } from '../../../apps/web/src/buffer-compare';

// The web app replaces the `buffer` polyfill's compare (which copies its target whole) with compareBytes:
// it must answer exactly what Node's Buffer#compare answers, ranges included.
describe('compareBytes: Node Buffer#compare semantics without copying', () => {
  it('agrees with Node on random bytes and ranges, including one buffer against itself', () => {
    const bytes = fc.uint8Array({ minLength: 0, maxLength: 12, max: 3 });
    fc.assert(
      fc.property(bytes, bytes, fc.boolean(), fc.nat(), fc.nat(), fc.nat(), fc.nat(), (s, t, same, a, b, c, d) => {
        const source = Buffer.from(s);
        const target = same ? source : Buffer.from(t);
        const range = (len: number, x: number, y: number) => {
          const start = len === 0 ? 0 : x % (len + 1);
          return [start, start + (len - start === 0 ? 0 : y % (len - start + 1))] as const;
        };
        const [targetStart, targetEnd] = range(target.length, a, b);
        const [sourceStart, sourceEnd] = range(source.length, c, d);
        expect(compareBytes(new Uint8Array(source), target, targetStart, targetEnd, sourceStart, sourceEnd)).toBe(
          source.compare(target, targetStart, targetEnd, sourceStart, sourceEnd),
        );
        expect(compareBytes(source, target)).toBe(source.compare(target));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a range past the end, as Node does', () => {
    expect(() => compareBytes(Buffer.from([1]), Buffer.from([1]), 0, 2)).toThrow(RangeError);
    expect(() => Buffer.from([1]).compare(Buffer.from([1]), 0, 2)).toThrow(RangeError);
  });
});
