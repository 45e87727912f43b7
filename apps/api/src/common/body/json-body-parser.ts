import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';
import { requestError } from '../errors/common.errors';
import { BodyBufferCollector } from '../memory/body-buffer-collector';
import { DomainError, isDomainError } from '../errors/domain-error';
import { keepRawJsonBody } from './raw-json-body';
import { JsonShapeScanner, type ShapeFault } from './json-shape';
import { DEFAULT_ROUTE_LIMITS, OFF_LOOP_BODY_BYTES, type RouteLimits, type RouteLimitsLookup } from './request-limits';

export interface JsonBodyOptions {
  /** The limits of each route (`request-limits.ts`); the default limits for every route when absent. */
  limitsFor?: RouteLimitsLookup;
  /** Called with each refusal made while the body streamed in (counts for tests and the bench). */
  onRefusal?: (refusal: DomainError) => void;
}

/** Counts of what the reader refused before JSON.parse, since start: read by tests and the bench. */
export const bodyReaderStats = { refusedWhileStreaming: 0, refusedByLength: 0, parsed: 0 };

/**
 * The one JSON body reader (application/json only; other bodies are left for the route's content
 * type check). It applies the route's limits (`request-limits.ts`) before anything is built: a
 * Content-Length past the byte limit is refused without reading; otherwise the body is scanned as
 * it streams in (`JsonShapeScanner`: depth, array lengths, keys per object, string lengths,
 * repeated and prototype keys) and refused at the first fault; the rest is dropped unread by
 * anything (`refuseEarly`). Only a body that passes is checked for UTF-8 and handed to JSON.parse. Every refusal is a
 * domain error in the one error shape naming `body`, the field, `Content-Type` or `Content-Encoding`.
 */
export function jsonBodyParser({ limitsFor, onRefusal }: JsonBodyOptions = {}): RequestHandler {
  // Named so Nest does not add its own JSON parser beside this one.
  return function jsonParser(req, res, next) {
    if (!hasBody(req) || !req.is('application/json')) return next();
    const limits = limitsFor?.(req.method, req.path) ?? DEFAULT_ROUTE_LIMITS;
    readJsonBody(req, res, limits).then(
      (body) => {
        req.body = body;
        bodyReaderStats.parsed++;
        next();
      },
      (error: unknown) => {
        if (isDomainError(error)) onRefusal?.(error);
        next(error);
      },
    );
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

async function readJsonBody(req: Request, res: Response, limits: RouteLimits): Promise<unknown> {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    throw refuseEarly(
      req,
      res,
      requestError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type', `charset ${charset} is not supported: send UTF-8`),
    );
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limits.bodyBytes) {
    bodyReaderStats.refusedByLength++;
    throw refuseEarly(req, res, tooLarge(limits));
  }
  const source = decoded(req);
  if (source instanceof DomainError) throw refuseEarly(req, res, source);
  const { buffer, ranges } = await collect(req, source, limits);
  keepRawJsonBody(req, buffer);
  if (!isUtf8(buffer)) throw requestError('MALFORMED_BODY', 'body', 'is not valid UTF-8');
  // A long body's off-loop fields are left out here (their handler parses them in a worker).
  const text =
    buffer.length > OFF_LOOP_BODY_BYTES && ranges.length > 0 ? withoutRanges(buffer, ranges) : buffer.toString('utf8');
  if (text.trim() === '') return {};
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[')
    throw requestError('MALFORMED_BODY', 'body', 'is not valid JSON (a body is an object or an array)');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw requestError('MALFORMED_BODY', 'body', `is not valid JSON (${(error as Error).message})`);
  }
}

/** The body's text with each complete range's value replaced by `[]`. */
function withoutRanges(buffer: Buffer, ranges: readonly { start: number; end: number }[]): string {
  let text = '';
  let at = 0;
  for (const { start, end } of ranges) {
    if (end < 0 || start < at) continue;
    text += buffer.toString('utf8', at, start) + '[]';
    at = end;
  }
  return text + buffer.toString('utf8', at);
}

/** The body with its Content-Encoding undone, or the refusal of an encoding this service does not read. */
function decoded(req: IncomingMessage): Readable | DomainError {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  switch (encoding) {
    case 'identity':
      return req;
    case 'gzip':
    case 'x-gzip':
      return req.pipe(zlib.createGunzip());
    case 'deflate':
      return req.pipe(zlib.createInflate());
    case 'br':
      return req.pipe(zlib.createBrotliDecompress());
    default:
      return requestError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Content-Encoding',
        `${encoding} is not supported (identity, gzip, deflate or br)`,
      );
  }
}

/** Bodies longer than this with a Content-Length are read into one buffer of that length as they arrive. */
const PREALLOCATE_BYTES = 64 * 1024;

/**
 * Reads the (decoded) body, feeding the scanner chunk by chunk; at the first fault or past the byte
 * limit it stops collecting and refuses. Bytes beyond that are only dropped (`refuseEarly`).
 */
