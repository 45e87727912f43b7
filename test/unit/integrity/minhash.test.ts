import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sniffContent } from '../../../apps/api/src/integrity/near-duplicates/content-kind';
import { imageBands, imageSimilarity } from '../../../apps/api/src/integrity/near-duplicates/image-hash';
import {
  estimateJaccard,
  exactJaccard,
  LSH_BANDS,
  MinHasher,
  minhashOf,
  signatureFromBytes,
  signatureToBytes,
  textBands,
} from '../../../apps/api/src/integrity/near-duplicates/minhash';
import { signatureOf } from '../../../apps/api/src/integrity/near-duplicates/near-duplicate.service';

const vocabulary = Array.from({ length: 2000 }, () => randomBytes(3).toString('hex'));
const text = (n: number, pick: () => number) => Array.from({ length: n }, () => vocabulary[pick()]).join(' ');
const words = fc.array(fc.integer({ min: 0, max: vocabulary.length - 1 }), { minLength: 1, maxLength: 400 });

describe('MinHash of text', () => {
  it('does not depend on how the bytes are cut into chunks', () => {
    fc.assert(
      fc.property(words, fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (ws, cuts) => {
        const bytes = Buffer.from(ws.map((w) => vocabulary[w]).join(' '));
        const hasher = new MinHasher();
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const next = Math.min(bytes.length, at + cuts[i % cuts.length]);
          hasher.update(bytes.subarray(at, next));
          at = next;
        }
        expect(hasher.digest()).toEqual(minhashOf(bytes));
      }),
    );
  });

  it('ignores case, spacing, line breaks and ASCII punctuation, but not the words or their order', () => {
    const a = text(300, () => Math.floor(Math.random() * vocabulary.length));
    const same = minhashOf(Buffer.from(a))!;
    expect(minhashOf(Buffer.from(`  ${a.toUpperCase().replace(/ /g, ',\r\n\t')}!!`))).toEqual(same);
    const reversed = minhashOf(Buffer.from(a.split(' ').reverse().join(' ')))!;
    expect(estimateJaccard(same, reversed)).toBeLessThan(0.1);
    expect(minhashOf(Buffer.from(' ,.;\n'))).toBeUndefined();
    // UTF-8 words are words (no case folding beyond ASCII).
    expect(minhashOf(Buffer.from('ça été über'))).toBeDefined();
  });

  it('estimates the Jaccard similarity of the shingle sets within a few standard errors', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 2000 }),
        fc.integer({ min: 2, max: 200 }),
        fc.integer(),
        (n, every, seed) => {
          let x = seed >>> 0;
          const pick = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % vocabulary.length;
          const a = text(n, pick).split(' ');
          const b = a.map((w, i) => (i % every === 0 ? 'edit' : w));
          const [ab, bb] = [Buffer.from(a.join(' ')), Buffer.from(b.join(' '))];
          const j = exactJaccard(ab, bb);
          const estimate = estimateJaccard(minhashOf(ab)!, minhashOf(bb)!);
          // The standard error √(J(1−J)/128) is at most 0.045: within 4 of them.
          expect(Math.abs(estimate - j)).toBeLessThanOrEqual(0.18);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives unrelated texts a similarity near 0 and shares no LSH band with them', () => {
    const a = minhashOf(Buffer.from(text(1000, () => Math.floor(Math.random() * 2000))))!;
    const b = minhashOf(Buffer.from(text(1000, () => Math.floor(Math.random() * 2000))))!;
    expect(estimateJaccard(a, b)).toBeLessThan(0.05);
    expect(textBands(a).filter((h) => textBands(b).includes(h))).toEqual([]);
    expect(textBands(a)).toHaveLength(LSH_BANDS);
  });

  it('stores a signature as 512 bytes and reads it back', () => {
    const s = minhashOf(Buffer.from(text(50, () => 7)))!;
    const bytes = signatureToBytes(s);
    expect(bytes).toHaveLength(512);
    expect(signatureFromBytes(bytes)).toEqual(s);
  });
});

describe('what a blob is, and its signature read once from a stream', () => {
  it('tells text, images and other bytes apart', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    expect(sniffContent(png, true)).toBe('image');
    expect(sniffContent(Buffer.from('plain words\n'), true)).toBe('text');
    expect(sniffContent(Buffer.from([0x61, 0x00, 0x62]), true)).toBe('none');
    expect(sniffContent(Buffer.from([0xc3, 0x28]), true)).toBe('none');
    // A multi-byte sequence cut by the sample's end is still text, unless the sample is the whole file.
    expect(sniffContent(Buffer.from([0x61, 0xc3]), false)).toBe('text');
    expect(sniffContent(Buffer.from([0x61, 0xc3]), true)).toBe('none');
  });

  it('hashes text as it streams, gives up on bytes that turn out binary, and hashes images', async () => {
    const body = text(500, () => Math.floor(Math.random() * 2000));
    const chunks = body.match(/[\s\S]{1,1000}/g)!.map((c) => Buffer.from(c));
    const streamed = await signatureOf(Readable.from(chunks));
    expect(streamed).toEqual({ kind: 'text', minhash: minhashOf(Buffer.from(body)) });
    expect(await signatureOf(Readable.from([Buffer.alloc(20_000, 0x61), Buffer.from([0])]))).toEqual({ kind: 'none' });
    expect(await signatureOf(Readable.from([randomBytes(10_000)]))).toEqual({ kind: 'none' });
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
      .composite([
        { input: Buffer.from('<svg width="30" height="20"><rect width="30" height="20" fill="#fff"/></svg>') },
      ])
      .png()
      .toBuffer();
    const image = await signatureOf(Readable.from([png.subarray(0, 100), png.subarray(100)]));
    expect(image.kind).toBe('image');
    const phash = (image as { phash: bigint }).phash;
    expect(imageSimilarity(phash, phash)).toBe(1);
    expect(imageSimilarity(phash, ~phash)).toBe(0);
    expect(imageBands(phash)).toHaveLength(4);
    // Image magic with nothing decodable after it.
    expect(await signatureOf(Readable.from([png.subarray(0, 40)]))).toEqual({ kind: 'none' });
  });
});
