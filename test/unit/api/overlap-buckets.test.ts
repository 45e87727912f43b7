import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketsOf } from '../../../apps/api/src/integrity/overlap.service';

const digest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

describe('bucketsOf: the overlap locks of a registration, read off its joined digests', () => {
  it('is the sorted distinct first bytes of the digests', () => {
    fc.assert(
      fc.property(fc.array(digest, { maxLength: 300 }), (digests) => {
        const expected = [...new Set(digests.map((d) => parseInt(d.slice(0, 2), 16)))].sort((a, b) => a - b);
        expect(bucketsOf(Buffer.from(digests.join(',')))).toEqual(expected);
      }),
    );
  });

  it('reads the last digest and the first byte past 0x7f', () => {
    expect(bucketsOf(Buffer.from(['ff'.repeat(32), '00'.repeat(32), '80'.repeat(32)].join(',')))).toEqual([
      0, 128, 255,
    ]);
  });
});
