// Generative requests for every operation of the OpenAPI document the API serves (issue 12): valid,
// boundary and hostile values for path and query parameters, JSON body fields and the body itself,
// sent as raw HTTP so malformed bytes reach the server. Free of vitest, so a benchmark can use it.
import http from 'node:http';
import fc from 'fast-check';

export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  example?: unknown;
  default?: unknown;
  format?: string;
  nullable?: boolean;
}
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
export interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  security?: Record<string, string[]>[];
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** One operation of the document: `GET /datasets/{id}`. */
export interface OperationRef {
  key: string;
  method: string;
  path: string;
  operation: Operation;
  /** The document asks for credentials: it has requirements and none is the empty one (`{}`: credentials optional). */
  secured: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export function operationsOf(doc: OpenApiDocument): OperationRef[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        operation,
        secured:
          (operation.security ?? []).length > 0 &&
          (operation.security ?? []).every((requirement) => Object.keys(requirement).length > 0),
      })),
  );
}

/**
 * The schema behind `$ref`s and one-element `allOf`s. An object schema without properties (the
 * document's stand-in for a value type it cannot describe yet) becomes `{}`: any value.
 */
export function resolveSchema(doc: OpenApiDocument, schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) {
    const target = doc.components.schemas[schema.$ref.split('/').pop()!];
    return resolveSchema(doc, { ...target, example: schema.example ?? target?.example });
  }
  if (schema.allOf?.length === 1) return resolveSchema(doc, { ...schema.allOf[0], example: schema.example });
  if (schema.type === 'object' && !schema.properties) return { example: schema.example };
  if (schema.type === 'object' && Object.keys(schema.properties ?? {}).length === 0) return { example: schema.example };
  return schema;
}

/** A marker a value carries to be written into the raw request as is (after JSON or URL encoding). */
const RAW = '\uE000raw:';
const RAW_END = '\uE000';
export const raw = (text: string): string => `${RAW}${text}${RAW_END}`;
const RAW_IN_JSON = /"\uE000raw:((?:[^\uE000])*)\uE000"/g;
const RAW_IN_TEXT = /\uE000raw:((?:[^\uE000])*)\uE000/g;

/** A generated value and whether it is certainly invalid for its schema (so a refusal must name it). */
export interface Slot {
  value: unknown;
  invalid: boolean;
  /** Drawn hostile or missing (rather than valid). */
  faulty: boolean;
}

const TWO_256 = (1n << 256n).toString();
const UINT256_MAX = ((1n << 256n) - 1n).toString();

/** Strings no field should choke on: encodings, control characters, sizes, numbers that are not. */
const hostileStrings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\u0007\u001b[31m',
    '\u0085',
    '\u2028\u2029',
    '\u202e',
    '\ud800',
    'a\udc00b',
    '\ufeff',
    '\ufffd',
    '💥',
    '-1',
    '-0',
    '0',
    '1.5',
    '1e20',
    '1e400',
    'NaN',
    'Infinity',
    '0x10',
    '+1',
    ' 1',
    '1 ',
    '2147483648',
    '9007199254740993',
    TWO_256,
    UINT256_MAX,
    'true',
    'null',
    '[]',
    '{}',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    '%00',
    "' OR 1=1 --",
    'javascript:alert(1)',
    '0x' + '00'.repeat(32),
    '0x' + 'ff'.repeat(32),
    '0x' + '0'.repeat(40),
    '0X' + 'AB'.repeat(20),
    '0x' + 'zz'.repeat(32),
  ),
  fc.constantFrom(8, 255, 256, 4097, 70_000).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 40 }),
);

