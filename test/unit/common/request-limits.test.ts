import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JsonShapeScanner } from '../../../apps/api/src/common/body/json-shape';
import {
  DEFAULT_ROUTE_LIMITS,
  limitsMarkdown,
  requestLimitsTable,
  routeLimitsLookup,
} from '../../../apps/api/src/common/body/request-limits';

const limits = { depth: 4, stringBytes: 16, objectKeys: 3, arrays: { files: 3, 'a[].b': 2, '*': 5 } };

/** The scanner's first fault over `text` cut into pieces of `size` bytes. */
function scan(text: string, size = Infinity) {
  const scanner = new JsonShapeScanner(limits);
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += size) {
    const fault = scanner.write(bytes.subarray(at, Math.min(bytes.length, at + size)));
    if (fault) return fault;
  }
  return undefined;
}

describe('JsonShapeScanner: the same answer however the body is cut into chunks', () => {
  const bodies: [string, string | undefined][] = [
    ['{"files":[1,2,3],"x":"0123456789abcdef"}', undefined],
    ['{"files":[1,2,3,4]}', 'files'],
    ['{"a":[{"b":[1,2]},{"b":[1,2,3]}]}', 'a[1].b'],
    ['{"other":[1,2,3,4,5,6]}', 'other'],
    ['{"x":"0123456789abcdefg"}', 'x'],
    ['{"x":"\\"\\\\\\"\\u0041bc","y":1,"\\u0079":2}', 'y'],
    ['{"a":{"b":{"c":{"d":{}}}}}', 'body'],
    ['{"k":{"__proto__":1}}', 'k.__proto__'],
    ['{"s":"[[[{{,,,,"}', undefined],
    ['{"o":{"a":1,"b":2,"c":3,"d":4}}', 'o'],
    // A key read straight from its chunk after a value with escapes, and a key with one after plain keys.
    ['{"é":"a\\"b","é":1}', 'é'],
    ['{"a":[{"b":[1],"\\u0062":[2]}]}', 'a[0].b'],
  ];
  it.each(bodies)('%s → %s', (text, field) => {
    for (const size of [Infinity, 1, 2, 3, 7]) expect(scan(text, size)?.field, `chunks of ${size}`).toBe(field);
  });

  it('counts an array at the comma that would start one item too many, and says which limit', () => {
    expect(scan('{"files":[{},{},{},{}')).toMatchObject({ kind: 'array', arrayPath: 'files', limit: 3 });
    expect(scan('[1,2,3,4,5,6]')).toMatchObject({ kind: 'array', field: 'body', limit: 5 });
  });
});

describe('the limits table', () => {
  it('is what the request limits page states', () => {
    const page = readFileSync('docs/reference/request-limits.md', 'utf8');
    const between = /<!-- generated:limits -->\n([\s\S]*?)\n<!-- \/generated:limits -->/.exec(page)?.[1];
    expect(
      between,
      'docs/reference/request-limits.md needs the table between <!-- generated:limits --> markers (npm run docs:reference)',
    ).toBe(limitsMarkdown());
  });

  it('finds a route by method and path, and gives every other route the default', () => {
    const lookup = routeLimitsLookup(requestLimitsTable({ maxFilesPerDataset: 7 }));
    expect(lookup('POST', '/datasets').arrays.files).toBe(7);
    expect(lookup('POST', '/runs/abc/entries').arrays.entries).toBe(50_000);
    expect(lookup('POST', '/runs/abc/commit')).toBe(DEFAULT_ROUTE_LIMITS);
    expect(lookup('PUT', '/datasets')).toBe(DEFAULT_ROUTE_LIMITS);
  });
});
