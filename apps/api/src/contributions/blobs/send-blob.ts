import type { Request, Response } from 'express';
import type { DeliveryAccessService, DeliveryPermit } from '../../access/delivery/delivery-access.service';
import { fieldError } from '../contributions.errors';
import type { BlobsService } from './blobs.service';

/**
 * Bytes of a public dataset are the same for everyone and never change (the address is their
 * SHA-256): any cache may keep them for a day without asking again. The day bounds how long a
 * shared cache may go on serving them after their dataset stops being public.
 */
export const PUBLIC_BYTES_CACHE_CONTROL = 'public, max-age=86400, immutable, no-transform';
/** Licensed, private or signed-URL bytes: only the caller's own cache, and it asks each time (access is re-checked; 304 if unchanged). */
export const PRIVATE_BYTES_CACHE_CONTROL = 'private, no-cache, no-transform';

/**
 * Answers a GET (or HEAD) for a blob's bytes, after the delivery guard has allowed it (`permit`),
 * so that no answer, a 304 included, tells an unentitled caller anything. RFC 9110:
 * - validators: `ETag: "<sha256>"` (strong) and `Last-Modified` (when first stored);
 * - `If-None-Match` (a list, `*`, weak comparison) or, only without it, `If-Modified-Since` answer
 *   304 with no body (Express's `req.fresh`, the `fresh` package);
 * - a single `Range: bytes=…` answers 206 with that part, so an interrupted download resumes;
 *   `If-Range` keeps the range only if it names this blob's strong ETag or exact Last-Modified,
 *   else the whole blob; ranges that are malformed or several at once get the whole blob (as the RFC
 *   allows); a range that starts past the end is refused with 416 naming `Range`;
 * - HEAD answers the headers of the whole blob.
 * Bytes are never compressed (`no-transform`). A receipt is queued once every byte asked for has gone
 * out (the client may close before the response ends): a 304 or a HEAD sends none, so it records no
 * delivery (the first download did); a download broken off part way records none either.
 * With BLOB_REDIRECT=presigned (S3 store) a GET that passed all of the above answers 302 to a
 * short-lived presigned URL of the object instead (not with If-Range: see below), and its receipt
 * is queued with the redirect.
 */
export async function sendBlob(
  blobs: BlobsService,
  sha256Param: string,
  req: Request,
  res: Response,
  permit: DeliveryPermit,
  delivery: DeliveryAccessService,
): Promise<void> {
  const blob = await blobs.find(sha256Param);
  const size = Number(blob.size);
  const etag = `"${blob.sha256}"`;
  res.setHeader('accept-ranges', 'bytes');
  res.setHeader('etag', etag);
  res.setHeader('last-modified', blob.storedAt.toUTCString());
  if (permit.public) {
    res.setHeader('cache-control', PUBLIC_BYTES_CACHE_CONTROL);
  } else {
    res.setHeader('cache-control', PRIVATE_BYTES_CACHE_CONTROL);
    res.vary('Authorization');
  }
  if (req.fresh) {
    res.status(304).end();
    return;
  }

  const ranges =
    req.method === 'GET' && req.headers.range !== undefined && rangeStillValid(req.get('if-range'), etag, blob.storedAt)
      ? req.range(size, { combine: true })
      : undefined;
  if (ranges === -1) {
    res.setHeader('content-range', `bytes */${size}`);
    throw fieldError('RANGE_NOT_SATISFIABLE', 'Range', `starts past the end of the blob (${size} bytes)`, { size });
  }
  const range = Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1 ? ranges[0] : undefined;
  const firstByte = range ? range.start : 0;
  const bytes = range ? range.end - range.start + 1 : size;
  const receipt = () =>
    delivery.record({
      account: permit.account,
      datasetId: permit.datasetId,
      licenseId: permit.licenseId,
      via: permit.via,
      sha256: blob.sha256,
      firstByte,
      bytes,
      requestId: typeof req.id === 'string' ? req.id : null,
      deliveredAt: new Date(),
    });
  // A request with If-Range is answered here: its validator is this API's ETag (the SHA-256),
  // which the object store, with ETags of its own, would not match (and so send every byte).
  const redirect =
    req.method === 'GET' && req.headers['if-range'] === undefined ? await blobs.redirectUrl(blob.sha256) : undefined;
  if (redirect !== undefined) {
    // The bytes come from the object store: the receipt is for the URL handed out (the client
    // sends its Range there again). The URL is the caller's alone and short-lived: never cached.
    res.setHeader('cache-control', 'private, no-store');
    res.removeHeader('etag');
    res.removeHeader('last-modified');
    res.removeHeader('accept-ranges');
    res.redirect(302, redirect);
    receipt();
    return;
  }
  res.setHeader('content-type', 'application/octet-stream'); // after the refusal above, which is JSON
  if (range) {
    res.status(206);
    res.setHeader('content-range', `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader('content-length', String(range.end - range.start + 1));
  } else {
    res.setHeader('content-length', String(size));
  }
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = blobs.read(blob.sha256, range && { start: range.start, end: range.end });
  // A client that has every byte it asked for (Content-Length says how many) may close the connection
  // before the store's stream ends and the response finishes: that was still a delivery. So the receipt
  // is queued when the response closes, if it finished or every byte had been handed to it.
  let handedOut = 0;
  stream.on('data', (chunk: Buffer) => (handedOut += chunk.length));
  res.once('close', () => {
    if (res.writableFinished || handedOut >= bytes) receipt();
  });
  stream.on('error', () => res.destroy()).pipe(res);
}

/**
 * RFC 9110 §13.1.5: a Range applies only if If-Range (when sent) still names this representation, by
 * strong comparison: its exact ETag (a weak tag never matches) or its exact Last-Modified date.
 */
function rangeStillValid(ifRange: string | undefined, etag: string, storedAt: Date): boolean {
  if (ifRange === undefined) return true;
  const validator = ifRange.trim();
  if (validator.startsWith('"') || validator.startsWith('W/')) return validator === etag;
  const date = Date.parse(validator);
  return !Number.isNaN(date) && Math.floor(date / 1000) === Math.floor(storedAt.getTime() / 1000);
}
