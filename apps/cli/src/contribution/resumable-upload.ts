import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiRequestError } from '../cli-context';

/** Where unfinished (and recently finished) resumable uploads are remembered between runs. */
export const DEFAULT_RESUME_STORE = join(homedir(), '.upstream', 'uploads.json');

const TUS = { 'Tus-Resumable': '1.0.0' };
/** The running hash is copied every this many bytes, so a resume re-reads at most this much to rebuild it. */
const CHECKPOINT_BYTES = 64 * 1024 * 1024;
const RETRY_DELAYS_MS = [0, 1_000, 3_000, 5_000, 10_000];

export interface ResumableOptions {
  api: string;
  agent: http.Agent;
  /** `Authorization` header value (`Bearer <session or API key>`): uploads belong to an account. */
  authorization?: string;
  resumeStore?: string;
  onBytes?: (delta: number) => void;
  /** Known in advance (already hashed): sent as tus metadata, so the server refuses other bytes too. */
  expectedSha256?: string;
}

export interface ResumableResult {
  sha256: string;
  size: bigint;
  /** false when the server already held these bytes from an earlier run and nothing was sent. */
  uploaded: boolean;
}

/**
 * One pass over a big file: tus 1.0 (POST /uploads, then PATCH, each answered 204 with
 * `Upload-Offset`) with the file's SHA-256 computed from the very bytes that are sent. The server
 * hashes them as it stores them and adds `Upload-Sha256` to the answer that completes the upload
 * (and to HEAD for a while after); the two must agree. A dropped connection resumes from the
 * server's offset (HEAD) with the hash rebuilt from the last checkpoint; an interrupted run
 * resumes on the next run from the upload URL kept in the resume store (re-hashing the part
 * already sent). A file uploaded by an earlier run is not sent again if the server still has it.
 */
export async function uploadResumable(fsPath: string, options: ResumableOptions): Promise<ResumableResult> {
  const info = await stat(fsPath);
  const size = info.size;
  const store = new ResumeStore(options.resumeStore ?? DEFAULT_RESUME_STORE);
  const key = `${new URL(options.api).origin} ${await realpath(fsPath)} ${size} ${info.mtimeMs}`;
  const remembered = await store.get(key);
  let reported = 0;
  const report = (total: number) => {
    options.onBytes?.(total - reported);
    reported = total;
  };

  if (remembered?.sha256 && (!options.expectedSha256 || options.expectedSha256 === remembered.sha256)) {
    if (!(await isMissing(options.api, remembered.sha256, options.authorization))) {
      report(size);
      return { sha256: remembered.sha256, size: BigInt(size), uploaded: false };
    }
  }

  let url = remembered?.url ? new URL(remembered.url) : undefined;
  let offset: number | undefined;
  const hasher = new CheckpointedSha256();
  let serverSha256: string | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      // Where to continue: the server's offset (HEAD), or a new upload when it has none.
      if (url && offset === undefined) {
        const state = await currentState(url, options.agent, options.authorization);
        offset = state?.offset;
        serverSha256 = state?.sha256;
      }
      if (!url || offset === undefined) {
        url = await create(options, fsPath, size);
        offset = 0;
        await store.set(key, { url: url.toString() });
      }
      const from = offset;
      await hasher.rewindTo(fsPath, from);
      report(from);
      // Complete already (an earlier answer was lost): HEAD gave the final offset and the digest.
      if (from === size && serverSha256) break;
      const res = await patch(url, fsPath, from, size, options, hasher, (sent) => report(from + sent));
      offset = Number(res.headers['upload-offset']);
      if (!Number.isSafeInteger(offset) || offset > size || (offset <= from && from < size)) {
        throw new Error(
          `the server answered ${res.status} with Upload-Offset ${String(res.headers['upload-offset'])} of ${size}`,
        );
      }
      if (offset < size) {
        attempt = -1; // progress was made: a fresh set of retries for the rest
        continue;
      }
      serverSha256 = String(res.headers['upload-sha256'] ?? '');
      break;
    } catch (error) {
      if (!retryable(error) || attempt >= RETRY_DELAYS_MS.length) throw error;
      await new Promise((r) =>
        setTimeout(r, error instanceof RateLimited ? error.retryAfterMs : RETRY_DELAYS_MS[attempt]),
      );
      offset = undefined; // ask the server again
    }
  }

  const local = hasher.digest(size);
  if (serverSha256 !== local) {
    await store.delete(key);
    throw new Error(
      `${fsPath}: the server stored bytes hashing to ${serverSha256 || '(no Upload-Sha256)'} but the bytes read here hash to ${local}; was the file changed during the upload?`,
    );
  }
  await store.set(key, { sha256: local });
  return { sha256: local, size: BigInt(size), uploaded: true };
}

