/**
 * MinHash signatures of text (issue 15), pure and streaming: no Nest, no I/O.
 *
 * Normalisation: ASCII letters are lower-cased; ASCII letters and digits and every byte of a UTF-8
 * multi-byte sequence are word characters; everything else (spaces, punctuation, control bytes) only
 * separates words. So case, spacing, line breaks and punctuation do not change a signature.
 * Shingles: every run of SHINGLE_WORDS consecutive words (a text of fewer words is one shingle).
 * Signature: one-permutation MinHash (Li, Owen & Zhang 2012) with optimal densification (Shrivastava
 * 2017): each shingle is hashed once, the hash's low 7 bits pick one of MINHASH_SLOTS slots and its high
 * 25 bits compete for that slot's minimum; slots no shingle reached copy a deterministic other slot. The
 * share of equal slots of two signatures estimates the Jaccard similarity of their shingle sets (standard
 * error √(J(1−J)/128), ≤ 0.045). One hash per shingle instead of 128 is what makes it run near disk speed.
 */

export const MINHASH_SLOTS = 128;
/** Words per shingle. */
export const SHINGLE_WORDS = 5;
/** LSH: the first LSH_BANDS × LSH_ROWS slots, in bands of LSH_ROWS; two signatures sharing any band are candidates. */
export const LSH_BANDS = 16;
export const LSH_ROWS = 4;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
/** An empty slot (values are 25 bits). Int32 keeps the hot loop on small integers: no heap numbers. */
const EMPTY = 0x7fffffff;
const TEXT_BAND_SALT = 0x7e571a5d;

/** Byte → its normalised value, or 0 for a separator. */
const WORD_BYTE = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  if ((b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7a) || b >= 0x80) WORD_BYTE[b] = b;
  else if (b >= 0x41 && b <= 0x5a) WORD_BYTE[b] = b + 0x20;
}

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A shingle's hash from its words' hashes, oldest first; each position has its own multiplier, so order
 * counts. murmur3's finaliser, kept as int32 (not `>>> 0`): a uint32 above 2^31 would be a heap number.
 */
function shingleHash(w0: number, w1: number, w2: number, w3: number, w4: number): number {
  let h =
    (Math.imul(w0, 0x9e3779b1) +
      Math.imul(w1, 0x85ebca77) +
      Math.imul(w2, 0xc2b2ae3d) +
      Math.imul(w3, 0x27d4eb2f) +
      Math.imul(w4, 0x165667b1)) |
    0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Feeds text in chunks of any size (a word or shingle may span chunks); `digest` gives the signature. */
export class MinHasher {
  private readonly mins = new Int32Array(MINHASH_SLOTS).fill(EMPTY);
  private word = FNV_OFFSET;
  private inWord = false;
  // The four words before the current one, oldest first.
  private w0 = 0;
  private w1 = 0;
  private w2 = 0;
  private w3 = 0;
  private words = 0;
  /** Shingles seen (with repeats). */
  shingles = 0;

  /** `collect`: also gathers every shingle's hash (tests compute exact Jaccard with it). */
  constructor(private readonly collect?: Set<number>) {}

  update(chunk: Uint8Array): void {
    const mins = this.mins;
    let h = this.word;
    let inWord = this.inWord;
    let { w0, w1, w2, w3, words, shingles } = this;
    const collect = this.collect;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      // A run of word bytes, then a run of separators: two tight loops with predictable branches.
      for (let c: number; i < n && (c = WORD_BYTE[chunk[i]]) !== 0; i++) {
        h = Math.imul(h ^ c, FNV_PRIME);
        inWord = true;
      }
      if (i >= n) break;
      if (inWord) {
        if (++words >= SHINGLE_WORDS) {
          const s = shingleHash(w0, w1, w2, w3, h);
          const slot = s & (MINHASH_SLOTS - 1);
          const value = s >>> 7;
          if (value < mins[slot]) mins[slot] = value;
          shingles++;
          collect?.add(s >>> 0);
        }
        w0 = w1;
        w1 = w2;
        w2 = w3;
        w3 = h;
        h = FNV_OFFSET;
        inWord = false;
      }
      i++;
      while (i < n && WORD_BYTE[chunk[i]] === 0) i++;
    }
    this.word = h;
    this.inWord = inWord;
    Object.assign(this, { w0, w1, w2, w3, words, shingles });
  }

  /** The signature, or undefined for a text without a word. Ends the text (call once). */
  digest(): Uint32Array | undefined {
    if (this.inWord) this.update(SEPARATOR);
    if (this.words === 0) return undefined;
    if (this.words < SHINGLE_WORDS) {
      // Fewer words than a shingle: the words seen (the newest of w0…w3; the rest are still 0) are the one shingle.
      const s = shingleHash(0, this.w0, this.w1, this.w2, this.w3);
      this.mins[s & (MINHASH_SLOTS - 1)] = s >>> 7;
      this.shingles = 1;
      this.collect?.add(s >>> 0);
    }
    return densify(this.mins);
  }
}

