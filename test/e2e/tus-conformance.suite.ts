import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFor, uploadResumable } from '../../apps/cli/src/contribution/resumable-upload';
import { startTestApp, type TestApp } from '../support/app';
import { withClient } from '../support/pg-client';

/**
 * tus 1.0 as the clients people bring speak it: the official tus-js-client (in Node, unmodified)
 * drives the real service through every extension the service advertises, and the CLI's own tus
 * client through the same checks where it has the feature. Each upload must finish without an
 * error or a retry, send every byte once, and leave a blob whose SHA-256 is the file's.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** One HTTP exchange as the client saw it. */
interface Exchange {
  method: string;
  override: string | undefined;
  url: string;
  status: number;
  headers: Record<string, string | undefined>;
  requestHeaders: Record<string, string | undefined>;
}

/** What a tus-js-client upload did: its URL, every exchange, the bytes the server accepted per chunk, errors and retries. */
interface Run {
  url: string | null;
  exchanges: Exchange[];
  chunks: number[];
  errors: Error[];
  /** Why the client wanted to retry, each time it did. */
  retries: string[];
  outcome: 'success' | 'aborted';
}

const SEEN_HEADERS = ['Upload-Offset', 'Upload-Length', 'Upload-Sha256', 'Upload-Expires', 'Location', 'Tus-Resumable'];
const SENT_HEADERS = ['Upload-Offset', 'Upload-Length', 'Upload-Defer-Length', 'Content-Type'];

type TusFile = ConstructorParameters<typeof tus.Upload>[0];
type TusOptions = ConstructorParameters<typeof tus.Upload>[1];
type UrlStorage = NonNullable<TusOptions['urlStorage']>;
/** tus-js-client's Node build exports a file-backed URL storage that its typings leave out. */
const { FileUrlStorage } = tus as unknown as { FileUrlStorage: new (path: string) => UrlStorage };