/**
 * SHA-256 over a file's bytes fed in order, with copies of the state every CHECKPOINT_BYTES,
 * so it can be rewound to any offset by re-reading at most one checkpoint interval from disk.
 */
class CheckpointedSha256 {
  private hash: Hash = createHash('sha256');
  private hashed = 0;
  private readonly checkpoints: { offset: number; hash: Hash }[] = [{ offset: 0, hash: createHash('sha256') }];

  /** Makes the state cover exactly [0, offset) of the file. */
  async rewindTo(fsPath: string, offset: number): Promise<void> {
    if (offset === this.hashed) return;
    if (offset < this.hashed) {
      const from = this.checkpoints.findLast((c) => c.offset <= offset)!;
      this.hash = from.hash.copy();
      this.hashed = from.offset;
      this.checkpoints.splice(this.checkpoints.indexOf(from) + 1);
    }
    if (offset > this.hashed) {
      for await (const chunk of createReadStream(fsPath, {
        start: this.hashed,
        end: offset - 1,
        highWaterMark: 1 << 20,
      }))
        this.update(chunk as Buffer);
    }
  }

  /** A pass-through that hashes what flows through it (it must start at the hashed offset). */
  tap(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) => {
        this.update(chunk);
        callback(null, chunk);
      },
    });
  }

  digest(size: number): string {
    if (this.hashed !== size) throw new Error(`hashed ${this.hashed} of ${size} bytes`);
    return this.hash.digest('hex');
  }

  private update(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const nextCheckpoint = (Math.floor(this.hashed / CHECKPOINT_BYTES) + 1) * CHECKPOINT_BYTES;
      const take = Math.min(chunk.length - at, nextCheckpoint - this.hashed);
      this.hash.update(at === 0 && take === chunk.length ? chunk : chunk.subarray(at, at + take));
      this.hashed += take;
      at += take;
      if (this.hashed === nextCheckpoint) this.checkpoints.push({ offset: this.hashed, hash: this.hash.copy() });
    }
  }
}

async function create(options: ResumableOptions, fsPath: string, size: number): Promise<URL> {
  const metadata = [`filename ${Buffer.from(basename(fsPath)).toString('base64')}`];
  if (options.expectedSha256) metadata.push(`sha256 ${Buffer.from(options.expectedSha256).toString('base64')}`);
  const res = await send(new URL('/uploads', options.api), 'POST', options.agent, {
    ...TUS,
    ...authHeader(options.authorization),
    'Upload-Length': String(size),
    'Upload-Metadata': metadata.join(','),
  });
  if (res.status !== 201 || !res.headers.location)
    throw new Error(`POST /uploads answered ${res.status} without a Location`);
  return new URL(res.headers.location, options.api);
}

/**
 * Where the server stands with an upload: its offset, and for a finished one the digest it kept
 * (`Upload-Sha256`); undefined when it no longer has the upload (expired, deleted, long finished).
 */
async function currentState(
  url: URL,
  agent: http.Agent,
  authorization?: string,
): Promise<{ offset: number; sha256?: string } | undefined> {
  try {
    const res = await send(url, 'HEAD', agent, { ...TUS, ...authHeader(authorization) });
    const offset = Number(res.headers['upload-offset']);
    const sha256 = res.headers['upload-sha256'];
    if (!Number.isSafeInteger(offset)) return undefined;
    return { offset, sha256: typeof sha256 === 'string' ? sha256 : undefined };
  } catch (error) {
    if (error instanceof ApiRequestError && [403, 404, 410].includes(error.status)) return undefined;
    throw error;
  }
}

