import type { Request } from 'express';

const RAW_JSON_BODY = Symbol('upstream:raw-json-body');

/** Keeps the bytes a JSON body was parsed from on its request (`jsonBodyParser`). */
export function keepRawJsonBody(req: Request, raw: Buffer): void {
  (req as Request & { [RAW_JSON_BODY]?: Buffer })[RAW_JSON_BODY] = raw;
}

export interface JsonBodySource {
  /** The bytes as received (after Content-Encoding), for work done off the event loop. */
  raw: Buffer | undefined;
  /** The parsed body before any DTO transformation. */
  parsed: unknown;
}

/** The request's JSON body as bytes and as parsed, for a field read outside the DTO. */
export function jsonBodySource(req: Request): JsonBodySource {
  return { raw: (req as Request & { [RAW_JSON_BODY]?: Buffer })[RAW_JSON_BODY], parsed: req.body as unknown };
}