/** Where the service under test keeps its blobs: settings on top of a fresh DATA_DIR, and how to stop what they need. */
export interface TusConformanceStore {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The conformance suite against one blob store (the local disk by default; S3 in
 * tus-conformance-s3.e2e.test.ts). One service for both clients: the uploader is dev account 3, signed in.
 */
export function describeTusConformance(
  storeName: string,
  store: () => Promise<TusConformanceStore> = async () => ({ env: {}, stop: async () => undefined }),
): void {
  let t: TestApp;
  let work: string;
  let authorization: string;
  let blobStore: TusConformanceStore | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'upstream-tus-'));
    blobStore = await store();
    t = await startTestApp({ DATA_DIR: join(work, 'data'), UPLOAD_RATE_LIMIT_PER_MINUTE: '1000000', ...blobStore.env });
    authorization = `Bearer ${await t.tokenOf(3)}`;
  });
  afterAll(async () => {
    await t?.close();
    await blobStore?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe(`tus 1.0 conformance (${storeName}): the official tus-js-client against the real service`, () => {
    /**
     * Runs one tus-js-client upload to its end. `abortAfterChunks` aborts it (without terminating)
     * once that many chunks were accepted, as a user pausing or a process stopping would.
     */
    function runUpload(
      file: TusFile,
      options: TusOptions,
      control: { abortAfterChunks?: number; resume?: (upload: tus.Upload) => Promise<void> } = {},
    ): Promise<Run> {
      const run: Run = { url: null, exchanges: [], chunks: [], errors: [], retries: [], outcome: 'success' };
      return new Promise<Run>((resolve, reject) => {
        const upload = new tus.Upload(file, {
          endpoint: `${t.baseUrl}/uploads`,
          headers: { Authorization: authorization },
          retryDelays: [0, 200, 500],
          ...options,
          onAfterResponse: (req, res) => {
            const headers: Record<string, string | undefined> = {};
            for (const name of SEEN_HEADERS) headers[name] = res.getHeader(name) ?? undefined;
            const requestHeaders: Record<string, string | undefined> = {};
            for (const name of SENT_HEADERS) requestHeaders[name] = req.getHeader(name) ?? undefined;
            run.exchanges.push({
              method: req.getMethod(),
              override: req.getHeader('X-HTTP-Method-Override') ?? undefined,
              url: req.getURL(),
              status: res.getStatus(),
              headers,
              requestHeaders,
            });
          },
          onChunkComplete: (chunkSize) => {
            run.chunks.push(chunkSize);
            if (control.abortAfterChunks !== undefined && run.chunks.length === control.abortAfterChunks) {
              run.outcome = 'aborted';
              run.url = upload.url;
              upload.abort(false).then(() => resolve(run), reject);
            }
          },
          onShouldRetry: (error) => {
            run.retries.push(error.message);
            return true;
          },
          onError: (error) => {
            run.errors.push(error);
            reject(error);
          },
          onSuccess: () => {
            run.url = upload.url;
            resolve(run);
          },
        });
        const start = control.resume ? control.resume(upload) : Promise.resolve();
        start.then(() => upload.start(), reject);
      });
    }

    /** The run went through without a hitch: no error, no retry, every byte accepted once. */
    function expectClean(run: Run, bytesSent: number) {
      expect(run.errors).toEqual([]);
      expect(run.retries).toEqual([]);
      expect(run.exchanges.filter((e) => e.status >= 300)).toEqual([]);
      expect(run.chunks.reduce((a, b) => a + b, 0)).toBe(bytesSent);
    }

    /** Every write (PATCH, or a POST carrying bytes) answered as tus 1.0 says: an Upload-Offset, 204 for a PATCH. */
    function expectStandardWrites(run: Run) {
      for (const e of run.exchanges) {
        if (e.method === 'PATCH' || e.override === 'PATCH') expect(e.status).toBe(204);
        if (e.method === 'PATCH' || e.override === 'PATCH' || e.requestHeaders['Content-Type'])
          expect(Number(e.headers['Upload-Offset'])).toBeGreaterThan(0);
        expect(e.headers['Tus-Resumable']).toBe('1.0.0');
      }
    }

    /** The service holds these bytes under their SHA-256, and gives them back to their uploader. */
    async function expectStored(bytes: Buffer) {
      const digest = sha256(bytes);
      const res = await fetch(`${t.baseUrl}/blobs/${digest}`, { headers: { authorization } });
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(sha256(body)).toBe(digest);
      expect(body.length).toBe(bytes.length);
    }

    /** The last write's answer and HEAD afterwards both tell the upload is complete, with the digest. */
    async function expectCompleteAt(url: string, bytes: Buffer) {
      const res = await fetch(url, { method: 'HEAD', headers: { authorization, 'Tus-Resumable': '1.0.0' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('upload-offset')).toBe(String(bytes.length));
      expect(res.headers.get('upload-length')).toBe(String(bytes.length));
      expect(res.headers.get('upload-sha256')).toBe(sha256(bytes));
      expect(res.headers.get('cache-control')).toBe('no-store');
    }

    const patches = (run: Run) => run.exchanges.filter((e) => e.method === 'PATCH');

    it('uploads a file in several chunks: POST, then one PATCH per chunk, each 204 with Upload-Offset; the last adds Upload-Sha256', async () => {
      const bytes = randomBytes(3 * MiB + 17);
      const run = await runUpload(bytes, { chunkSize: MiB, metadata: { filename: 'multi.bin' } });

      expectClean(run, bytes.length);
      expectStandardWrites(run);
      expect(run.exchanges.map((e) => e.method)).toEqual(['POST', 'PATCH', 'PATCH', 'PATCH', 'PATCH']);
      const [created] = run.exchanges;
      expect(created.status).toBe(201);
      expect(created.headers.Location).toMatch(/^\/uploads\/[0-9a-zA-Z_-]+$/);
      // expiration: the creation answer and every PATCH that leaves the upload unfinished say when it expires.
      for (const e of [created, ...patches(run).slice(0, -1)])
        expect(Date.parse(e.headers['Upload-Expires'] ?? '')).toBeGreaterThan(Date.now());
      expect(patches(run).map((e) => e.headers['Upload-Offset'])).toEqual(
        [MiB, 2 * MiB, 3 * MiB, bytes.length].map(String),
      );
      const last = patches(run).at(-1)!;
      expect(last.headers['Upload-Sha256']).toBe(sha256(bytes));
      expect(last.headers['Upload-Expires']).toBeUndefined();
      await expectStored(bytes);
      await expectCompleteAt(run.url!, bytes);
    });

    it('resumes an aborted upload by its URL: HEAD, then only the bytes the server lacks', async () => {
      const bytes = randomBytes(2 * MiB + 333);
      const first = await runUpload(bytes, { chunkSize: 512 * KiB }, { abortAfterChunks: 2 });
      expect(first.outcome).toBe('aborted');
      expectClean(first, MiB);
      const head = await fetch(first.url!, { method: 'HEAD', headers: { authorization, 'Tus-Resumable': '1.0.0' } });
      expect(head.headers.get('upload-offset')).toBe(String(MiB));

      const second = await runUpload(bytes, { chunkSize: 512 * KiB, uploadUrl: first.url });
      expectClean(second, bytes.length - MiB);
      expectStandardWrites(second);
      expect(second.exchanges[0]).toMatchObject({ method: 'HEAD', url: first.url, status: 200 });
      expect(second.exchanges.some((e) => e.method === 'POST')).toBe(false);
      expect(patches(second)[0].requestHeaders['Upload-Offset']).toBe(String(MiB));
      expect(second.url).toBe(first.url);
      await expectStored(bytes);
    });

    it('finds a previous upload of the same file in a URL storage, resumes it, and a later run learns it is complete without sending a byte', async () => {
      const bytes = randomBytes(MiB + 4321);
      const path = join(work, 'previous.bin');
      await writeFile(path, bytes);
      const urlStorage = new FileUrlStorage(join(work, 'tus-url-storage.json'));
      const options = { chunkSize: 256 * KiB, urlStorage };
      const file = () => createReadStream(path) as unknown as TusFile;

      const first = await runUpload(file(), options, { abortAfterChunks: 1 });
      expect(first.outcome).toBe('aborted');

      let found: Awaited<ReturnType<tus.Upload['findPreviousUploads']>> = [];
      const resume = async (upload: tus.Upload) => {
        found = await upload.findPreviousUploads();
        expect(found.length).toBeGreaterThan(0);
        upload.resumeFromPreviousUpload(found[0]);
      };
      const second = await runUpload(file(), options, { resume });
      expect(found.map((p) => p.uploadUrl)).toEqual([first.url]);
      expectClean(second, bytes.length - 256 * KiB);
      expectStandardWrites(second);
      expect(second.exchanges[0]).toMatchObject({ method: 'HEAD', url: first.url });
      expect(second.url).toBe(first.url);
      await expectStored(bytes);

      // The URL stays in the storage (removeFingerprintOnSuccess is off): a third run asks, and HEAD says done.
      const third = await runUpload(file(), options, { resume });
      expectClean(third, 0);
      expect(third.exchanges.map((e) => [e.method, e.status])).toEqual([['HEAD', 200]]);
      expect(third.exchanges[0].headers).toMatchObject({
        'Upload-Offset': String(bytes.length),
        'Upload-Sha256': sha256(bytes),
      });
    });

    it('uploads a stream of unknown length (creation-defer-length): the last PATCH names Upload-Length', async () => {
      const bytes = randomBytes(700 * KiB + 5);
      const stream = Readable.from(
        Array.from({ length: Math.ceil(bytes.length / (64 * KiB)) }, (_, i) =>
          bytes.subarray(i * 64 * KiB, (i + 1) * 64 * KiB),
        ),
      );
      const run = await runUpload(stream, { chunkSize: 256 * KiB, uploadLengthDeferred: true });

      expectClean(run, bytes.length);
      expectStandardWrites(run);
      const [created] = run.exchanges;
      expect(created.method).toBe('POST');
      expect(created.requestHeaders['Upload-Defer-Length']).toBe('1');
      expect(created.requestHeaders['Upload-Length']).toBeUndefined();
      const last = patches(run).at(-1)!;
      expect(last.requestHeaders['Upload-Length']).toBe(String(bytes.length));
      expect(last.headers).toMatchObject({ 'Upload-Offset': String(bytes.length), 'Upload-Sha256': sha256(bytes) });
      await expectStored(bytes);
      await expectCompleteAt(run.url!, bytes);
    });

    it('sends a whole file with the POST that creates it (creation-with-upload): 201 with Location, Upload-Offset and the digest', async () => {
      const bytes = randomBytes(300 * KiB + 9);
      const run = await runUpload(bytes, { chunkSize: MiB, uploadDataDuringCreation: true });

      expectClean(run, bytes.length);
      expectStandardWrites(run);
      expect(run.exchanges).toHaveLength(1);
      expect(run.exchanges[0]).toMatchObject({ method: 'POST', status: 201 });
      expect(run.exchanges[0].headers).toMatchObject({
        'Upload-Offset': String(bytes.length),
        'Upload-Sha256': sha256(bytes),
      });
      expect(run.exchanges[0].headers.Location).toMatch(/^\/uploads\/[0-9a-zA-Z_-]+$/);
      await expectStored(bytes);
      await expectCompleteAt(run.url!, bytes);
    });

    it('sends the first chunk with the POST and the rest by PATCH (creation-with-upload, several chunks)', async () => {
      const bytes = randomBytes(MiB + 100);
      const run = await runUpload(bytes, { chunkSize: 512 * KiB, uploadDataDuringCreation: true });

      expectClean(run, bytes.length);
      expectStandardWrites(run);
      expect(run.exchanges.map((e) => [e.method, e.status])).toEqual([
        ['POST', 201],
        ['PATCH', 204],
        ['PATCH', 204],
      ]);
      expect(run.exchanges[0].headers['Upload-Offset']).toBe(String(512 * KiB));
      expect(Date.parse(run.exchanges[0].headers['Upload-Expires'] ?? '')).toBeGreaterThan(Date.now());
      await expectStored(bytes);
    });

    it('uploads through POST with X-HTTP-Method-Override: PATCH (overridePatchMethod), as behind a proxy that drops PATCH', async () => {
      const bytes = randomBytes(MiB + 2 * KiB);
      const run = await runUpload(bytes, { chunkSize: 512 * KiB, overridePatchMethod: true });

      expectClean(run, bytes.length);
      expectStandardWrites(run);
      expect(run.exchanges.map((e) => [e.method, e.override ?? null, e.status])).toEqual([
        ['POST', null, 201],
        ['POST', 'PATCH', 204],
        ['POST', 'PATCH', 204],
        ['POST', 'PATCH', 204],
      ]);
      expect(run.exchanges.at(-1)!.headers['Upload-Sha256']).toBe(sha256(bytes));
      await expectStored(bytes);
    });

    it('terminates an unfinished upload (termination): 204, then the upload is gone and its bytes kept nowhere', async () => {
      const bytes = randomBytes(600 * KiB);
      const run = await runUpload(bytes, { chunkSize: 256 * KiB }, { abortAfterChunks: 1 });
      await tus.Upload.terminate(run.url!, { headers: { Authorization: authorization }, retryDelays: null });
      const head = await fetch(run.url!, { method: 'HEAD', headers: { authorization, 'Tus-Resumable': '1.0.0' } });
      expect(head.status).toBe(404);
      const id = new URL(run.url!).pathname.split('/').pop()!;
      const rows = await withClient(t.database.url, (c) =>
        c.query(`SELECT 1 FROM upload_completions WHERE upload_id = $1`, [id]).then((r) => r.rows),
      );
      expect(rows).toEqual([]);
    });

    it('keeps a finished upload its owner’s: another account gets 404 on HEAD, and the completion lives in PostgreSQL with an expiry', async () => {
      const bytes = randomBytes(100 * KiB);
      const run = await runUpload(bytes, {});
      const other = `Bearer ${await t.tokenOf(4)}`;
      const head = await fetch(run.url!, {
        method: 'HEAD',
        headers: { authorization: other, 'Tus-Resumable': '1.0.0' },
      });
      expect(head.status).toBe(404);
      const id = new URL(run.url!).pathname.split('/').pop()!;
      const [row] = await withClient(t.database.url, (c) =>
        c
          .query<{ sha256: string; size: string; ttl_hours: number }>(
            `SELECT sha256, size::text AS size, extract(epoch FROM expires_at - completed_at) / 3600 AS ttl_hours
           FROM upload_completions WHERE upload_id = $1`,
            [id],
          )
          .then((r) => r.rows),
      );
      expect(row).toMatchObject({ sha256: sha256(bytes), size: String(bytes.length) });
      expect(Number(row.ttl_hours)).toBeCloseTo(24, 5);

      // Once the completion expires, the upload is gone for its owner too (the blob stays).
      await withClient(t.database.url, (c) =>
        c.query(`UPDATE upload_completions SET expires_at = now() - interval '1 second' WHERE upload_id = $1`, [id]),
      );
      const expired = await fetch(run.url!, { method: 'HEAD', headers: { authorization, 'Tus-Resumable': '1.0.0' } });
      expect(expired.status).toBe(404);
      await expectStored(bytes);
    });
  });

  describe(`tus 1.0 conformance (${storeName}): the CLI’s own tus client against the same service`, () => {
    /** A keep-alive agent that notes each request the CLI's tus client makes (method and path). */
    function recordingAgent(): http.Agent & { seen: string[] } {
      const agent = agentFor(t.baseUrl) as http.Agent & {
        seen: string[];
        addRequest(req: http.ClientRequest, options: unknown): void;
      };
      agent.seen = [];
      const addRequest = agent.addRequest.bind(agent);
      agent.addRequest = (req, options) => {
        agent.seen.push(`${req.method} ${req.path.replace(/\/uploads\/[0-9a-zA-Z_-]+$/, '/uploads/:id')}`);
        addRequest(req, options);
      };
      return agent;
    }

    async function fileOf(name: string, bytes: Buffer) {
      const path = join(work, name);
      await writeFile(path, bytes);
      return path;
    }

    /** The resume store's key for a file, as the CLI computes it. */
    async function storeKey(path: string) {
      const info = await stat(path);
      return `${new URL(t.baseUrl).origin} ${await realpath(path)} ${info.size} ${info.mtimeMs}`;
    }

    async function expectStored(bytes: Buffer) {
      const res = await fetch(`${t.baseUrl}/blobs/${sha256(bytes)}`, { headers: { authorization } });
      expect(res.status).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(bytes));
    }

    it('uploads a file: POST, one PATCH answered 204 with Upload-Offset and Upload-Sha256; the digests agree', async () => {
      const bytes = randomBytes(3 * MiB + 17);
      const path = await fileOf('full.bin', bytes);
      const agent = recordingAgent();
      let reported = 0;
      const result = await uploadResumable(path, {
        api: t.baseUrl,
        agent,
        authorization,
        resumeStore: join(work, 'full-store.json'),
        onBytes: (d) => (reported += d),
      });
      agent.destroy();
      expect(result).toEqual({ sha256: sha256(bytes), size: BigInt(bytes.length), uploaded: true });
      expect(agent.seen).toEqual(['POST /uploads', 'PATCH /uploads/:id']);
      expect(reported).toBe(bytes.length);
      await expectStored(bytes);
    });

    it('resumes an upload a tus-js-client run left half-sent, from its URL: HEAD, then only the rest', async () => {
      const bytes = randomBytes(2 * MiB + 5);
      const path = await fileOf('half.bin', bytes);
      // Another client (the official one) created the upload and sent the first MiB.
      const url = await new Promise<string>((resolve, reject) => {
        let chunks = 0;
        const upload: tus.Upload = new tus.Upload(bytes, {
          endpoint: `${t.baseUrl}/uploads`,
          headers: { Authorization: authorization },
          chunkSize: 512 * KiB,
          retryDelays: null,
          onChunkComplete: () => {
            if (++chunks === 2) upload.abort(false).then(() => resolve(upload.url!), reject);
          },
          onError: reject,
        });
        upload.start();
      });
      const store = join(work, 'half-store.json');
      await writeFile(store, JSON.stringify({ [await storeKey(path)]: { url, at: Date.now() } }));

      const agent = recordingAgent();
      const result = await uploadResumable(path, { api: t.baseUrl, agent, authorization, resumeStore: store });
      agent.destroy();
      expect(result).toEqual({ sha256: sha256(bytes), size: BigInt(bytes.length), uploaded: true });
      expect(agent.seen).toEqual(['HEAD /uploads/:id', 'PATCH /uploads/:id']);
      await expectStored(bytes);
    });

    it('learns from HEAD that an upload whose last answer was lost is complete, and sends nothing again', async () => {
      const bytes = randomBytes(MiB + 3);
      const path = await fileOf('lost-answer.bin', bytes);
      // The upload finished on the server, but the run that sent it kept only its URL (it died before the answer).
      const created = await fetch(`${t.baseUrl}/uploads`, {
        method: 'POST',
        headers: { authorization, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(bytes.length) },
      });
      const url = new URL(created.headers.get('location')!, t.baseUrl).toString();
      const patched = await fetch(url, {
        method: 'PATCH',
        headers: {
          authorization,
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
        },
        body: bytes,
      });
      expect(patched.status).toBe(204);
      const store = join(work, 'lost-store.json');
      await writeFile(store, JSON.stringify({ [await storeKey(path)]: { url, at: Date.now() } }));

      const agent = recordingAgent();
      const result = await uploadResumable(path, { api: t.baseUrl, agent, authorization, resumeStore: store });
      agent.destroy();
      expect(result).toEqual({ sha256: sha256(bytes), size: BigInt(bytes.length), uploaded: true });
      expect(agent.seen).toEqual(['HEAD /uploads/:id']);
      await expectStored(bytes);
    });
  });
}
