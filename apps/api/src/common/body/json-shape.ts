import { isUtf8 } from 'node:buffer';
import type { ErrorDetail } from '../errors/domain-error';
import { DEFAULT_ROUTE_LIMITS, type RouteLimits } from './request-limits';

/** How deep objects and arrays may nest in a JSON body when a route's limits do not say. */
export const MAX_JSON_DEPTH = DEFAULT_ROUTE_LIMITS.depth;

/** Keys that name an object's prototype machinery: refused, so nothing downstream can be steered by them. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** What a body breaks: its shape (400), an array's length or a string's length (413). */
export interface ShapeFault extends ErrorDetail {
  kind: 'shape' | 'array' | 'keys' | 'string';
  /** For `array`: the array's path in the limits table (`files`), and its limit. */
  arrayPath?: string;
  limit?: number;
}

interface Frame {
  object: boolean;
  /** Keys seen so far (objects only): a list while short, a set past SMALL_OBJECT keys. */
  keys: string[] | Set<string> | undefined;
  /** The key or index of the value being read, for naming a field. */
  at: string | number;
  expectKey: boolean;
  /** Path of this container in the limits table's terms: keys joined by `.`, array items as `[]`. */
  pattern: string;
  /** Arrays: most items allowed. */
  maxItems: number;
  /** A top-level field whose byte range is recorded (`capture`). */
  captured?: string;
  /** Arrays: the pattern of their items' containers, made once (100,000 items need it 100,000 times). */
  itemPattern?: string;
}

/**
 * Reads a JSON body chunk by chunk as it arrives and stops at the first thing the route's limits or
 * the JSON shape rules refuse, before JSON.parse builds anything: nesting deeper than the limit
 * (deep enough, and JSON.parse or the validators overflow the stack), an array longer than its
 * limit (counted at the comma that would start one item too many), an object with more keys than
 * the limit, a string longer than the limit,
 * a key repeated in one object (JSON.parse keeps the last one), and `__proto__`, `constructor` or
 * `prototype` as a key. Work is linear in the bytes and memory bounded by the depth and the keys
 * of the open objects. Malformed JSON is left to JSON.parse, which names where it broke; UTF-8 is
 * checked on the whole body by `jsonShapeFault` / the body reader.
 */
export class JsonShapeScanner {
  private readonly stack: Frame[] = [];
  private inString = false;
  private escaped = false;
  private stringIsKey = false;
  private stringLength = 0;
  private keyParts: Buffer[] = [];
  /** Whether the current string holds an escape. */
  private keyEscaped = false;
  private gaveUp = false;
  /** Bytes of the body before the current chunk. */
  private offset = 0;
  /** Byte ranges [start, end) of the captured top-level values seen so far. */
  readonly ranges: { field: string; start: number; end: number }[] = [];

  constructor(
    private readonly limits: Pick<RouteLimits, 'depth' | 'stringBytes' | 'arrays' | 'objectKeys'>,
    /** Top-level fields whose values' byte ranges to record (when they are arrays or objects). */
    private readonly capture: readonly string[] = [],
  ) {}

  /** The first fault in `chunk` given everything before it; undefined to go on reading. */
  write(chunk: Buffer): ShapeFault | undefined {
    const fault = this.scan(chunk);
    this.offset += chunk.length;
    return fault;
  }