function collect(
  req: Request,
  source: Readable,
  limits: RouteLimits,
): Promise<{ buffer: Buffer; ranges: JsonShapeScanner['ranges'] }> {
  const scanner = new JsonShapeScanner(limits, limits.parsedOffLoop);
  const chunks: Buffer[] = [];
  // A long body of declared length (within the limit, checked before) is copied into one buffer as
  // it arrives: each chunk is garbage at once, and there is no second copy of the whole body
  // (Buffer.concat) beside the chunks at the end. A buffer of its own, so it can be moved to a worker.
  const declared = source === req ? Number(req.headers['content-length'] ?? NaN) : NaN;
  const whole =
    Number.isSafeInteger(declared) && declared > PREALLOCATE_BYTES && declared <= limits.bodyBytes
      ? Buffer.allocUnsafeSlow(declared)
      : undefined;
  let received = 0;
  return new Promise((resolve, reject) => {
    let settled = false;
    const stop = (refusal: DomainError) => {
      if (settled) return;
      settled = true;
      bodyReaderStats.refusedWhileStreaming++;
      source.removeListener('data', onData);
      if (source !== req) {
        req.unpipe();
        source.destroy();
      }
      reject(refuseEarly(req, req.res!, refusal));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      // Each piece is garbage once copied into `whole` (or, refused, dropped): collected every 8 MiB, not
      // left to pile up outside the heap (a 40 MiB body held ~30 MiB of them, which the allocator kept).
      BodyBufferCollector.shared.consumed(chunk.length);
      if (received > limits.bodyBytes) return stop(tooLarge(limits));
      const fault = scanner.write(chunk);
      if (fault) return stop(shapeRefusal(fault, limits));
      if (whole !== undefined) chunk.copy(whole, received - chunk.length);
      else chunks.push(chunk);
    };
    source.on('data', onData);
    source.once('end', () => {
      if (settled) return;
      settled = true;
      // Node's HTTP parser ends a body at its Content-Length: `whole` is exactly filled.
      const buffer =
        whole !== undefined
          ? whole.subarray(0, Math.min(received, whole.length))
          : chunks.length === 1
            ? chunks[0]
            : Buffer.concat(chunks, received);
      resolve({ buffer, ranges: scanner.ranges });
    });
    source.once('error', (error: Error) => {
      if (settled) return;
      settled = true;
      reject(
        source === req
          ? requestError('MALFORMED_BODY', 'body', 'ended before its Content-Length')
          : requestError('MALFORMED_BODY', 'Content-Encoding', `the body does not decode (${error.message})`),
      );
    });
    req.once('aborted', () => {
      if (settled) return;
      settled = true;
      reject(requestError('MALFORMED_BODY', 'body', 'ended before its Content-Length'));
    });
  });
}

/** After a refusal, at most this much more of the body is read (and dropped) before the connection closes. */
export const DISCARD_BYTES = 64 * 1024 * 1024;
/** …and for at most this long. */
const DISCARD_MS = 10_000;

/**
 * A refusal answered before the body is read to its end. The rest of the body is read and dropped
 * (nothing scanned, buffered or parsed), so the client, still sending, reads the answer instead of
 * a connection reset, and the connection can serve its next request. A client that goes on past
 * DISCARD_BYTES or DISCARD_MS, or that declared a body longer than that, has its connection closed.
 */
function refuseEarly(req: IncomingMessage, res: Response, refusal: DomainError): DomainError {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > DISCARD_BYTES && !res.headersSent) res.setHeader('Connection', 'close');
  let dropped = 0;
  const close = () => req.socket.destroy();
  const timer = setTimeout(close, DISCARD_MS).unref();
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    BodyBufferCollector.shared.consumed(chunk.length);
    if (dropped > DISCARD_BYTES) close();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
  return refusal;
}

function tooLarge(limits: RouteLimits): DomainError {
  return requestError('BODY_TOO_LARGE', 'body', `is larger than the ${limits.bodyBytes} bytes allowed on this route`);
}

function shapeRefusal(fault: ShapeFault, limits: RouteLimits): DomainError {
  switch (fault.kind) {
    case 'shape':
      return requestError('MALFORMED_BODY', fault.field, fault.reason);
    case 'array': {
      const own = fault.arrayPath === undefined ? undefined : limits.arrayRefusals?.[fault.arrayPath];
      if (own === undefined) return requestError('TOO_MANY_ITEMS', fault.field, fault.reason);
      const reason = `${fault.reason}; ${own.setting} is ${fault.limit}`;
      return new DomainError(own.code, `${fault.field}: ${reason}`, [{ field: fault.field, reason }], {
        limit: own.setting,
        max: fault.limit,
      });
    }
    case 'keys':
      return requestError('TOO_MANY_ITEMS', fault.field, fault.reason);
    case 'string':
      return requestError('TEXT_TOO_LONG', fault.field, fault.reason);
  }
}