function patch(
  url: URL,
  fsPath: string,
  offset: number,
  size: number,
  options: Pick<ResumableOptions, 'agent' | 'authorization'>,
  hasher: CheckpointedSha256,
  onSent: (sent: number) => void,
) {
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      sent += chunk.length;
      onSent(sent);
      callback(null, chunk);
    },
  });
  const source =
    size > offset ? createReadStream(fsPath, { start: offset, end: size - 1, highWaterMark: 1 << 20 }) : undefined;
  return send(
    url,
    'PATCH',
    options.agent,
    {
      ...TUS,
      ...authHeader(options.authorization),
      'Upload-Offset': String(offset),
      'content-type': 'application/offset+octet-stream',
      'content-length': String(size - offset),
    },
    source ? [source, hasher.tap(), counter] : undefined,
  );
}

async function isMissing(api: string, sha256: string, authorization?: string): Promise<boolean> {
  const res = await fetch(new URL('/blobs/missing', api), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader(authorization) },
    body: JSON.stringify({ sha256s: [sha256] }),
  });
  if (!res.ok) return true;
  return ((await res.json()) as { missing: string[] }).missing.length > 0;
}

function retryable(error: unknown): boolean {
  if (error instanceof RateLimited) return true;
  if (error instanceof ApiRequestError) return error.status >= 500 || error.status === 409 || error.status === 423;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    code === 'ECONNRESET' ||
    code === 'ECONNREFUSED' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT' ||
    (error as Error).message === 'socket hang up'
  );
}

export class RateLimited extends Error {
  constructor(
    readonly retryAfterMs: number,
    readonly sent: number,
  ) {
    super('rate limited');
  }
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP request on a keep-alive agent, the body streamed from `body` (a source and its
 * transforms, constant memory). 2xx resolves; 429 rejects with RateLimited; other statuses
 * reject with ApiRequestError carrying the API's error body.
 */
export function send(
  url: URL,
  method: string,
  agent: http.Agent,
  headers: Record<string, string>,
  body?: [Readable, ...Transform[]],
): Promise<Answer> {
  const client = url.protocol === 'https:' ? https : http;
  let sent = 0;
  return new Promise((resolve, reject) => {
    const request = client.request(url, { method, agent, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (d: string) => (text += d));
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status === 429) reject(new RateLimited(Number(response.headers['retry-after'] ?? 1) * 1000, sent));
        else if (status < 200 || status >= 300)
          reject(new ApiRequestError(status, (text ? safeJson(text) : {}) as ApiRequestError['body']));
        else resolve({ status, headers: response.headers, text });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    // No Nagle: a small body's last bytes go out at once, not after the server's delayed ACK (~40 ms a request).
    request.on('socket', (socket) => socket.setNoDelay(true));
    if (!body) {
      request.end();
      return;
    }
    const counter = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        sent += chunk.length;
        callback(null, chunk);
      },
    });
    pipeline([...body, counter, request]).catch((error: Error) => {
      request.destroy(error);
      reject(error);
    });
  });
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** `{ authorization }` when there is a credential, else nothing. */
export function authHeader(authorization: string | undefined): Record<string, string> {
  return authorization ? { authorization } : {};
}

export function agentFor(api: string): http.Agent {
  return new URL(api).protocol === 'https:'
    ? new https.Agent({ keepAlive: true })
    : new http.Agent({ keepAlive: true });
}

type Remembered = { url?: string; sha256?: string; at?: number };

/** A small JSON file of upload URLs and finished digests, keyed by (API, real path, size, mtime). */
class ResumeStore {
  private static readonly MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
  constructor(private readonly file: string) {}

  async get(key: string): Promise<Remembered | undefined> {
    return (await this.read())[key];
  }

  async set(key: string, value: Remembered): Promise<void> {
    const all = await this.read();
    all[key] = { ...value, at: Date.now() };
    await this.write(all);
  }

  async delete(key: string): Promise<void> {
    const all = await this.read();
    delete all[key];
    await this.write(all);
  }

  private async read(): Promise<Record<string, Remembered>> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, Remembered>;
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch {
      return {};
    }
  }

  private async write(all: Record<string, Remembered>): Promise<void> {
    const now = Date.now();
    for (const [key, value] of Object.entries(all))
      if (!value.at || now - value.at > ResumeStore.MAX_AGE_MS) delete all[key];
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(all, null, 1));
    await rename(temp, this.file);
  }
}
