import { createReadStream, mkdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tus from 'tus-js-client';
import { Sha256PassThrough, type FileEntry } from '@upstream/provenance';
import { ApiRequestError } from '../cli-context';

export interface FileToUpload {
  /** Where the bytes are on this machine. */
  fsPath: string;
  /** The canonical entry (hashed locally): the server must arrive at the same sha256. */
  entry: FileEntry;
}

export interface UploadOptions {
  api: string;
  /** Files at least this big go through tus (resumable across runs); smaller ones are streamed in one PUT. */
  resumableThreshold?: number;
  /** Small files in flight at once. */
  concurrency?: number;
  /** Bytes sent so far grew by `delta`. */
  onBytes?: (delta: number) => void;
  /** Where tus keeps upload URLs so an interrupted upload resumes on the next run. */
  resumeStore?: string;
}

export const DEFAULT_RESUMABLE_THRESHOLD = 256 * 1024 * 1024;

/**
 * Uploads every file the server does not have yet (asked with POST /blobs/missing);
 * identical bytes are uploaded once. Each upload is verified by the server against
 * the locally computed sha256, so what is registered is what was hashed here.
 */
export async function uploadFiles(files: readonly FileToUpload[], options: UploadOptions): Promise<{ uploaded: number; skipped: number; bytes: number }> {
  const { missing } = await postJson<{ missing: string[] }>(options.api, '/blobs/missing', { sha256s: files.map((f) => f.entry.sha256) });
  const wanted = new Set(missing);
  const todo: FileToUpload[] = [];
  for (const file of files) {
    if (wanted.delete(file.entry.sha256)) todo.push(file);
    else options.onBytes?.(Number(file.entry.size));
  }
  const threshold = options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD;
  const large = todo.filter((f) => f.entry.size >= BigInt(threshold));
  const small = todo.filter((f) => f.entry.size < BigInt(threshold));
  for (const file of large) await uploadResumable(file, options);
  let next = 0;
  const agent = agentFor(options.api);
  const worker = async () => {
    while (next < small.length) await uploadStreamed(small[next++]!, options, agent);
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, small.length) }, worker));
  agent.destroy();
  const bytes = todo.reduce((sum, f) => sum + Number(f.entry.size), 0);
  return { uploaded: todo.length, skipped: files.length - todo.length, bytes };
}

/**
 * One pass over a file: hashes it here while streaming it to PUT /blobs, where the server
 * hashes it again while storing it; refuses unless both digests agree.
 */
export async function uploadAndHash(fsPath: string, options: UploadOptions): Promise<{ sha256: string; size: bigint }> {
  const agent = agentFor(options.api);
  try {
    const local = new Sha256PassThrough();
    const body = await streamTo(options.api, '/blobs', fsPath, agent, options.onBytes, undefined, local);
    if (body.sha256 !== local.result.sha256) throw new Error(`the server stored ${body.sha256} but ${fsPath} hashes to ${local.result.sha256}`);
    return local.result;
  } finally {
    agent.destroy();
  }
}

async function uploadStreamed(file: FileToUpload, options: UploadOptions, agent: http.Agent): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await streamTo(options.api, `/blobs/${file.entry.sha256}`, file.fsPath, agent, options.onBytes, file.entry.size);
      return;
    } catch (error) {
      // Over the upload rate limit: wait as told and send the file again.
      if (error instanceof RateLimited && attempt < 20) {
        options.onBytes?.(-error.sent);
        await new Promise((r) => setTimeout(r, error.retryAfterMs));
        continue;
      }
      throw error;
    }
  }
}

class RateLimited extends Error {
  constructor(
    readonly retryAfterMs: number,
    readonly sent: number,
  ) {
    super('rate limited');
  }
}

function agentFor(api: string): http.Agent {
  return new URL(api).protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
}

/** PUT the file's bytes as a raw stream (constant memory); resolves with the server's JSON. */
function streamTo(
  api: string,
  path: string,
  fsPath: string,
  agent: http.Agent,
  onBytes?: (delta: number) => void,
  size?: bigint,
  tap?: Transform,
): Promise<{ sha256: string; size: string }> {
  const url = new URL(path, api);
  const client = url.protocol === 'https:' ? https : http;
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      sent += chunk.length;
      onBytes?.(chunk.length);
      callback(null, chunk);
    },
  });
  return new Promise((resolve, reject) => {
    const request = client.request(url, {
        method: 'PUT',
        agent,
        headers: { 'content-type': 'application/octet-stream', ...(size === undefined ? {} : { 'content-length': size.toString() }) },
      }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (d: string) => (text += d));
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const parsed = text ? safeJson(text) : {};
        if (status === 429) reject(new RateLimited(Number(response.headers['retry-after'] ?? 1) * 1000, sent));
        else if (status < 200 || status >= 300) reject(new ApiRequestError(status, parsed as ApiRequestError['body']));
        else resolve(parsed as { sha256: string; size: string });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    // No Nagle: a small file's last bytes go out at once, not after the server's delayed ACK (~40 ms a file).
    request.on('socket', (socket) => socket.setNoDelay(true));
    const source = createReadStream(fsPath, { highWaterMark: 1 << 20 });
    (tap ? pipeline(source, tap, counter, request) : pipeline(source, counter, request)).catch(reject);
  });
}

/** tus upload: resumes a previous attempt at the same file (path, size, mtime) when the server still has it. */
async function uploadResumable(file: FileToUpload, options: UploadOptions): Promise<void> {
  const storeFile = options.resumeStore ?? join(homedir(), '.upstream', 'tus-uploads.json');
  mkdirSync(join(storeFile, '..'), { recursive: true });
  const FileUrlStorage = (tus as unknown as { FileUrlStorage: new (path: string) => NonNullable<tus.UploadOptions['urlStorage']> }).FileUrlStorage;
  let reported = 0;
  await new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(file.fsPath) as unknown as Buffer, {
      endpoint: new URL('/uploads', options.api).toString(),
      metadata: { filename: basename(file.fsPath), sha256: file.entry.sha256 },
      uploadSize: Number(file.entry.size),
      urlStorage: new FileUrlStorage(storeFile),
      removeFingerprintOnSuccess: true,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      onProgress: (bytesSent) => {
        options.onBytes?.(bytesSent - reported);
        reported = bytesSent;
      },
      onSuccess: () => resolve(),
      onError: (error) => reject(tusError(error)),
    });
    upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      })
      .catch(reject);
  });
}

function tusError(error: Error): Error {
  const detailed = error as tus.DetailedError;
  const response = detailed.originalResponse;
  if (response) {
    const body = safeJson(response.getBody() ?? '');
    if (body && typeof body === 'object' && 'error' in body) return new ApiRequestError(response.getStatus(), body as ApiRequestError['body']);
  }
  return error;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

async function postJson<T>(api: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(new URL(path, api), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  const parsed = text ? safeJson(text) : undefined;
  if (!response.ok) throw new ApiRequestError(response.status, (parsed ?? {}) as ApiRequestError['body']);
  return parsed as T;
}

