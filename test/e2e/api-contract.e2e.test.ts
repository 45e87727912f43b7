import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, SHAPES, keysOf, type ContractTypeName, type RouteName, type RouteSpec } from '@upstream/api-contract';
import { startTestApp, type TestApp } from '../support/app';

/**
 * The wire contract (libs/api-contract) and the OpenAPI document the API serves at /docs/json
 * agree: every route of the table exists with its path parameters and query, and the request and
 * response schemas have exactly the contract types' keys, followed into nested types.
 */

interface Schema {
  $ref?: string;
  type?: string;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
}
interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** Operations the contract leaves out on purpose. */
const NOT_IN_CONTRACT = ['GET /health'];

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const pathParams = (path: string) => [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]).sort();

let api: TestApp;
let doc: OpenApiDocument;

beforeAll(async () => {
  api = await startTestApp();
  const res = await api.http.get('/docs/json');
  expect(res.status).toBe(200);
  doc = res.body as OpenApiDocument;
});

afterAll(async () => {
  await api?.close();
});

function resolve(schema: Schema): Schema {
  if (schema.$ref) return resolve(doc.components.schemas[schema.$ref.split('/').pop()!]);
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
  return schema;
}

/** The object schema a property holds: itself, its array items, or the one $ref among allOf/oneOf/anyOf. */
function objectSchemaOf(property: Schema): Schema | undefined {
  if (property.$ref) return resolve(property);
  if (property.type === 'array' && property.items) return objectSchemaOf(property.items);
  for (const option of [...(property.allOf ?? []), ...(property.oneOf ?? []), ...(property.anyOf ?? [])]) {
    const found = objectSchemaOf(option);
    if (found) return found;
  }
  return property.properties ? property : undefined;
}

/** Differences between a contract type and a schema, as readable lines (empty when they agree). */
function compare(name: ContractTypeName, schema: Schema, where: string, seen = new Set<string>()): string[] {
  const shape = SHAPES[name];
  if (shape === 'free-form' || seen.has(name)) return [];
  seen.add(name);
  const resolved = resolve(schema);
  const documented = Object.keys(resolved.properties ?? {}).sort();
  const declared = keysOf(shape);
  const problems: string[] = [];
  const missing = declared.filter((k) => !documented.includes(k));
  const extra = documented.filter((k) => !declared.includes(k));
  if (missing.length > 0) problems.push(`${where} (${name}): OpenAPI lacks ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`${where} (${name}): the contract lacks ${extra.join(', ')}`);
  for (const [key, field] of Object.entries(shape) as [string, true | ContractTypeName][]) {
    const property = resolved.properties?.[key];
    if (field === true || !property) continue;
    const nested = objectSchemaOf(property);
    if (!nested) problems.push(`${where}.${key} (${field}): OpenAPI does not describe its properties`);
    else problems.push(...compare(field, nested, `${where}.${key}`, seen));
  }
  return problems;
}

function jsonSchema(content: Record<string, { schema: Schema }> | undefined): Schema | undefined {
  return content ? Object.values(content)[0]?.schema : undefined;
}

describe('the API contract and the OpenAPI document', () => {
  it.each(Object.keys(ROUTES) as RouteName[])('%s agrees with OpenAPI', (route) => {
    const spec: RouteSpec = ROUTES[route];
    const where = `${spec.method} ${spec.path}`;
    const operation = doc.paths[openApiPath(spec.path)]?.[spec.method.toLowerCase()];
    expect(operation, `${where} is not in the OpenAPI document`).toBeDefined();

    const parameters = operation.parameters ?? [];
    expect(
      parameters
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort(),
      `${where}: path parameters`,
    ).toEqual(pathParams(spec.path));
    const query = parameters
      .filter((p) => p.in === 'query')
      .map((p) => p.name)
      .sort();
    expect(query, `${where}: query parameters`).toEqual(spec.query ? keysOf(SHAPES[spec.query]) : []);

    const problems: string[] = [];
    if (spec.body) {
      const body = jsonSchema(operation.requestBody?.content);
      if (!body) problems.push(`${where}: OpenAPI has no JSON request body`);
      else problems.push(...compare(spec.body, body, `${where} body`));
    }
    const status = String(spec.status ?? 200);
    expect(operation.responses[status], `${where}: no ${status} response`).toBeDefined();
    if (spec.response && SHAPES[spec.response] !== 'free-form') {
      const response = jsonSchema(operation.responses[status].content);
      if (!response) problems.push(`${where}: OpenAPI has no ${status} response body`);
      else problems.push(...compare(spec.response, response, `${where} ${status}`));
    }
    expect(problems).toEqual([]);
  });

  it('lists every documented operation', () => {
    const inContract = new Set(
      Object.values(ROUTES as Record<string, RouteSpec>).map((r) => `${r.method} ${openApiPath(r.path)}`),
    );
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.filter((op) => !inContract.has(op) && !NOT_IN_CONTRACT.includes(op)).sort()).toEqual([]);
  });
});
