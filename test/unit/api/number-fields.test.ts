import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_UNIX_SECONDS, UINT256_MAX, parseUint256 } from '../../../apps/api/src/common/number-fields';

describe('parseUint256: decimal strings within 0..2^256-1', () => {
  it('reads every uint256 back exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: UINT256_MAX }), (n) => {
        expect(parseUint256(n.toString())).toBe(n);
      }),
    );
  });

  it('refuses anything above 2^256 - 1, below min, or not plain digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: UINT256_MAX + 1n, max: 10n ** 78n - 1n }), (n) => {
        expect(parseUint256(n.toString())).toBeUndefined();
      }),
    );
    for (const bad of ['', '-1', '1e3', '0x10', ' 1', '1.0', '1'.repeat(79), 1.5, -1, 1e20, null, {}])
      expect(parseUint256(bad)).toBeUndefined();
    expect(parseUint256('0', 1n)).toBeUndefined();
    expect(parseUint256(42)).toBe(42n);
  });

  it('MAX_UNIX_SECONDS is the last second of the year 9999', () => {
    expect(new Date(MAX_UNIX_SECONDS * 1000).toISOString()).toBe('9999-12-31T23:59:59.000Z');
  });
});