/** JSON values of every kind, the numbers among them out of every range. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileStrings, weight: 4 },
  {
    arbitrary: fc.constantFrom(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      -0.5,
      1e20,
      2 ** 31,
      2 ** 53,
      2 ** 256,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      raw('1e400'),
      raw('-0'),
      raw(TWO_256),
      raw('-' + TWO_256),
    ),
    weight: 3,
  },
  {
    arbitrary: fc.constantFrom<unknown>(
      [],
      {},
      [null],
      [''],
      { __proto__: null },
      JSON.parse('{"__proto__":{"polluted":1}}'),
      { constructor: { prototype: { polluted: 1 } } },
      Array.from({ length: 5000 }, () => 1),
      Array.from({ length: 1000 }, () => 'ab'.repeat(32)),
      nested(30),
    ),
    weight: 2,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
);

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** A value for `schema` that its type allows (from its example, enum and range when it has them). */
export function validValue(schema: Schema, known: unknown): fc.Arbitrary<unknown> {
  if (known !== undefined) return fc.constant(known);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const options: fc.Arbitrary<unknown>[] = [];
  if (schema.example !== undefined) options.push(fc.constant(schema.example));
  switch (schema.type) {
    case 'number':
    case 'integer': {
      // Without a declared range, small numbers (a range the document does not state is not a fault to draw).
      const min = schema.minimum ?? 0;
      const max = Math.min(schema.maximum ?? min + 1000, Number.MAX_SAFE_INTEGER);
      options.push(fc.constantFrom(min, max), fc.integer({ min, max }));
      break;
    }
    case 'boolean':
      options.push(fc.boolean());
      break;
    case 'string':
      options.push(fc.string({ minLength: 1, maxLength: 20 }));
      break;
    case 'array':
      options.push(fc.array(validValue(schema.items ?? {}, undefined), { maxLength: 3 }));
      break;
    default:
      if (options.length === 0) options.push(fc.string({ maxLength: 20 }));
  }
  return fc.oneof(...options);
}

/** Whether `value` is certainly refused by `schema` (its type, enum or range); uncertain answers false. */
export function certainlyInvalid(schema: Schema, value: unknown, required: boolean, inQuery: boolean): boolean {
  if (value === undefined) return required;
  if (inQuery) {
    if (typeof value !== 'string') return false;
    if (value === '') return false; // an empty parameter may read as absent
    if (schema.enum) return !schema.enum.includes(value);
    if (schema.type === 'number' || schema.type === 'integer') {
      if (!/^[0-9]+$/.test(value)) return true;
      const n = Number(value);
      return (
        (schema.minimum !== undefined && n < schema.minimum) || (schema.maximum !== undefined && n > schema.maximum)
      );
    }
    return false;
  }
  if (value === null) return required;
  if (typeof value === 'string' && value.startsWith(RAW)) return false;
  if (schema.enum) return !schema.enum.includes(value);
  switch (schema.type) {
    case 'string':
      // uint256 strings also take safe JSON integers: a number is not certainly wrong.
      return typeof value === 'boolean' || typeof value === 'object';
    case 'number':
    case 'integer':
      if (typeof value !== 'number') return true;
      return (
        (schema.minimum !== undefined && value < schema.minimum) ||
        (schema.maximum !== undefined && value > schema.maximum)
      );
    case 'boolean':
      return typeof value !== 'boolean';
    case 'array':
      return !Array.isArray(value);
    case 'object':
      return schema.properties !== undefined && (typeof value !== 'object' || Array.isArray(value));
    default:
      return false;
  }
}

/** A parameter or body field: valid most of the time, hostile otherwise. */
export function slotFor(
  schema: Schema,
  known: unknown,
  required: boolean,
  inQuery: boolean,
): fc.Arbitrary<Slot | undefined> {
  const valid = validValue(schema, known).map((value) => ({
    value: inQuery ? asText(value) : value,
    invalid: false,
    faulty: false,
  }));
  const hostile = (inQuery ? queryHostile : hostileJson).map((value) => ({
    value,
    invalid: certainlyInvalid(schema, value, required, inQuery),
    faulty: true,
  }));
  const absent = fc.constant(required ? { value: undefined, invalid: true, faulty: true } : undefined);
  return fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: hostile, weight: 3 }, { arbitrary: absent, weight: 1 });
}

