import express, { type RequestHandler } from 'express';
import { requestError } from '../errors/common.errors';
import { DomainError } from '../errors/domain-error';
import { jsonShapeFault, MAX_JSON_DEPTH } from './json-shape';

export interface JsonBodyOptions {
  /** Largest body accepted, in bytes or as body-parser reads it (`'64mb'`). */
  limit: number | string;
  maxDepth?: number;
}

/**
 * The one JSON body parser (application/json only; other bodies are left for the route's content
 * type check). Before JSON.parse builds anything it refuses bodies that are not UTF-8, nest too
 * deep or repeat a key (`jsonShapeFault`); its own refusals (malformed JSON, too large, another
 * charset or encoding) come out as domain errors, so they render in the one error shape naming
 * `body`, `Content-Type` or `Content-Encoding`.
 */
export function jsonBodyParser({ limit, maxDepth = MAX_JSON_DEPTH }: JsonBodyOptions): RequestHandler {
  const parse = express.json({
    limit,
    strict: true,
    verify: (_req, _res, buf, encoding) => {
      if (encoding !== 'utf-8')
        throw new BodyRefusal(
          requestError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type', `charset ${encoding} is not supported: send UTF-8`),
        );
      const fault = jsonShapeFault(buf, maxDepth);
      if (fault) throw new BodyRefusal(requestError('MALFORMED_BODY', fault.field, fault.reason));
    },
  });
  // Named so Nest does not add its own JSON parser beside this one.
  return function jsonParser(req, res, next) {
    parse(req, res, (error?: unknown) => next(error === undefined ? undefined : bodyParserError(error)));
  };
}

/**
 * A refusal thrown from body-parser's `verify`. body-parser stamps a status (403) onto what `verify`
 * throws, which would make Nest read it as an HTTP error: the domain error travels inside instead.
 */
class BodyRefusal extends Error {
  constructor(readonly refusal: DomainError) {
    super(refusal.message);
  }
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  charset?: string;
  encoding?: string;
  message?: string;
}

/** body-parser's refusals as domain errors; anything else (a server fault) goes on unchanged. */
export function bodyParserError(error: unknown): unknown {
  if (error instanceof BodyRefusal) return error.refusal;
  if (typeof error !== 'object' || error === null) return error;
  const { type, limit, charset, encoding, message } = error as BodyParserError;
  switch (type) {
    case 'entity.parse.failed':
      return requestError('MALFORMED_BODY', 'body', `is not valid JSON (${message ?? 'parse error'})`);
    case 'entity.too.large':
      return requestError('BODY_TOO_LARGE', 'body', `is larger than the ${limit ?? '?'} bytes allowed`);
    case 'charset.unsupported':
      return requestError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Content-Type',
        `charset ${charset ?? '?'} is not supported: send UTF-8`,
      );
    case 'encoding.unsupported':
      return requestError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Content-Encoding',
        `${encoding ?? '?'} is not supported (identity, gzip, deflate or br)`,
      );
    case 'request.aborted':
      return requestError('MALFORMED_BODY', 'body', 'ended before its Content-Length');
    case 'request.size.invalid':
      return requestError('MALFORMED_BODY', 'body', 'does not match its Content-Length');
    default:
      return error;
  }
}