  private scan(chunk: Buffer): ShapeFault | undefined {
    if (this.gaveUp) return undefined;
    const length = chunk.length;
    let i = 0;
    while (i < length) {
      if (this.inString) {
        const end = this.scanString(chunk, i);
        if (end < 0) {
          // The string goes on in the next chunk.
          if (this.stringIsKey) this.keyParts.push(chunk.subarray(i));
          this.stringLength += length - i;
          if (this.stringLength > this.limits.stringBytes) return this.stringTooLong();
          return undefined;
        }
        this.stringLength += end - i;
        if (this.stringLength > this.limits.stringBytes) return this.stringTooLong();
        this.inString = false;
        if (this.stringIsKey) {
          // A key within one chunk without escapes (nearly all) is read straight from it: no Buffer per key.
          let key: string | undefined;
          if (this.keyParts.length === 0 && !this.keyEscaped) key = chunk.toString('latin1', i, end);
          else {
            this.keyParts.push(chunk.subarray(i, end));
            key = this.keyOfParts();
          }
          const fault = this.endKey(key);
          if (fault) return fault;
        }
        i = end + 1;
        continue;
      }
      const byte = chunk[i];
      if (byte === QUOTE) {
        const frame = this.stack[this.stack.length - 1];
        this.inString = true;
        this.escaped = false;
        this.stringLength = 0;
        this.stringIsKey = frame !== undefined && frame.object && frame.expectKey;
        if (this.keyParts.length > 0) this.keyParts = [];
        this.keyEscaped = false;
      } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        if (this.stack.length >= this.limits.depth)
          return { kind: 'shape', field: 'body', reason: `is nested deeper than ${this.limits.depth} levels` };
        const object = byte === OPEN_OBJECT;
        const pattern = this.childPattern();
        const top = this.stack.length === 1 && this.stack[0].object ? pattern : undefined;
        const captured = top !== undefined && this.capture.includes(top) ? top : undefined;
        if (captured !== undefined) this.ranges.push({ field: captured, start: this.offset + i, end: -1 });
        this.stack.push({
          object,
          keys: undefined,
          at: object ? '' : 0,
          expectKey: object,
          pattern,
          maxItems: object ? 0 : (this.limits.arrays[pattern] ?? this.limits.arrays['*'] ?? Infinity),
          captured,
        });
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        const closed = this.stack.pop();
        if (closed?.captured !== undefined) this.ranges[this.ranges.length - 1].end = this.offset + i + 1;
      } else if (byte === COMMA) {
        const frame = this.stack[this.stack.length - 1];
        if (frame?.object) frame.expectKey = true;
        else if (frame) {
          const next = (frame.at as number) + 1;
          frame.at = next;
          if (next >= frame.maxItems) {
            const field = this.path();
            return {
              kind: 'array',
              field: field.replace(/\[\d+\]$/, '') || 'body',
              reason: `lists more than ${frame.maxItems.toLocaleString('en-US')} items`,
              arrayPath: frame.pattern,
              limit: frame.maxItems,
            };
          }
        }
      }
      i++;
    }
    return undefined;
  }

  /** Index of the quote closing the current string in `chunk` from `from`; -1 when it goes on. */
  private scanString(chunk: Buffer, from: number): number {
    const length = chunk.length;
    let k = from;
    if (this.escaped) {
      this.escaped = false;
      k++;
    }
    for (; k < length; k++) {
      const byte = chunk[k];
      if (byte === QUOTE) return k;
      if (byte === BACKSLASH) {
        this.keyEscaped = true;
        if (k + 1 >= length) {
          this.escaped = true;
          return -1;
        }
        k++;
      }
    }
    return -1;
  }

  /** The key read in parts (across chunks, or with escapes), decoded; undefined for a malformed escape. */
  private keyOfParts(): string | undefined {
    const raw = this.keyParts.length === 1 ? this.keyParts[0] : Buffer.concat(this.keyParts);
    this.keyParts = [];
    return decodeKey(raw);
  }

  private endKey(key: string | undefined): ShapeFault | undefined {
    const frame = this.stack[this.stack.length - 1];
    if (key === undefined) {
      // A malformed escape: JSON.parse names it; nothing more to check.
      this.gaveUp = true;
      return undefined;
    }
    if (FORBIDDEN_KEYS.has(key))
      return {
        kind: 'shape',
        field: fieldPath(this.stack, key),
        reason: 'is not allowed as a key (it names the object prototype)',
      };
    if (!remember(frame, key))
      return { kind: 'shape', field: fieldPath(this.stack, key), reason: 'appears more than once in its object' };
    if (keyCount(frame) > this.limits.objectKeys)
      return {
        kind: 'keys',
        field: containerPath(this.stack, this.stack.length - 1) || 'body',
        reason: `has more than ${this.limits.objectKeys} keys`,
      };
    frame.at = key;
    frame.expectKey = false;
    return undefined;
  }

  private stringTooLong(): ShapeFault {
    const field = this.stringIsKey ? containerPath(this.stack, this.stack.length - 1) : this.path();
    return { kind: 'string', field: field || 'body', reason: `is longer than ${this.limits.stringBytes} bytes` };
  }

  /** The pattern of a container opening at the current position. */
  private childPattern(): string {
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) return '';
    if (!parent.object) return (parent.itemPattern ??= `${parent.pattern}[]`);
    const key = Buffer.from(parent.at as string, 'latin1').toString('utf8');
    return parent.pattern === '' ? key : `${parent.pattern}.${key}`;
  }

  private path(): string {
    return this.stack.length === 0 ? '' : containerPath(this.stack, this.stack.length);
  }
}

/**
 * What JSON.parse would silently accept or fail on badly, in a whole body: bytes that are not
 * UTF-8 (decoding would turn them into U+FFFD), then `JsonShapeScanner`'s faults with the default
 * limits (or `maxDepth`). Undefined when none.
 */
export function jsonShapeFault(body: Buffer, maxDepth = MAX_JSON_DEPTH): ErrorDetail | undefined {
  if (!isUtf8(body)) return { field: 'body', reason: 'is not valid UTF-8' };
  const fault = new JsonShapeScanner({
    depth: maxDepth,
    stringBytes: Infinity,
    objectKeys: Infinity,
    arrays: {},
  }).write(body);
  return fault === undefined ? undefined : { field: fault.field, reason: fault.reason };
}

function keyCount(frame: Frame): number {
  const keys = frame.keys;
  return keys === undefined ? 0 : Array.isArray(keys) ? keys.length : keys.size;
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

/**
 * A key's identity: its UTF-8 bytes as a latin1 string (cheaper to make than a decoded string),
 * escapes resolved, so `"a"` and `"\u0061"` are the same key.
 */
function decodeKey(raw: Buffer): string | undefined {
  if (!raw.includes(BACKSLASH)) return raw.toString('latin1');
  try {
    const decoded = JSON.parse(`"${raw.toString('utf8')}"`) as string;
    return Buffer.from(decoded, 'utf8').toString('latin1');
  } catch {
    return undefined;
  }
}

/** `owners[1]` for the value being read in the innermost of the first `depth` frames. */
function containerPath(stack: Frame[], depth: number): string {
  let path = '';
  for (let d = 0; d < depth; d++) {
    const frame = stack[d];
    const at = frame.object ? Buffer.from(frame.at as string, 'latin1').toString('utf8') : String(frame.at);
    path = frame.object ? (path ? `${path}.${at}` : at) : `${path}[${at}]`;
  }
  return path;
}

/** `owners[1].account` for the key `account` in the object at the top of the stack. */
function fieldPath(stack: Frame[], key: string): string {
  const path = containerPath(stack, stack.length - 1);
  const name = Buffer.from(key, 'latin1').toString('utf8');
  return path ? `${path}.${name}` : name;
}
