import type { NextFunction, Request, Response } from 'express';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Checks every response the API sends against the OpenAPI document it serves: the status must be
 * documented for the operation, the content type must be one the operation lists, and a JSON body
 * must validate against its schema with `additionalProperties: false` on every object that does not
 * say otherwise, so a field the document lacks (or a stale one it still lists as required) is caught.
 * An Express middleware sees what every client sent (supertest, fetch, the CLI) and records problems;
 * the test app's close() fails with them.
 */

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class OpenApiResponseValidator {
  readonly problems: string[] = [];
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    if (!document.openapi.startsWith('3.1')) throw new Error(`expected OpenAPI 3.1, got ${document.openapi}`);
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    const schemas: Record<string, Schema> = {};
    for (const [name, schema] of Object.entries(document.components.schemas)) schemas[name] = closeObjects(schema);
    this.ajv.addSchema({ $id: 'openapi:components', $defs: schemas });
  }

  /** The Express middleware: install it before the routes. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      const keep = (chunk: unknown, encoding?: unknown) => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function' || size > MAX_BODY_BYTES) return;
        if (!isJson(String(res.getHeader('content-type') ?? ''))) return;
        const buffer = Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
        size += buffer.length;
        chunks.push(buffer);
      };
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      const end = res.end.bind(res) as (...args: unknown[]) => Response;
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        keep(chunk, rest[0]);
        return write(chunk, ...rest);
      }) as Response['write'];
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        keep(chunk, rest[0]);
        return end(chunk, ...rest);
      }) as Response['end'];
      res.once('finish', () => {
        try {
          this.check(req, res, size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks));
        } catch (error) {
          this.problems.push(`${req.method} ${req.originalUrl}: ${(error as Error).message}`);
        }
      });
      next();
    };
  }

  private check(req: Request, res: Response, body: Buffer | undefined): void {
    const route = (req.route as { path?: string } | undefined)?.path;
    if (!route) return; // no route answered (an unknown path, the tus server, /docs)
    const problem = this.checkResponse({
      method: req.method,
      path: (req.baseUrl + route).replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
      status: res.statusCode,
      contentType: String(res.getHeader('content-type') ?? ''),
      body,
    });
    if (problem) this.problems.push(problem);
  }

  /**
   * What is wrong with one response of the operation at `path` (OpenAPI's form, `/datasets/{id}`), if
   * anything; undefined also for an operation the document leaves out on purpose (tus).
   */
  checkResponse(response: {
    method: string;
    path: string;
    status: number;
    contentType: string;
    body: Buffer | undefined;
  }): string | undefined {
    const problem = this.problemOf(response);
    if (problem && process.env.OPENAPI_VALIDATE_DEBUG) process.stderr.write(`openapi: ${problem}\n`);
    return problem;
  }

  private problemOf({
    method: verb,
    path,
    status: code,
    contentType: header,
    body,
  }: {
    method: string;
    path: string;
    status: number;
    contentType: string;
    body: Buffer | undefined;
  }): string | undefined {
    const method = verb.toLowerCase();
    const operation = this.document.paths[path]?.[method === 'head' ? 'get' : method];
    if (!operation) return undefined;
    const where = `${verb.toUpperCase()} ${path}`;
    const status = String(code);
    const response = operation.responses[status] ?? operation.responses[`${status[0]}XX`];
    if (!response) return `${where} answered ${status}, which the document does not list`;
    const contentType = header.split(';')[0].trim().toLowerCase();
    if (status === '204' || status === '304' || method === 'head') return undefined;
    if (!response.content) {
      return contentType ? `${where} ${status}: sent ${contentType}, the document lists no content` : undefined;
    }
    const media = Object.entries(response.content).find(([type]) => type.toLowerCase() === contentType)?.[1];
    if (!media) {
      return `${where} ${status}: sent ${contentType || 'no content type'}, the document lists ${Object.keys(response.content).join(', ')}`;
    }
    if (!isJson(contentType) || !media.schema || body === undefined) return undefined;
    const validate = this.validatorFor(`${where} ${status} ${contentType}`, media.schema);
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (validate(value)) return undefined;
    const errors = (validate.errors ?? [])
      .slice(0, 5)
      .map(
        (e) =>
          `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}, got ${JSON.stringify(at(value, e.instancePath))?.slice(0, 80)}`,
      );
    return `${where} ${status}: the body disagrees with the document: ${errors.join('; ')}`;
  }

  private validatorFor(key: string, schema: Schema): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(closeObjects(schema));
      this.compiled.set(key, validate);
    }
    return validate;
  }
}

/** The part of `value` at a JSON pointer (ajv's `instancePath`). */
function at(value: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
}

function isJson(contentType: string): boolean {
  return /^application\/([\w.+-]+\+)?json\b/i.test(contentType);
}

/**
 * A copy of a schema whose objects with `properties` refuse other keys unless they say otherwise, and
 * whose references point at the components registered with ajv.
 */
function closeObjects(node: unknown): Schema {
  return close(node) as Schema;
}

function close(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(close);
  if (typeof node !== 'object' || node === null) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    // `properties` maps names to schemas; a property may be called `example` or `$ref`, so copy its names as they are.
    out[key] =
      key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, close(schema)]))
        : close(value);
  }
  if (typeof out.$ref === 'string' && out.$ref.startsWith('#/components/schemas/')) {
    out.$ref = `openapi:components#/$defs/${out.$ref.slice('#/components/schemas/'.length)}`;
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
