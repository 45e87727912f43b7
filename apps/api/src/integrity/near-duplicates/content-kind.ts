/** What a blob's first bytes say it is: text (MinHash), an image (perceptual hash), or neither. */
export type ContentKind = 'text' | 'image' | 'none';

/** Bytes enough to tell: the longest magic number below, and a sample for the text test. */
export const SNIFF_BYTES = 8192;

const startsWith = (b: Uint8Array, at: number, magic: number[]) => magic.every((m, i) => b[at + i] === m);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * Images by magic number (PNG, JPEG, GIF, WebP, TIFF, AVIF/HEIF); text when the sample holds no NUL byte
 * and is valid UTF-8 (a multi-byte sequence cut by the sample's end is allowed); anything else is `none`.
 */
export function sniffContent(head: Uint8Array, complete: boolean): ContentKind {
  if (head.length === 0) return 'none';
  if (
    startsWith(head, 0, [0x89, 0x50, 0x4e, 0x47]) ||
    startsWith(head, 0, [0xff, 0xd8, 0xff]) ||
    startsWith(head, 0, ascii('GIF8')) ||
    (startsWith(head, 0, ascii('RIFF')) && startsWith(head, 8, ascii('WEBP'))) ||
    startsWith(head, 0, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(head, 0, [0x4d, 0x4d, 0x00, 0x2a]) ||
    (startsWith(head, 4, ascii('ftyp')) &&
      ['avif', 'avis', 'heic', 'heix', 'mif1'].some((b) => startsWith(head, 8, ascii(b))))
  )
    return 'image';
  if (head.includes(0)) return 'none';
  // Up to 3 bytes of a multi-byte sequence may be cut off at the sample's end.
  for (let cut = 0; cut <= (complete ? 0 : 3) && cut < head.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
      return 'text';
    } catch {
      // try a shorter sample
    }
  }
  return 'none';
}
