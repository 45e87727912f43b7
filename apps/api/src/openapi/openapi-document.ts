import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { ACCESS_EXTENSION, type AccessRule } from '../access/access.decorator';
import { errorBodySchema } from '../common/errors/api-errors.decorator';
import { ERROR_CODES, type ErrorCode } from '../common/errors/error-codes';
import type { AppConfig } from '../config/app-config';

/**
 * The OpenAPI 3.1 document of the API, served at /docs/json and linted by `npm run lint:openapi`.
 * @nestjs/swagger writes OpenAPI 3.0 from the decorators; this finishes it in one place: security from
 * each route's `@Access` rule, the refusals every route shares, and 3.0's `nullable` as 3.1 types.
 */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Upstream')
      .setDescription(
        'Royalty marketplace for AI training data: provenance of datasets, signed training-run manifests, ' +
          'and royalties split exactly and settled on-chain. Errors are `{ statusCode, error, message, details[] }`.',
      )
      .setVersion('0.1.0')
      .addServer(
        config.publicUrl ?? '/',
        config.publicUrl ? 'this service (PUBLIC_URL)' : 'the origin this document was fetched from',
      )
      .addSecurity(SESSION, {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'ups_s_…',
        description: 'A session token from `POST /auth/session` (Sign-In with Ethereum); holds every scope.',
      })
      .addSecurity(API_KEY, {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'ups_k_…',
        description:
          'An API key from `POST /auth/keys`, sent as `Authorization: Bearer ups_k_…`; a route needs the scope its requirement lists.',
      })
      .build(),
  );
  // A field typed by an alias (`Address`, `Bytes32`) carries no runtime type under some compilers (swc):
  // @nestjs/swagger then invents an empty `Object` schema. Give such a field's @ApiProperty a `type`.
  if (document.components?.schemas?.Object) {
    throw new Error('a DTO field documented as the empty `Object` schema: give its @ApiProperty a `type`');
  }
  document.openapi = '3.1.0';
  document.info.license = { name: 'MIT', identifier: 'MIT' } as OpenAPIObject['info']['license'];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      finishOperation(operation, `${method.toUpperCase()} ${path}`);
      // Every read carries an ETag (weak for JSON, the SHA-256 for bytes) and revalidates.
      if (method === 'get' && !operation.responses['304'])
        operation.responses['304'] = { description: 'Not modified: If-None-Match still matches the ETag (no body)' };
    }
  }
  return toOpenApi31(document) as OpenAPIObject;
}

const SESSION = 'session';
const API_KEY = 'apiKey';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  description?: string;
  parameters?: unknown[];
  requestBody?: { content?: Record<string, unknown> };
  responses: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
  [ACCESS_EXTENSION]?: AccessRule;
}
interface ResponseObject {
  description: string;
  content?: Record<string, { schema?: Schema }>;
}
type Schema = Record<string, unknown>;

/** Security from the route's access rule, and the refusals any route of that kind may answer with. */
function finishOperation(operation: Operation, where: string): void {
  const rule = operation[ACCESS_EXTENSION];
  if (!rule) throw new Error(`${where} has no @Access rule`);
  const codes: ErrorCode[] = [
    'CREDENTIAL_INVALID',
    'TOO_MANY_REQUESTS',
    'HEADERS_TOO_LARGE',
    'DATABASE_UNAVAILABLE',
    'CHAIN_UNAVAILABLE',
  ];
  switch (rule.kind) {
    case 'public':
      // Anyone; a credential, if sent, identifies the caller (an owner, a licensee).
      operation.security = [{}, { [SESSION]: [] }, { [API_KEY]: [] }];
      break;
    case 'account':
      operation.security = [{ [SESSION]: [] }, { [API_KEY]: [rule.scope] }];
      codes.push('UNAUTHENTICATED', 'SCOPE_REQUIRED');
      break;
    case 'session':
      operation.security = [{ [SESSION]: [] }];
      codes.push('UNAUTHENTICATED', 'SESSION_REQUIRED');
      break;
  }
  if ((operation.parameters?.length ?? 0) > 0 || operation.requestBody) codes.push('VALIDATION_FAILED');
  if (operation.requestBody?.content?.['application/json']) {
    codes.push('MALFORMED_BODY', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  }
  for (const code of codes) addErrorCode(operation, code);
  // A route that produces bytes still refuses in JSON: @ApiProduces applies to every response, so undo it for errors.
  for (const response of Object.values(operation.responses)) {
    const errorBody = Object.values(response.content ?? {}).find((media) => isErrorBody(media.schema))?.schema;
    if (errorBody) response.content = { 'application/json': { schema: errorBody } };
  }
}

function isErrorBody(schema: Schema | undefined): boolean {
  const properties = schema?.properties as Record<string, Schema> | undefined;
  return Array.isArray(properties?.error?.enum) && properties?.statusCode !== undefined;
}

/** Adds `code` to the error response of its status, creating it or joining the codes already listed there. */
function addErrorCode(operation: Operation, code: ErrorCode): void {
  const status = String(ERROR_CODES[code]);
  const existing = operation.responses[status];
  const schema = Object.values(existing?.content ?? {}).find((media) => isErrorBody(media.schema))?.schema as
    { properties?: { error?: { enum?: ErrorCode[] } } } | undefined;
  const codes = schema?.properties?.error?.enum;
  if (codes?.includes(code)) return;
  if (existing && !codes) return; // a status the route documents in its own words (health's 503 report)
  operation.responses[status] = {
    description: existing ? `${existing.description}, ${code}` : code,
    content: { 'application/json': { schema: errorBodySchema(ERROR_CODES[code], [...(codes ?? []), code]) } },
  };
}

/**
 * OpenAPI 3.0's `nullable` as JSON Schema 2020-12 (OpenAPI 3.1): `type: [T, 'null']`, and a nullable
 * `$ref` (which 3.0 cannot express: `nullable` beside `allOf` does not admit null) as `anyOf` with null.
 */
function toOpenApi31(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOpenApi31);
  if (typeof node !== 'object' || node === null) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) out[key] = toOpenApi31(value);
  if (out.nullable !== true) {
    if (out.nullable === false) delete out.nullable;
    return out;
  }
  delete out.nullable;
  const reference: unknown = out.$ref
    ? { $ref: out.$ref }
    : Array.isArray(out.allOf) && out.allOf.length === 1
      ? out.allOf[0]
      : undefined;
  if (reference) {
    const { description, example } = out;
    return {
      ...(description ? { description } : {}),
      ...(example !== undefined ? { example } : {}),
      anyOf: [reference, { type: 'null' }],
    };
  }
  if (typeof out.type !== 'string') throw new Error(`a nullable schema without a type: ${JSON.stringify(node)}`);
  if (out.type === 'object' && !out.properties && !out.additionalProperties) {
    throw new Error(`a nullable field documented as a bare object (give @ApiProperty a type): ${JSON.stringify(node)}`);
  }
  out.type = [out.type, 'null'];
  if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  return out;
}
