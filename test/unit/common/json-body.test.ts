import { describe, expect, it } from 'vitest';
import { jsonShapeFault } from '../../../apps/api/src/common/body/json-shape';

const fault = (text: string | Buffer, maxDepth?: number) =>
  jsonShapeFault(typeof text === 'string' ? Buffer.from(text) : text, maxDepth);

describe('jsonShapeFault: what JSON.parse would accept silently, found in the raw bytes', () => {
  it('passes well-formed JSON, whatever its strings hold', () => {
    expect(fault('{"a":"{\\"a\\":1,\\"a\\":2}","b":[1,{"a":1}],"c":{"a":[[]]}}')).toBeUndefined();
    expect(fault('{"a\\\\":1,"a":2,"é":3,"e\\u0301":4}')).toBeUndefined();
  });

  it('names a repeated key by its path, escapes resolved', () => {
    expect(fault('{"a":1,"a":2}')).toEqual({ field: 'a', reason: 'appears more than once in its object' });
    expect(fault('{"x":[{},{"y":{"b":1,"\\u0062":2}}]}')?.field).toBe('x[1].y.b');
    expect(fault('[{"é":1,"é":1}]')?.field).toBe('[0].é');
    const many = `{${Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',')},"k39":0}`;
    expect(fault(many)?.field).toBe('k39');
  });

  it('refuses nesting past the limit, and bytes that are not UTF-8', () => {
    expect(fault('[[[]]]', 3)).toBeUndefined();
    expect(fault('[[[[]]]]', 3)).toEqual({ field: 'body', reason: 'is nested deeper than 3 levels' });
    expect(fault('['.repeat(100_000))?.field).toBe('body');
    expect(fault(Buffer.from([0x7b, 0x22, 0xc3, 0x22, 0x3a, 0x31, 0x7d]))).toEqual({
      field: 'body',
      reason: 'is not valid UTF-8',
    });
  });

  it('leaves malformed JSON to JSON.parse', () => {
    expect(fault('{"a')).toBeUndefined();
    expect(fault('{"a\\x":1,"a\\x":1}')).toBeUndefined();
  });
});