const SEPARATOR = new Uint8Array([0x20]);

/** Optimal densification: an empty slot takes the value of the first filled slot its own probe sequence meets. */
function densify(mins: Int32Array): Uint32Array {
  const out = Uint32Array.from(mins);
  for (let slot = 0; slot < MINHASH_SLOTS; slot++) {
    if (mins[slot] !== EMPTY) continue;
    for (let attempt = 1; ; attempt++) {
      const from = fmix32((Math.imul(slot + 1, 0x9e3779b1) + Math.imul(attempt, 0x85ebca77)) | 0) & (MINHASH_SLOTS - 1);
      if (mins[from] !== EMPTY) {
        out[slot] = mins[from];
        break;
      }
    }
  }
  return out;
}

/** The signature of a whole text. */
export function minhashOf(bytes: Uint8Array): Uint32Array | undefined {
  const hasher = new MinHasher();
  hasher.update(bytes);
  return hasher.digest();
}

/** Estimated Jaccard similarity of the two texts' shingle sets: the share of equal slots. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let equal = 0;
  for (let i = 0; i < MINHASH_SLOTS; i++) if (a[i] === b[i]) equal++;
  return equal / MINHASH_SLOTS;
}

/** The LSH band hashes of a signature (int32, as PostgreSQL's integer stores them). */
export function textBands(signature: Uint32Array): number[] {
  const bands: number[] = [];
  for (let band = 0; band < LSH_BANDS; band++) {
    const at = band * LSH_ROWS;
    const h =
      (Math.imul(signature[at], 0x9e3779b1) +
        Math.imul(signature[at + 1], 0x85ebca77) +
        Math.imul(signature[at + 2], 0xc2b2ae3d) +
        Math.imul(signature[at + 3], 0x27d4eb2f) +
        Math.imul(band + 1, TEXT_BAND_SALT)) |
      0;
    bands.push(fmix32(h) | 0);
  }
  return bands;
}

/** 512 bytes, each slot big-endian: what `content_signatures.minhash` stores. */
export function signatureToBytes(signature: Uint32Array): Buffer {
  const out = Buffer.alloc(MINHASH_SLOTS * 4);
  for (let i = 0; i < MINHASH_SLOTS; i++) out.writeUInt32BE(signature[i], i * 4);
  return out;
}

export function signatureFromBytes(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(MINHASH_SLOTS);
  for (let i = 0; i < MINHASH_SLOTS; i++) out[i] = view.getUint32(i * 4);
  return out;
}

/** The exact Jaccard similarity of two texts' shingle sets (for tests and checks; holds every shingle). */
export function exactJaccard(a: Uint8Array, b: Uint8Array): number {
  const sa = new Set<number>();
  const sb = new Set<number>();
  const ha = new MinHasher(sa);
  ha.update(a);
  ha.digest();
  const hb = new MinHasher(sb);
  hb.update(b);
  hb.digest();
  let both = 0;
  for (const s of sa) if (sb.has(s)) both++;
  const union = sa.size + sb.size - both;
  return union === 0 ? 1 : both / union;
}
