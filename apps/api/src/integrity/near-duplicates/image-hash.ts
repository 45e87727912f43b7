import { fmix32 } from './minhash';

/**
 * Perceptual hashes of images (issue 15): the 64-bit DCT pHash of `sharp-phash` (greyscale, 32×32,
 * the 8×8 lowest frequencies against their mean), decoded by `sharp` (libvips: JPEG, PNG, WebP, GIF,
 * TIFF, AVIF). Re-encoding, resizing and small edits move few bits; the share of equal bits is the
 * similarity. LSH: 4 bands of 16 bits, so two hashes within 3 bits of each other always share a band.
 */
export const IMAGE_BANDS = 4;
const IMAGE_BAND_SALT = 0x1a6e5a17;
/** Images larger than this are not decoded (no perceptual hash). */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/** The image's pHash as a signed 64-bit integer (as PostgreSQL's bigint stores it); throws when it cannot be decoded. */
export async function perceptualHash(bytes: Buffer): Promise<bigint> {
  // Loaded on first use: libvips stays out of a process that never meets an image.
  // (A CommonJS module whose export is the function: `default` is that function at run time.)
  const { default: phash } = (await import('sharp-phash')) as unknown as {
    default: (image: Buffer) => Promise<string>;
  };
  const bits = await phash(bytes);
  return BigInt.asIntN(64, BigInt(`0b${bits}`));
}

/** Share of equal bits of two pHashes. */
export function imageSimilarity(a: bigint, b: bigint): number {
  let x = BigInt.asUintN(64, a ^ b);
  let differing = 0;
  while (x) {
    x &= x - 1n;
    differing++;
  }
  return 1 - differing / 64;
}

export function imageBands(hash: bigint): number[] {
  const bands: number[] = [];
  const unsigned = BigInt.asUintN(64, hash);
  for (let band = 0; band < IMAGE_BANDS; band++) {
    const bits = Number((unsigned >> BigInt(band * 16)) & 0xffffn);
    bands.push(fmix32((Math.imul(band + 1, IMAGE_BAND_SALT) ^ bits) | 0) | 0);
  }
  return bands;
}