/** Query and path values: hostile strings, and percent-escapes that are not UTF-8 or not escapes at all. */
const queryHostile: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileStrings, weight: 4 },
  {
    arbitrary: fc.constantFrom(raw('%FF'), raw('%C0%80'), raw('%ED%A0%80'), raw('%'), raw('%zz'), raw('%2')),
    weight: 1,
  },
);

/** The parts of a request: everything a case may vary. */
export interface FuzzRequest {
  method: string;
  /** The path with its parameters filled in, percent-encoded (raw escapes kept). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Where certainly invalid values sit (`offset`, `owners[0].shareBps`, `body`), for the refusal to name. */
  invalid: string[];
  /** Every name the request carries (parameters, body keys), which a 400's `details` may name. */
  names: string[];
  /** Where values were drawn hostile or left out (certainly invalid or not). */
  faulty: string[];
  describe: string;
}

/** Percent-encodes a value byte by byte, keeping raw escapes as they are. */
export function encodeComponent(value: string): string {
  return value
    .split(RAW_IN_TEXT)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : [...Buffer.from(part, 'utf8')]
            .map((b) =>
              /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
                ? String.fromCharCode(b)
                : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
            )
            .join(''),
    )
    .join('');
}

/** JSON text with raw markers written as is, and invalid UTF-8 spliced in where a marker asks for bytes. */
export function serializeBody(value: unknown, mutation: BodyMutation): Buffer {
  let text = JSON.stringify(value) ?? 'null';
  if (mutation.kind === 'duplicate-key' && text.startsWith('{"')) {
    const key = /^\{"((?:[^"\\]|\\.)*)":/.exec(text)?.[1];
    if (key !== undefined) text = `{"${key}":1,${text.slice(1)}`;
  }
  if (mutation.kind === 'wrap-deep') text = '['.repeat(mutation.depth) + text + ']'.repeat(mutation.depth);
  text = text.replace(RAW_IN_JSON, (_, inner: string) => inner);
  const buffer = Buffer.from(text, 'utf8');
  if (mutation.kind === 'invalid-utf8') {
    const at = buffer.indexOf('"', Math.floor(buffer.length / 2));
    if (at >= 0) return Buffer.concat([buffer.subarray(0, at), Buffer.from(mutation.bytes), buffer.subarray(at)]);
  }
  return buffer;
}

export type BodyMutation =
  | { kind: 'none' }
  | { kind: 'duplicate-key' }
  | { kind: 'invalid-utf8'; bytes: number[] }
  | { kind: 'wrap-deep'; depth: number }
  | { kind: 'extra-key'; key: string; value: unknown }
  | { kind: 'replace'; text: string }
  | { kind: 'top-level'; value: unknown };

export const bodyMutations: fc.Arbitrary<BodyMutation> = fc.oneof(
  { arbitrary: fc.constant<BodyMutation>({ kind: 'none' }), weight: 12 },
  { arbitrary: fc.constant<BodyMutation>({ kind: 'duplicate-key' }), weight: 1 },
  {
    arbitrary: fc
      .constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80])
      .map((bytes): BodyMutation => ({ kind: 'invalid-utf8', bytes: [...bytes] })),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(31, 33, 500).map((depth): BodyMutation => ({ kind: 'wrap-deep', depth })),
    weight: 1,
  },
  {
    arbitrary: fc
      .record({ key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'unknownField', ''), value: hostileJson })
      .map(({ key, value }): BodyMutation => ({ kind: 'extra-key', key, value })),
    weight: 2,
  },
  {
    arbitrary: fc
      .constantFrom(
        '',
        '{',
        '{"a":',
        'nul\u0000l',
        '{}}',
        '[1,]',
        '{"a":1,}',
        "{'a':1}",
        '\ufeff{}',
        'NaN',
        '1'.repeat(400),
      )
      .map((text): BodyMutation => ({ kind: 'replace', text })),
    weight: 1,
  },
  {
    arbitrary: fc
      .constantFrom<unknown>(null, 1, 'text', [], [{}], true)
      .map((value): BodyMutation => ({ kind: 'top-level', value })),
    weight: 1,
  },
);

