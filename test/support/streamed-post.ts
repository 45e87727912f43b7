import http from 'node:http';

/** The answer to a streamed POST, and how much of the body was written before it came. */
export interface StreamedAnswer {
  status: number;
  body: { error?: string; details?: { field: string; reason: string }[]; id?: string };
  /** Bytes of the body written before the answer came (or the connection closed). */
  written: number;
}

export interface StreamedPostOptions {
  /** Sends this Content-Length; chunked transfer encoding otherwise. */
  contentLength?: number;
  /** `between` runs after this many pieces, while the request is still open. */
  pauseAfter?: number;
  between?: () => Promise<void>;
}

/**
 * POSTs a JSON body piece by piece, as a hostile client would stream it, and stops writing as soon
 * as the answer arrives (free of vitest: the hostile benchmark sends the same way).
 */
export function streamPost(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  pieces: Iterable<Buffer>,
  options: StreamedPostOptions = {},
): Promise<StreamedAnswer> {
  return new Promise<StreamedAnswer>((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = http.request(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...headers,
        ...(options.contentLength === undefined ? {} : { 'content-length': String(options.contentLength) }),
      },
    });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: StreamedAnswer['body'] = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StreamedAnswer['body'];
        } catch {
          /* not JSON: an empty or plain answer */
        }
        resolve({ status: res.statusCode ?? 0, body, written });
      });
    });
    // Writes after the server closed the connection fail; the answer is what counts.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      let i = 0;
      for (const piece of pieces) {
        if (i++ === options.pauseAfter && options.between) await options.between();
        if (answered || req.destroyed) return;
        written += piece.length;
        if (!req.write(piece)) await drained(req);
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/** Resolves when `req` can take more, or closed. */
function drained(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done).off('close', done);
      resolve();
    };
    req.once('drain', done).once('close', done);
  });
}

/**
 * A registration body listing `count` fake files (about 100 bytes an entry), lazily in pieces of
 * `per` entries, with a fake signature; `tail` is JSON text added after the last field.
 */
export function* hostileRegistration(count: number, { per = 2_000, tail = '' } = {}): Generator<Buffer> {
  yield Buffer.from('{"title":"many","storage":"external","externalUri":"https://example.org/","files":[');
  for (let start = 0; start < count; start += per) {
    const entries: string[] = [];
    for (let i = start; i < Math.min(count, start + per); i++)
      entries.push(`{"path":"f/${i}.bin","size":"${i}","sha256":"${i.toString(16).padStart(64, '0')}"}`);
    yield Buffer.from((start === 0 ? '' : ',') + entries.join(','));
  }
  yield Buffer.from(
    `],"contentRoot":"0x${'00'.repeat(32)}","owners":[{"account":"0x${'11'.repeat(20)}","shareBps":10000}],` +
      `"license":{"template":"open-training"},"nonce":"1","deadline":"1893456000","signature":"0x${'1b'.repeat(65)}"${tail}}`,
  );
}

export function byteLength(pieces: Iterable<Buffer>): number {
  let total = 0;
  for (const piece of pieces) total += piece.length;
  return total;
}
