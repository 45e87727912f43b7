import { createReadStream } from 'node:fs';
import type http from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { ROUTES, type MissingBlobs, type MissingBlobsRequest, type StoredBlob } from '@upstream/api-contract';
import type { FileEntry } from '@upstream/provenance';
import { Sha256PassThrough, sha256File } from '@upstream/provenance/node';
import { ApiRequestError } from '../cli-context';
import { mapBounded, type LocalFile } from './file-list';
import { agentFor, authHeader, RateLimited, safeJson, send, uploadResumable } from './resumable-upload';

export interface FileToUpload {
  /** Where the bytes are on this machine. */
  fsPath: string;
  /** The canonical entry (hashed locally): the server must arrive at the same sha256. */
  entry: FileEntry;
}

export interface UploadOptions {
  api: string;
  /** `Authorization` header value (`Bearer <session or API key>`): uploads belong to an account. */
  authorization?: string;
  /** Files at least this big go through tus (resumable across runs); smaller ones are streamed in one PUT. */
  resumableThreshold?: number;
  /** Small files in flight at once. */
  concurrency?: number;
  /** Bytes sent (or found already stored) so far grew by `delta`. */
  onBytes?: (delta: number) => void;
  /** Small files hashed so far grew by `delta` bytes (before they are uploaded). */
  onHashed?: (delta: number) => void;
  /** Where unfinished resumable uploads are remembered so that the next run resumes them. */
  resumeStore?: string;
}

export interface UploadSummary {
  uploaded: number;
  skipped: number;
  bytes: number;
}

export const DEFAULT_RESUMABLE_THRESHOLD = 256 * 1024 * 1024;

/**
 * Hashes and uploads listed files, reading each big file once: big files (≥ the resumable
 * threshold) go through tus and are hashed from the bytes as they are sent, the server
 * confirming the same digest; small files are hashed first, so that only those the server
 * lacks are sent (POST /blobs/missing), each in one PUT that the server verifies against the
 * digest. Answers the canonical entries (unsorted) for the content root and the registration.
 */
export async function hashAndUpload(
  files: readonly LocalFile[],
  options: UploadOptions,
): Promise<UploadSummary & { entries: FileEntry[] }> {
  const threshold = Math.max(1, options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD);
  const large = files.filter((f) => f.size >= BigInt(threshold));
  const small = files.filter((f) => f.size < BigInt(threshold));

  const smallEntries = await mapBounded(small, 8, async (file) => {
    let seen = 0n;
    const { sha256, size } = await sha256File(file.fsPath, (soFar) => {
      options.onHashed?.(Number(soFar - seen));
      seen = soFar;
    });
    return { path: file.path, size, sha256 };
  });

  const entries: FileEntry[] = [];
  const summary: UploadSummary = { uploaded: 0, skipped: 0, bytes: 0 };
  const agent = agentFor(options.api);
  try {
    for (const file of large) {
      const result = await uploadResumable(file.fsPath, {
        api: options.api,
        agent,
        authorization: options.authorization,
        resumeStore: options.resumeStore,
        onBytes: options.onBytes,
      });
      if (result.size !== file.size)
        throw new Error(`${file.fsPath} changed size while it was uploaded (${file.size} → ${result.size} bytes)`);
      entries.push({ path: file.path, size: result.size, sha256: result.sha256 });
      if (result.uploaded) {
        summary.uploaded++;
        summary.bytes += Number(result.size);
      } else summary.skipped++;
    }
  } finally {
    agent.destroy();
  }

  const rest = await uploadFiles(
    small.map((file, i) => ({ fsPath: file.fsPath, entry: smallEntries[i] })),
    options,
  );
  entries.push(...smallEntries);
  return {
    entries,
    uploaded: summary.uploaded + rest.uploaded,
    skipped: summary.skipped + rest.skipped,
    bytes: summary.bytes + rest.bytes,
  };
}

/**
 * Uploads already hashed files the server does not have yet (asked with POST /blobs/missing);
 * identical bytes are uploaded once. Each upload is verified by the server against the
 * locally computed sha256, so what is registered is what was hashed here.
 */
export async function uploadFiles(files: readonly FileToUpload[], options: UploadOptions): Promise<UploadSummary> {
  if (files.length === 0) return { uploaded: 0, skipped: 0, bytes: 0 };
  const request: MissingBlobsRequest = { sha256s: files.map((f) => f.entry.sha256) };
  const { missing } = await postJson<MissingBlobs>(
    options.api,
    ROUTES.findMissingBlobs.path,
    request,
    options.authorization,
  );
  const wanted = new Set(missing);
  const todo: FileToUpload[] = [];
  for (const file of files) {
    if (wanted.delete(file.entry.sha256)) todo.push(file);
    else options.onBytes?.(Number(file.entry.size));
  }
  const threshold = Math.max(1, options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD);
  const large = todo.filter((f) => f.entry.size >= BigInt(threshold));
  const small = todo.filter((f) => f.entry.size < BigInt(threshold));
  const agent = agentFor(options.api);
  try {
    for (const file of large) {
      const result = await uploadResumable(file.fsPath, {
        api: options.api,
        agent,
        authorization: options.authorization,
        resumeStore: options.resumeStore,
        onBytes: options.onBytes,
        expectedSha256: file.entry.sha256,
      });
      if (result.sha256 !== file.entry.sha256)
        throw new Error(`${file.fsPath} changed since it was hashed: it now hashes to ${result.sha256}`);
    }
    let next = 0;
    const worker = async () => {
      while (next < small.length) await uploadStreamed(small[next++], options, agent);
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, small.length) }, worker));
  } finally {
    agent.destroy();
  }
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
    const body = await streamTo(options, '/blobs', fsPath, agent, undefined, local);
    if (body.sha256 !== local.result.sha256)
      throw new Error(`the server stored ${body.sha256} but ${fsPath} hashes to ${local.result.sha256}`);
    return local.result;
  } finally {
    agent.destroy();
  }
}

async function uploadStreamed(file: FileToUpload, options: UploadOptions, agent: http.Agent): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await streamTo(options, `/blobs/${file.entry.sha256}`, file.fsPath, agent, file.entry.size);
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

/** PUT the file's bytes as a raw stream (constant memory); resolves with the server's JSON. */
async function streamTo(
  { api, onBytes, authorization }: Pick<UploadOptions, 'api' | 'onBytes' | 'authorization'>,
  path: string,
  fsPath: string,
  agent: http.Agent,
  size?: bigint,
  tap?: Transform,
): Promise<StoredBlob> {
  const source = createReadStream(fsPath, { highWaterMark: 1 << 20 });
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', ...authHeader(authorization) };
  if (size !== undefined) headers['content-length'] = size.toString();
  const res = await send(
    new URL(path, api),
    'PUT',
    agent,
    headers,
    tap ? [source, tap, progress(onBytes)] : [source, progress(onBytes)],
  );
  return (res.text ? safeJson(res.text) : {}) as StoredBlob;
}

/** Reports each chunk's length as it passes. */
function progress(onBytes?: (delta: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      onBytes?.(chunk.length);
      callback(null, chunk);
    },
  });
}

async function postJson<T>(api: string, path: string, body: unknown, authorization?: string): Promise<T> {
  const response = await fetch(new URL(path, api), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader(authorization) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? safeJson(text) : undefined;
  if (!response.ok) throw new ApiRequestError(response.status, parsed ?? {});
  return parsed as T;
}