/** Content types a JSON route may be sent (the right one most of the time). */
export const jsonContentTypes = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 12 },
  {
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16le',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/merge-patch+json',
      'application/*',
      '*/*',
      'json',
      '',
      ';;;',
    ),
    weight: 3,
  },
);

/** Headers a case may add: ranges, conditionals, encodings. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 8 },
  {
    arbitrary: fc
      .constantFrom(
        'bytes=0-0',
        'bytes=5-1',
        'bytes=-0',
        'bytes=0-',
        'bytes=99999999999999999999-',
        'bytes=a-b',
        'bytes=0-1,2-3,0-1',
        'items=0-1',
        'bytes=' + '0-0,'.repeat(300) + '0-0',
      )
      .map((range) => ({ range })),
    weight: 1,
  },
  {
    arbitrary: fc
      .constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip')
      .map((encoding) => ({ 'content-encoding': encoding })),
    weight: 1,
  },
  {
    arbitrary: fc
      .constantFrom('"x"', '*', 'W/"' + 'a'.repeat(2000) + '"', '')
      .map((etag) => ({ 'if-none-match': etag })),
    weight: 1,
  },
);

/** Authorization values that are not credentials. */
export const hostileAuthorization = fc.constantFrom(
  'Bearer',
  'Bearer ',
  'Bearer x',
  'Basic dXNlcjpwYXNz',
  'Bearer ' + 'a'.repeat(5000),
  'Bearer up_' + '0'.repeat(64),
  'bearer  \t',
);

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Sends a request byte for byte (no client-side serialization, no redirects). */
export function send(baseUrl: string, req: Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'>) {
  return new Promise<RawResponse>((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    const request = http.request(`${baseUrl}${req.path}`, { method: req.method, headers, agent: false });
    request.setTimeout(30_000, () => request.destroy(new Error(`timed out: ${req.method} ${req.path}`)));
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    request.on('error', reject);
    request.end(req.body);
  });
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details: { field: string; reason: string }[];
}

/**
 * Why a refusal is not in the one error shape, or does not name the field at fault (undefined when it
 * is fine). A 400 must name, in `details`, a part the request carried: a parameter, a body key path,
 * one of the certainly invalid ones when there are any, or the body, a header or the request itself.
 */
export function refusalProblem(req: FuzzRequest, res: RawResponse): string | undefined {
  if (!/^application\/json/.test(String(res.headers['content-type'])))
    return `not JSON: ${res.headers['content-type']}`;
  let body: ErrorBody;
  try {
    body = JSON.parse(res.text) as ErrorBody;
  } catch {
    return 'a body that does not parse';
  }
  if (body.statusCode !== res.status) return `statusCode ${body.statusCode} in a ${res.status}`;
  if (typeof body.error !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(body.error)) return 'no error code';
  if (typeof body.message !== 'string' || body.message === '') return 'no message';
  if (!Array.isArray(body.details)) return 'no details';
  if (body.details.some((d) => typeof d?.field !== 'string' || d.field === '' || typeof d.reason !== 'string'))
    return 'a detail without field or reason';
  if (res.status !== 400) return undefined;
  if (body.details.length === 0) return 'a 400 naming no field';
  const fields = body.details.map((d) => d.field);
  const names = (candidates: string[]) =>
    fields.some((field) =>
      candidates.some(
        (name) =>
          field === name ||
          field.startsWith(`${name}.`) ||
          field.startsWith(`${name}[`) ||
          name.startsWith(`${field}.`) ||
          name.startsWith(`${field}[`),
      ),
    );
  // Where several values are hostile, the refusal may name another of them than the certainly invalid one.
  if (body.error === 'VALIDATION_FAILED' && req.invalid.length > 0 && !names(req.invalid) && !names(req.faulty))
    return `names ${fields.join(', ')} but not the invalid ${req.invalid.join(', ')}`;
  const generic = ['body', 'request', 'path', 'query', 'headers', 'Content-Type', 'Content-Encoding', 'Content-Length'];
  const headerNames = Object.keys(req.headers);
  const known = [...req.names, ...generic];
  if (!names(known) && !fields.some((f) => headerNames.includes(f.toLowerCase())))
    return `names ${fields.join(', ')}, which the request does not carry`;
  return undefined;
}

