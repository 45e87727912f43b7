import type { RequestHandler } from 'express';
import compression from 'compression';

/** Below this a response goes as it is: gzip's header and the CPU cost outweigh what it saves. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/**
 * gzip or br, as the client's Accept-Encoding prefers (the `compression` middleware, br at its
 * dynamic-content quality 4), for compressible types: JSON, the OpenAPI document and pages. Bytes of
 * blobs and files are never compressed: they are `application/octet-stream` and say
 * `Cache-Control: no-transform` (content-addressed, often compressed already, served in ranges),
 * which the middleware honours. Compressed or not, a compressible response says `Vary: Accept-Encoding`.
 */
export function compressResponses(): RequestHandler {
  return compression({ threshold: COMPRESSION_THRESHOLD_BYTES });
}
