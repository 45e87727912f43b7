import { isUtf8 } from 'node:buffer';
import type { ErrorDetail } from '../errors/domain-error';

/** How deep objects and arrays may nest in a JSON body; no route needs more than a handful of levels. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

interface Frame {
  object: boolean;
  /** Keys seen so far (objects only): a list while short, a set past SMALL_OBJECT keys. */
  keys: string[] | Set<string> | undefined;
  /** The key or index of the value being read, for naming a field. */
  at: string | number;
  expectKey: boolean;
}

/**
 * What JSON.parse would silently accept or fail on badly, found in one pass over the raw bytes
 * before it runs: bytes that are not UTF-8 (decoding would turn them into U+FFFD), nesting deeper
 * than `maxDepth` (deep enough, and JSON.parse or the validators overflow the stack), and a key
 * repeated in one object (JSON.parse keeps the last one). Answers the first fault, naming the body
 * or the repeated key's path (`owners[1].account`); undefined when none. Malformed JSON is left to
 * JSON.parse, which names where it broke.
 */
export function jsonShapeFault(body: Buffer, maxDepth = MAX_JSON_DEPTH): ErrorDetail | undefined {
  if (!isUtf8(body)) return { field: 'body', reason: 'is not valid UTF-8' };
  const stack: Frame[] = [];
  const length = body.length;
  let i = 0;
  while (i < length) {
    const byte = body[i];
    if (byte === QUOTE) {
      const end = stringEnd(body, i + 1);
      if (end < 0) return undefined; // unterminated: JSON.parse names it
      const frame = stack[stack.length - 1];
      if (frame?.object && frame.expectKey) {
        const key = decodeKey(body, i + 1, end);
        if (key === undefined) return undefined;
        if (!remember(frame, key))
          return { field: fieldPath(stack, key), reason: 'appears more than once in its object' };
        frame.at = key;
        frame.expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (stack.length >= maxDepth) return { field: 'body', reason: `is nested deeper than ${maxDepth} levels` };
      const object = byte === OPEN_OBJECT;
      stack.push({ object, keys: undefined, at: object ? '' : 0, expectKey: object });
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      stack.pop();
    } else if (byte === COMMA) {
      const frame = stack[stack.length - 1];
      if (frame?.object) frame.expectKey = true;
      else if (frame) frame.at = (frame.at as number) + 1;
    }
    i++;
  }
  return undefined;
}

/** Past this many keys an object's keys go into a Set; below it a list is cheaper. */
const SMALL_OBJECT = 16;

/** Records `key` in its object; false when it was there already. */
function remember(frame: Frame, key: string): boolean {
  const keys = frame.keys;
  if (keys === undefined) {
    frame.keys = [key];
    return true;
  }
  if (Array.isArray(keys)) {
    if (keys.includes(key)) return false;
    keys.push(key);
    if (keys.length > SMALL_OBJECT) frame.keys = new Set(keys);
    return true;
  }
  if (keys.has(key)) return false;
  keys.add(key);
  return true;
}

/** The index of the quote closing the string whose first content byte is at `from`; -1 if none. */
function stringEnd(body: Buffer, from: number): number {
  // Most strings are short: a plain loop beats a native call per string.
  const length = body.length;
  for (let k = from; k < length && k < from + 64; k++) {
    const byte = body[k];
    if (byte === QUOTE) return k;
    if (byte === BACKSLASH) break;
  }
  let at = from;
  for (;;) {
    const quote = body.indexOf(QUOTE, at);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let k = quote - 1; k >= from && body[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/**
 * A key's identity: its UTF-8 bytes as a latin1 string (cheaper to make than a decoded string),
 * escapes resolved, so `"a"` and `"\u0061"` are the same key.
 */
function decodeKey(body: Buffer, start: number, end: number): string | undefined {
  if (!body.subarray(start, end).includes(BACKSLASH)) return body.toString('latin1', start, end);
  try {
    const decoded = JSON.parse(`"${body.toString('utf8', start, end)}"`) as string;
    return Buffer.from(decoded, 'utf8').toString('latin1');
  } catch {
    return undefined; // a malformed escape: JSON.parse names it
  }
}

/** `owners[1].account` for the key `account` in the object at the top of the stack. */
function fieldPath(stack: Frame[], key: string): string {
  let path = '';
  for (let depth = 0; depth < stack.length - 1; depth++) {
    const frame = stack[depth];
    const at = frame.object ? Buffer.from(frame.at as string, 'latin1').toString('utf8') : String(frame.at);
    path = frame.object ? (path ? `${path}.${at}` : at) : `${path}[${at}]`;
  }
  const name = Buffer.from(key, 'latin1').toString('utf8');
  return path ? `${path}.${name}` : name;
}