/** Values that exist in the fixtures, by parameter or field name and operation path (a dataset id, an address). */
export type KnownValue = (name: string, path: string, where: 'path' | 'query' | 'body') => unknown;

interface Field {
  present: boolean;
  value: unknown;
  invalid: string[];
  names: string[];
  /** The fields drawn hostile or missing. */
  faulty: string[];
}

const at = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

/** A body field (or a whole object under `prefix`): valid, nested, hostile or missing. */
function fieldArb(
  doc: OpenApiDocument,
  raw: Schema | undefined,
  name: string,
  required: boolean,
  lookup: (name: string) => unknown,
  depth: number,
): fc.Arbitrary<Field> {
  const { valid, faulty } = fieldParts(doc, raw, name, required, lookup, depth);
  return fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: faulty, weight: 1 });
}

/** A field's valid values (the known one, or built from its schema) and its faulty ones (hostile or missing). */
function fieldParts(
  doc: OpenApiDocument,
  raw: Schema | undefined,
  name: string,
  required: boolean,
  lookup: (name: string) => unknown,
  depth: number,
): { valid: fc.Arbitrary<Field>; faulty: fc.Arbitrary<Field> } {
  const schema = resolveSchema(doc, raw);
  const known = name ? lookup(name) : undefined;
  let structural: fc.Arbitrary<Field> | undefined;
  if (schema.properties && depth < 3) {
    structural = objectArb(doc, schema, name, lookup, depth + 1);
  } else if (schema.type === 'array' && depth < 3) {
    const items = resolveSchema(doc, schema.items);
    structural = fc.array(fieldArb(doc, items, '', true, lookup, depth + 1), { maxLength: 2 }).map((elements) => ({
      present: true,
      value: elements.map((e) => e.value),
      invalid: elements.flatMap((e, i) =>
        e.invalid.map((p) => `${name}[${i}]${p && !p.startsWith('[') ? '.' : ''}${p}`),
      ),
      names: [name, ...elements.flatMap((e, i) => e.names.map((p) => `${name}[${i}].${p}`))],
      faulty: elements.flatMap((e, i) => e.faulty.map((p) => `${name}[${i}]${p && !p.startsWith('[') ? '.' : ''}${p}`)),
    }));
  }
  const plain = validValue(schema, known).map((value): Field => ({
    present: true,
    value,
    invalid: [],
    names: [name],
    faulty: [],
  }));
  // A known value (signed, or in the fixtures) reaches deepest; its structure is varied now and then.
  const valid =
    structural === undefined
      ? plain
      : known === undefined
        ? structural
        : fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: structural, weight: 1 });
  const hostile = hostileJson.map((value): Field => ({
    present: true,
    value,
    invalid: certainlyInvalid(schema, value, required, false) ? [name] : [],
    names: [name],
    faulty: [name],
  }));
  const absent = fc.constant<Field>({
    present: false,
    value: undefined,
    invalid: required ? [name] : [],
    names: [],
    faulty: [name],
  });
  return { valid, faulty: fc.oneof({ arbitrary: hostile, weight: 3 }, { arbitrary: absent, weight: 1 }) };
}

/**
 * An object from its schema: either every field drawn on its own, or all valid but one, so that a
 * single fault meets the route's deeper rules (signatures, ownership, storage) and not only the DTO.
 */
