import http from 'node:http';
import net from 'node:net';
import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * Sends `body` byte for byte (supertest would serialize a Buffer as JSON).
 */
function raw(baseUrl: string, path: string, headers: Record<string, string>, body: Buffer, method = 'POST') {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, {
      method,
      headers: { ...headers, 'content-length': String(body.length) },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A refusal in the one error shape, naming `field`. */
function expectRefusal(res: Response | RawResponse, status: number, error: string, field: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(res.text) as { statusCode: number; error: string; details: { field: string }[] };
  expect(body).toMatchObject({ statusCode: status, error });
  expect(body.details.map((d) => d.field)).toContain(field);
}

describe('request shape: a body is refused before anything reads it, in the one error shape', () => {
  let t: TestApp;
  let asLab: TestAgent;

  beforeAll(async () => {
    t = await startTestApp({}, { validateResponses: true });
    asLab = await t.as(2);
  });
  afterAll(async () => {
    await t?.close();
  });

  const postJson = (body: string, path = '/auth/session') =>
    t.http.post(path).set('content-type', 'application/json').send(body);

  describe('JSON bodies', () => {
    it('refuses nesting deeper than 32 levels (5,000 levels gave a 500)', async () => {
      expectRefusal(await postJson('['.repeat(5000) + ']'.repeat(5000)), 400, 'MALFORMED_BODY', 'body');
      expectRefusal(await postJson(`{"a":${'['.repeat(32)}${']'.repeat(32)}}`), 400, 'MALFORMED_BODY', 'body');
      // 32 levels parse, and the validators answer for the fields.
      expectRefusal(await postJson(`{"a":${'['.repeat(31)}${']'.repeat(31)}}`), 400, 'VALIDATION_FAILED', 'a');
    });

    it('refuses a repeated key, naming its path (the last one used to win)', async () => {
      expectRefusal(await postJson('{"message":"a","signature":"0x","message":"b"}'), 400, 'MALFORMED_BODY', 'message');
      expectRefusal(await postJson('{"a":[{"b":1},{"b":1,"c":2,"\\u0062":3}]}'), 400, 'MALFORMED_BODY', 'a[1].b');
      // The same key in sibling objects is no repetition.
      expectRefusal(await postJson('{"a":{"b":1},"c":{"b":1}}'), 400, 'VALIDATION_FAILED', 'a');
    });

    it('refuses __proto__, constructor and prototype keys, naming their path (they were dropped unseen)', async () => {
      expectRefusal(
        await postJson('{"message":"a","signature":"0x","__proto__":null}'),
        400,
        'MALFORMED_BODY',
        '__proto__',
      );
      expectRefusal(
        await postJson('{"message":{"constructor":{"prototype":1}}}'),
        400,
        'MALFORMED_BODY',
        'message.constructor',
      );
      const nested = await asLab
        .post('/datasets')
        .set('content-type', 'application/json')
        .send('{"owners":[{"account":"0x","prototype":1}]}');
      expectRefusal(nested, 400, 'MALFORMED_BODY', 'owners[0].prototype');
    });

    it('names an empty key as [""] (the detail named no field)', async () => {
      expectRefusal(await postJson('{"message":"a","signature":"0x","":1}'), 400, 'VALIDATION_FAILED', '[""]');
      const keys = await asLab.post('/auth/keys').send({ label: 'k', scopes: ['read'], '': null });
      expectRefusal(keys, 400, 'VALIDATION_FAILED', '[""]');
    });

    it("names Content-Encoding when the body is not what it says (zlib's refusal named the request)", async () => {
      const deflate = { 'content-type': 'application/json', 'content-encoding': 'deflate' };
      expectRefusal(
        await raw(t.baseUrl, '/blobs/missing', deflate, Buffer.from('{"sha256s":[]}')),
        400,
        'MALFORMED_BODY',
        'Content-Encoding',
      );
      const gzip = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
      expectRefusal(
        await raw(t.baseUrl, '/auth/session', gzip, Buffer.from('{}')),
        400,
        'MALFORMED_BODY',
        'Content-Encoding',
      );
    });

    it('refuses bytes that are not UTF-8 (they were stored as U+FFFD)', async () => {
      const body = Buffer.concat([Buffer.from('{"message":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      const json = { 'content-type': 'application/json' };
      expectRefusal(await raw(t.baseUrl, '/auth/session', json, body), 400, 'MALFORMED_BODY', 'body');
      const utf16 = { 'content-type': 'application/json; charset=utf-16le' };
      const res = await raw(t.baseUrl, '/auth/session', utf16, Buffer.from('{}', 'utf16le'));
      expectRefusal(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
    });

    it('names the body when it is not JSON', async () => {
      expectRefusal(await postJson('{"message":'), 400, 'MALFORMED_BODY', 'body');
      expectRefusal(await postJson('"just a string"'), 400, 'MALFORMED_BODY', 'body');
    });
  });

  describe('text fields refuse NUL and other control characters, naming the field (they gave 500)', () => {
    const unclean = (res: Response, field: string) => {
      expectRefusal(res, 400, 'VALIDATION_FAILED', field);
      const details = (JSON.parse(res.text) as { details: { field: string; reason: string }[] }).details;
      expect(details.find((d) => d.field === field)?.reason).toMatch(/control characters|valid Unicode/);
      return details.map((d) => d.field);
    };

    it('in bodies: titles, descriptions, URIs, paths, model names, labels', async () => {
      const dataset = await asLab.post('/datasets').send({
        title: 'cats\u0000',
        description: 'two lines\nand a\ttab',
        externalUri: 's3://bucket/\u0007',
        files: [{ path: 'a\u001b[31m.txt', size: '1', sha256: 'ab'.repeat(32) }],
      });
      const fields = unclean(dataset, 'title');
      unclean(dataset, 'externalUri');
      unclean(dataset, 'files[0].path');
      expect(fields).not.toContain('description');
      unclean(await asLab.post('/datasets').send({ title: 'ok', description: 'nul\u0000' }), 'description');
      unclean(await asLab.post('/runs').send({ modelName: 'model\u0000' }), 'modelName');
      unclean(await asLab.post('/auth/keys').send({ label: 'key\u0085', scopes: ['read'] }), 'label');
      const url = await asLab.post(`/datasets/${'0x' + '00'.repeat(32)}/files/url`).send({ path: 'a\u0000' });
      unclean(url, 'path');
    });

    it('and text that is not valid Unicode (a lone surrogate would be stored as U+FFFD)', async () => {
      const res = await asLab.post('/datasets').set('content-type', 'application/json').send('{"title":"a\\ud800b"}');
      unclean(res, 'title');
    });

    it('in query strings: ?q=, ?cursor=, ?path=', async () => {
      unclean(await t.http.get('/datasets?q=cats%00'), 'q');
      unclean(await t.http.get('/datasets?cursor=%00'), 'cursor');
      unclean(await t.http.get(`/datasets/${'0x' + '00'.repeat(32)}/files/proof?path=a%00`), 'path');
      unclean(await t.http.get(`/datasets/${'0x' + '00'.repeat(32)}/files/content?path=a%01`), 'path');
    });
  });

  describe('content types', () => {
    it('refuse a body that is not JSON on a JSON route', async () => {
      const form = await t.http.post('/auth/session').type('form').send('message=a&signature=b');
      expectRefusal(form, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
      const text = await asLab.post('/blobs/missing').set('content-type', 'text/plain').send('{"sha256s":[]}');
      expectRefusal(text, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
    });

    it('refuse JSON on PUT /blobs (it stored an empty blob and answered 200)', async () => {
      const json = await asLab.put('/blobs').set('content-type', 'application/json').send('{"a":1}');
      expectRefusal(json, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
      const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
      expectRefusal(await asLab.get(`/blobs/${empty}`), 404, 'BLOB_NOT_FOUND', 'sha256');
      const bytes = await asLab.put('/blobs').set('content-type', 'application/octet-stream').send(Buffer.from('x'));
      expect(bytes.status, bytes.text).toBe(200);
    });
  });
  describe('refusals outside Nest come in the one error shape too', () => {
    it('tus: a missing or other Tus-Resumable, malformed tus headers, a method tus lacks (they were plain text)', async () => {
      const tus = { 'Tus-Resumable': '1.0.0' };
      expectRefusal(
        await asLab.post('/uploads').set('Upload-Length', '4'),
        412,
        'TUS_VERSION_UNSUPPORTED',
        'Tus-Resumable',
      );
      const old = await asLab.post('/uploads').set({ 'Tus-Resumable': '0.2.2', 'Upload-Length': '4' });
      expectRefusal(old, 412, 'TUS_VERSION_UNSUPPORTED', 'Tus-Resumable');
      expect(old.headers['tus-version']).toBe('1.0.0');
      const length = await asLab.post('/uploads').set({ ...tus, 'Upload-Length': '4x' });
      expectRefusal(length, 400, 'VALIDATION_FAILED', 'Upload-Length');
      expectRefusal(await asLab.post('/uploads').set(tus), 400, 'VALIDATION_FAILED', 'Upload-Length');
      const metadata = await asLab.post('/uploads').set({ ...tus, 'Upload-Length': '4', 'Upload-Metadata': 'a b c' });
      expectRefusal(metadata, 400, 'VALIDATION_FAILED', 'Upload-Metadata');
      const concat = await asLab.post('/uploads').set({ ...tus, 'Upload-Concat': 'partial', 'Upload-Length': '4' });
      expectRefusal(concat, 400, 'VALIDATION_FAILED', 'Upload-Concat');
      expectRefusal(await asLab.put('/uploads').set(tus), 404, 'UPLOAD_NOT_FOUND', 'method');
      const created = await asLab.post('/uploads').set({ ...tus, 'Upload-Length': '4' });
      expect(created.status, created.text).toBe(201);
    });

    it('a refusal on a route that answers another media type is JSON (croissant kept its ld+json label)', async () => {
      const res = await t.http.get('/runs/%00/croissant?limit=1&limit=2');
      expectRefusal(res, 400, 'VALIDATION_FAILED', 'limit');
    });

    it('a path segment that is not percent-encoding names the path (it named the request)', async () => {
      const res = await raw(t.baseUrl, '/blobs/%2', {}, Buffer.alloc(0), 'GET');
      expectRefusal(res, 400, 'BAD_REQUEST', 'path');
    });

    it('a path no route answers names the path', async () => {
      expectRefusal(await t.http.get('/no/such/route'), 404, 'NOT_FOUND', 'path');
    });

    it('headers past the limit: 431 with a JSON body (it was empty)', async () => {
      const port = Number(new URL(t.baseUrl).port);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(`GET /chain HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`);
        });
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      const [head, body] = answer.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 431 /);
      expect(head).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(body)).toMatchObject({
        statusCode: 431,
        error: 'HEADERS_TOO_LARGE',
        details: [{ field: 'headers' }],
      });
    });
  });
});
