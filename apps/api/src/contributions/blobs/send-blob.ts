import type { Request, Response } from 'express';
import type { DeliveryAccessService, DeliveryPermit } from '../../access/delivery/delivery-access.service';
import { fieldError } from '../contributions.errors';
import type { BlobsService } from './blobs.service';

/**
 * Answers a GET for a blob's bytes: 200 with all of them, or, for a single `Range: bytes=…`
 * (RFC 9110), 206 with that part, so that an interrupted download of a big file can resume.
 * The ETag is the blob's SHA-256; an `If-Range` naming another validator gets the whole
 * blob. Ranges that are malformed or several at once are ignored (the whole blob, as the
 * RFC allows); a range that starts past the end is refused with 416 naming `Range`.
 * The caller has passed the delivery guard (`permit`); a receipt is queued once the bytes are sent.
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

  const ifRange = req.headers['if-range'];
  const ranges =
    req.headers.range !== undefined && (ifRange === undefined || ifRange === etag)
      ? req.range(size, { combine: true })
      : undefined;
  if (ranges === -1) {
    res.setHeader('content-range', `bytes */${size}`);
    throw fieldError('RANGE_NOT_SATISFIABLE', 'Range', `starts past the end of the blob (${size} bytes)`, { size });
  }
  res.setHeader('content-type', 'application/octet-stream'); // after the refusal above, which is JSON
  const range = Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1 ? ranges[0] : undefined;
  if (range) {
    res.status(206);
    res.setHeader('content-range', `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader('content-length', String(range.end - range.start + 1));
  } else {
    res.setHeader('content-length', String(size));
  }
  const firstByte = range ? range.start : 0;
  const bytes = range ? range.end - range.start + 1 : size;
  res.once('finish', () =>
    delivery.record({
      ...permit,
      sha256: blob.sha256,
      firstByte,
      bytes,
      requestId: typeof req.id === 'string' ? req.id : null,
      deliveredAt: new Date(),
    }),
  );
  const stream = blobs.read(blob.sha256, range && { start: range.start, end: range.end });
  stream.on('error', () => res.destroy()).pipe(res);
}
