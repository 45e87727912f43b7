import { keccak256 as ethersKeccak } from 'ethers';
import { describe, expect, it, vi } from 'vitest';

describe('keccak hasher', () => {
  it('refuses to hash before initMerkle, shares one pending init, and then hashes like ethers', async () => {
    vi.resetModules();
    // A fresh copy of the module: the shared instance of other tests is already initialised.
    const k = await import('../../../libs/merkle/src/keccak.hasher.js');
    expect(k.isMerkleReady()).toBe(false);
    expect(() => k.keccak256(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'NOT_INITIALIZED' }));
    const first = k.initMerkle();
    expect(k.initMerkle()).toBe(first);
    await first;
    expect(k.isMerkleReady()).toBe(true);
    await k.initMerkle();
    const data = Buffer.from('upstream');
    expect('0x' + k.keccak256(Buffer.alloc(0)).toString('hex')).toBe(
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
    expect('0x' + k.keccak256(data).toString('hex')).toBe(ethersKeccak(data));
    const out = Buffer.alloc(40, 0xee);
    k.keccak256Into(data, out, 4);
    expect('0x' + out.subarray(4, 36).toString('hex')).toBe(ethersKeccak(data));
    expect(out[3]).toBe(0xee);
    expect(out[36]).toBe(0xee);
    const twice = ethersKeccak(Buffer.from(ethersKeccak(data).slice(2), 'hex'));
    expect('0x' + k.leafHash(data).toString('hex')).toBe(twice);
  });
});