function objectArb(
  doc: OpenApiDocument,
  schema: Schema,
  prefix: string,
  lookup: (name: string) => unknown,
  depth: number,
): fc.Arbitrary<Field> {
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {});
  const parts = entries.map(([name, property]) => fieldParts(doc, property, name, required.has(name), lookup, depth));
  const combine = (generated: Field[]): Field => {
    const value: Record<string, unknown> = {};
    const invalid: string[] = [];
    const names: string[] = prefix ? [prefix] : [];
    const faulty: string[] = [];
    generated.forEach((field, i) => {
      if (field.present) value[entries[i][0]] = field.value;
      invalid.push(...field.invalid.map((p) => at(prefix, p)));
      names.push(...field.names.map((p) => at(prefix, p)));
      faulty.push(...field.faulty.map((p) => at(prefix, p)));
    });
    return { present: true, value, invalid, names, faulty };
  };
  const free = fc
    .tuple(...parts.map((p) => fc.oneof({ arbitrary: p.valid, weight: 3 }, { arbitrary: p.faulty, weight: 1 })))
    .map(combine);
  if (parts.length === 0) return free;
  const focused = fc
    .tuple(
      fc.integer({ min: -1, max: parts.length - 1 }),
      fc.tuple(...parts.map((p) => p.valid)),
      fc.tuple(...parts.map((p) => p.faulty)),
    )
    .map(([fault, valid, faulty]) => combine(valid.map((field, i) => (i === fault ? faulty[i] : field))));
  return fc.oneof({ arbitrary: free, weight: 1 }, { arbitrary: focused, weight: 2 });
}

/** A value as it goes into a URL: strings as they are, anything else as its JSON. */
const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

/** The key paths a JSON value carries (`owners`, `owners[0].account`), a few levels deep. */
function keyPaths(value: unknown, prefix = '', depth = 0): string[] {
  if (depth > 4 || typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value)
    ? value.slice(0, 3).map((v, i) => [`[${i}]`, v] as const)
    : Object.entries(value as Record<string, unknown>);
  return entries.flatMap(([key, child]) => {
    const path = key.startsWith('[') ? `${prefix}${key}` : prefix ? `${prefix}.${key}` : key;
    return [path, ...keyPaths(child, path, depth + 1)];
  });
}

/**
 * Every request a case may send to `op`, without credentials: path and query parameters, a JSON body
 * from its schema (or bytes for a binary body), its content type, body-level faults and extra headers.
 */
