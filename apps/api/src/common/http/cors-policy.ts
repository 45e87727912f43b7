import type { NextFunction, Request, RequestHandler, Response } from 'express';
import cors from 'cors';

/**
 * Request headers a browser page may send (beyond the CORS-safelisted ones): credentials, ranges and
 * conditional requests, and everything the tus 1.0 client sends (including X-HTTP-Method-Override,
 * for networks that strip PATCH).
 */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Range',
  'If-Range',
  'If-None-Match',
  'If-Modified-Since',
  'X-Request-Id',
  'X-Requested-With',
  'X-HTTP-Method-Override',
  'Tus-Resumable',
  'Upload-Length',
  'Upload-Offset',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'Upload-Checksum',
] as const;

/** Response headers a browser page may read: the tus protocol's, validators, ranges, and what errors carry. */
export const CORS_EXPOSED_HEADERS = [
  'Location',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Expires',
  'Upload-Sha256',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Content-Range',
  'Accept-Ranges',
  'ETag',
  'X-Request-Id',
  'Retry-After',
] as const;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * The one CORS policy of the API, put in front of every route (the tus route included, so its
 * preflight is answered here too). An origin in `origins` (CORS_ORIGINS) is echoed back with
 * `Access-Control-Allow-Credentials: true`; any other origin gets no grant at all, and `*` is never
 * sent. Preflights (OPTIONS with `Access-Control-Request-Method`) are answered 204 on every path,
 * granted or not, instead of falling through to a 404. Every response says `Vary: Origin`.
 * The grant is set before any route runs, so errors (4xx/5xx) carry it and a page can read them.
 */
export function corsPolicy(origins: readonly string[]): RequestHandler {
  const listed = new Set(origins.map((o) => o.toLowerCase()));
  const grant = cors((req, callback) => {
    callback(null, {
      origin: req.headers.origin,
      credentials: true,
      methods: METHODS,
      allowedHeaders: [...CORS_ALLOWED_HEADERS],
      exposedHeaders: [...CORS_EXPOSED_HEADERS],
      maxAge: PREFLIGHT_MAX_AGE_SECONDS,
      optionsSuccessStatus: 204,
    });
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.vary('Origin');
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (origin === undefined || !listed.has(origin.toLowerCase())) {
      if (!preflight) return next();
      res.status(204).setHeader('Content-Length', '0');
      return res.end();
    }
    if (req.method === 'OPTIONS' && !preflight) {
      // A plain OPTIONS (tus discovery: Tus-Version, Tus-Extension) goes on to its route with the
      // grant of an actual request; the cors package would take any OPTIONS for a preflight.
      return grant(Object.create(req, { method: { value: 'GET' } }) as Request, res, next);
    }
    return grant(req, res, next);
  };
}
