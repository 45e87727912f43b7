import { applyDecorators, type HttpStatus } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from './error-codes';

/** A code a route may answer with, alone or with a note for the reader (`['RUN_CHUNK_OFFSET', 'meta expectedOffset']`). */
export type ApiErrorEntry = ErrorCode | readonly [ErrorCode, string];

/**
 * Documents the refusals a route (or every route of a controller) may answer with: one OpenAPI
 * response per HTTP status, each taken from the code's declaration, with the codes as the enum of
 * the body's `error`. Only declared codes compile, so the document cannot name a code the API lacks.
 */
export function ApiErrors(...entries: [ApiErrorEntry, ...ApiErrorEntry[]]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<HttpStatus, { codes: ErrorCode[]; lines: string[] }>();
  for (const entry of entries) {
    const [code, note] = typeof entry === 'string' ? [entry, undefined] : entry;
    const status = ERROR_CODES[code];
    const group = byStatus.get(status) ?? { codes: [], lines: [] };
    group.codes.push(code);
    group.lines.push(note ? `${code} (${note})` : code);
    byStatus.set(status, group);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, { codes, lines }]) =>
      ApiResponse({ status, description: lines.join(', '), schema: errorBodySchema(status, codes) }),
    ),
  );
}

/**
 * The one error shape, its `error` limited to `codes`. Some codes add fields their declaration's note
 * names (`offset`, `usedBytes`…), hence `additionalProperties`.
 */
export function errorBodySchema(status: HttpStatus, codes: ErrorCode[]) {
  return {
    type: 'object' as const,
    additionalProperties: true,
    required: ['statusCode', 'error', 'message', 'details'],
    properties: {
      statusCode: { type: 'integer' as const, enum: [status] },
      error: { type: 'string' as const, enum: codes },
      message: { type: 'string' as const },
      details: {
        type: 'array' as const,
        items: {
          type: 'object' as const,
          required: ['field', 'reason'],
          properties: { field: { type: 'string' as const }, reason: { type: 'string' as const } },
        },
      },
    },
  };
}
