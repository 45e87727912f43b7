import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFileName, normalizeEntryPath, ProvenanceError } from '@upstream/provenance';

/** What this runtime's Unicode tables call a control or format character, or a surrogate. */
const REFUSED_RE = /[\p{Cc}\p{Cf}\p{Cs}]/u;
const MAX_CODE_POINT = 0x10ffff;

/** Every Cc and Cf code point of this runtime, enumerated once: the oracle the rules are tested against. */
const controlAndFormat: number[] = [];
for (let cp = 0; cp <= MAX_CODE_POINT; cp++) {
  if ((cp < 0xd800 || cp > 0xdfff) && REFUSED_RE.test(String.fromCodePoint(cp))) controlAndFormat.push(cp);
}

function refusal(path: string): ProvenanceError {
  try {
    normalizeEntryPath(path);
  } catch (error) {
    if (error instanceof ProvenanceError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(path)} was accepted`);
}

const refusedChar = fc.oneof(
  fc.constantFrom(...controlAndFormat).map((cp) => String.fromCodePoint(cp)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
);
// Well-formed on both sides, so a surrogate put between them stays unpaired.
const text = fc.string({ unit: 'binary', maxLength: 20 });

const SAFE_CHARS = [...'abcXYZ019-_. ~()+,=@', 'é', 'ß', 'ж', '日', '本', '😀', '🇫🇷', 'ق', 'a\u0301'];
const segment = fc
  .string({ unit: fc.constantFrom(...SAFE_CHARS), minLength: 1, maxLength: 12 })
  .filter((s) => s !== '.' && s !== '..');

describe('entry path characters', () => {
  it('refuses every string with a control or format character or an unpaired surrogate, and never prints one', () => {
    fc.assert(
      fc.property(text, refusedChar, text, (before, bad, after) => {
        const error = refusal(before + bad + after);
        expect(error.code).toBe('INVALID_PATH');
        expect(error.field).toBe('path');
        expect(error.message).toMatch(
          / contains (the control character|the format character|an unpaired surrogate) U\+[0-9A-F]{4,6}$/,
        );
        expect(error.message).not.toMatch(REFUSED_RE);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts plain names, including non-Latin scripts and emoji, as their NFC form', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        const path = segments.join('/');
        expect(normalizeEntryPath(path)).toBe(path.normalize('NFC'));
      }),
    );
  });

  it('refuses exactly the Cc and Cf characters of this runtime (the fixed Unicode 17 list is current)', () => {
    const refused: number[] = [];
    // Mutation runs repeat this per mutant: every refused code point and its neighbours (where a changed
    // range would show), plus a sample of the rest, instead of all 1.1M.
    const candidates = process.env.UPSTREAM_MUTATION_RUN
      ? [
          ...new Set([
            ...controlAndFormat.flatMap((c) => [c - 1, c, c + 1]),
            ...Array.from({ length: 11_000 }, (_, i) => i * 101),
          ]),
        ]
          .filter((c) => c >= 0 && c <= MAX_CODE_POINT)
          .sort((a, b) => a - b)
      : Array.from({ length: MAX_CODE_POINT + 1 }, (_, i) => i);
    for (const cp of candidates) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      try {
        normalizeEntryPath(`a${String.fromCodePoint(cp)}a`);
      } catch {
        refused.push(cp);
      }
    }
    expect(refused).toEqual(controlAndFormat);
  });

  it.each([
    ['a\u0085b', 'path "a\\u0085b" contains the control character U+0085'],
    ['a\u007fb', 'path "a\\u007fb" contains the control character U+007F'],
    ['line\nbreak', 'path "line\\u000abreak" contains the control character U+000A'],
    ['doc\u200b.txt', 'path "doc\\u200b.txt" contains the format character U+200B'],
    ['\u202etxt.exe', 'path "\\u202etxt.exe" contains the format character U+202E'],
    ['x\u2066y', 'path "x\\u2066y" contains the format character U+2066'],
    ['\ufeffdata.csv', 'path "\\ufeffdata.csv" contains the format character U+FEFF'],
    ['tag\u{e0001}', 'path "tag\\u{e0001}" contains the format character U+E0001'],
    ['half\ud800', 'path "half\\ud800" contains an unpaired surrogate U+D800'],
    ['a\\b\u0085', 'path "a\\\\b\\u0085" contains the control character U+0085'],
  ])('refuses %j naming the character escaped', (path, reason) => {
    expect(refusal(path)).toMatchObject({ code: 'INVALID_PATH', field: 'path', reason });
  });

  it('keeps surrogate pairs and shows other refusals escaped too', () => {
    expect(normalizeEntryPath('smile-😀.png')).toBe('smile-😀.png');
    expect(refusal('a/../b\u2028').reason).toBe('path "a/../b\\u2028" has a ".." segment');
  });
});

describe('file names read from disk', () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

  it('decodes UTF-8 names exactly, keeping a leading BOM so the path rules see it', () => {
    expect(decodeFileName(bytes('café-日本.txt'))).toBe('café-日本.txt');
    expect(decodeFileName(bytes([0xef, 0xbb, 0xbf], 'x'))).toBe('\ufeffx');
    expect(() => normalizeEntryPath(decodeFileName(bytes([0xef, 0xbb, 0xbf], 'x')))).toThrow(/U\+FEFF/);
  });

  it.each([
    [bytes('bad', [0xff], 'name'), '', 'path "bad\\xffname" is not valid UTF-8: rename the file'],
    [bytes('caf', [0xe9]), 'sub/', 'path "sub/caf\\xe9" is not valid UTF-8: rename the file'],
    [bytes('é', [0xe2, 0x82]), '', 'path "é\\xe2\\x82" is not valid UTF-8: rename the file'],
    [
      bytes([0xc2, 0x85, 0xed, 0xa0, 0x80]),
      'a"b/',
      'path "a\\"b/\\u0085\\xed\\xa0\\x80" is not valid UTF-8: rename the file',
    ],
  ])('refuses a name that is not UTF-8, its bytes escaped (%#)', (name, parent, reason) => {
    expect(() => decodeFileName(name, parent)).toThrow(
      expect.objectContaining({ code: 'INVALID_PATH', field: 'path', reason }),
    );
  });
});