export function requestArb(doc: OpenApiDocument, op: OperationRef, known: KnownValue): fc.Arbitrary<FuzzRequest> {
  const params = op.operation.parameters ?? [];
  const paramArbs = params
    .filter((p) => p.in === 'path' || p.in === 'query')
    .map((p) => {
      const schema = resolveSchema(doc, p.schema);
      const required = p.in === 'path' || p.required === true;
      const value = known(p.name, op.path, p.in as 'path' | 'query');
      const slot = slotFor(schema, value === undefined ? undefined : asText(value), required, true);
      const repeat = fc.oneof(
        { arbitrary: fc.constant(0), weight: 12 },
        { arbitrary: fc.constantFrom(1, 2), weight: 1 },
      );
      return fc.tuple(slot, repeat).map(([s, repeated]) => ({ param: p, slot: s, repeated }));
    });
  const content = op.operation.requestBody?.content ?? {};
  const jsonSchema = content['application/json']?.schema;
  const binary = content['application/octet-stream'] !== undefined;
  type Body = {
    body?: Buffer;
    contentType?: string;
    invalid: string[];
    names: string[];
    faulty: string[];
    note: string;
  };
  const none: Body = { invalid: [], names: [], faulty: [], note: 'no body' };
  const body: fc.Arbitrary<Body> = jsonSchema
    ? fc
        .tuple(
          fieldArb(
            doc,
            jsonSchema,
            '',
            op.operation.requestBody?.required ?? true,
            (name) => known(name, op.path, 'body'),
            0,
          ),
          bodyMutations,
          jsonContentTypes,
        )
        .map(([field, mutation, contentType]) => {
          let value = field.present ? field.value : undefined;
          let invalid = field.invalid.filter((p) => p !== '');
          let names = field.names;
          let faulty = field.faulty;
          if (mutation.kind === 'extra-key' && value && typeof value === 'object' && !Array.isArray(value)) {
            value = { ...value, [mutation.key]: mutation.value };
            const key = mutation.key === '' ? '[""]' : mutation.key;
            invalid = [...invalid, key];
            names = [...names, key];
            faulty = [...faulty, key];
          }
          if (mutation.kind === 'top-level') value = mutation.value;
          const bytes =
            mutation.kind === 'replace'
              ? Buffer.from(mutation.text, 'utf8')
              : value === undefined
                ? Buffer.alloc(0)
                : serializeBody(value, mutation);
          // Faults in the body's shape, or a body that is not an object, are refused before its fields are read.
          if (mutation.kind !== 'none' && mutation.kind !== 'extra-key') invalid = [];
          if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid = [];
          return {
            body: bytes,
            contentType,
            invalid,
            names: [...names, ...keyPaths(value)],
            faulty,
            note: mutation.kind,
          };
        })
    : binary
      ? fc
          .tuple(
            fc.uint8Array({ maxLength: 64 }),
            fc.oneof(
              { arbitrary: fc.constant('application/octet-stream'), weight: 6 },
              {
                arbitrary: fc.constantFrom('application/json', 'text/plain', '', 'multipart/form-data; boundary=x'),
                weight: 1,
              },
            ),
          )
          .map(([bytes, contentType]) => ({
            body: Buffer.from(bytes),
            contentType,
            invalid: [],
            names: [],
            faulty: [],
            note: 'bytes',
          }))
      : op.method === 'GET' || op.method === 'HEAD'
        ? fc.constant(none)
        : fc.oneof(
            { arbitrary: fc.constant(none), weight: 4 },
            {
              arbitrary: fc.constantFrom('{}', '{"x":1}', '[]', '{"a":1,"a":2}').map((text) => ({
                body: Buffer.from(text),
                contentType: 'application/json',
                invalid: [],
                names: ['x', 'a'],
                faulty: [],
                note: 'unexpected body',
              })),
              weight: 1,
            },
          );
  return fc.tuple(fc.tuple(...paramArbs), body, extraHeaders).map(([slots, b, extra]) => {
    let path = op.path;
    const query: string[] = [];
    const invalid: string[] = [...b.invalid];
    const faulty: string[] = [...b.faulty];
    // A refusal may name any field of the body's schema: those sent, and those missing.
    const names: string[] = [...b.names, ...Object.keys(resolveSchema(doc, jsonSchema).properties ?? {})];
    for (const { param, slot, repeated } of slots) {
      names.push(param.name);
      if (slot?.faulty || repeated > 0) faulty.push(param.name);
      if (param.in === 'path') {
        const value = slot?.value === undefined ? '' : asText(slot.value);
        path = path.replace(`{${param.name}}`, encodeComponent(value));
        // An empty segment may well route elsewhere (`/datasets/` is the catalogue).
        if (slot?.invalid && value !== '') invalid.push(param.name);
        continue;
      }
      if (!slot || slot.value === undefined) {
        if (slot?.invalid) invalid.push(param.name);
        continue;
      }
      const encoded = encodeComponent(asText(slot.value));
      if (repeated === 2) query.push(`${param.name}%5B%5D=${encoded}`);
      else query.push(`${param.name}=${encoded}`);
      if (repeated === 1) query.push(`${param.name}=${encoded}`);
      // Repeated, or in brackets, a parameter reads as an array where the document has a scalar.
      if (repeated > 0 || slot.invalid) invalid.push(param.name);
    }
    const headers: Record<string, string> = { ...extra };
    if (b.contentType !== undefined && b.body !== undefined) headers['content-type'] = b.contentType;
    const url = query.length ? `${path}?${query.join('&')}` : path;
    const shown = b.body ? b.body.subarray(0, 2000).toString('utf8') : '';
    return {
      method: op.method,
      path: url,
      headers,
      body: b.body,
      invalid,
      names,
      faulty,
      describe: `${op.method} ${url.slice(0, 400)} [${b.note}] ${JSON.stringify(headers)} ${shown}`,
    };
  });
}
