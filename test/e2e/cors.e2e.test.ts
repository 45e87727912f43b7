import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

/** Browsers may call with credentials only from CORS_ORIGINS; no route answers `*`. */
describe('CORS: configured origins only, never * on routes that take credentials', () => {
  let t: TestApp;
  const allowed = 'https://app.example';

  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: `${allowed}, https://other.example/` });
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(['/datasets', '/auth/session', '/uploads', '/blobs'])(
    'answers a preflight for %s from an allowed origin',
    async (path) => {
      const res = await t.http
        .options(path)
        .set('Origin', allowed)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(res.status).toBeLessThan(300);
      expect(res.headers['access-control-allow-origin']).toBe(allowed);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
    },
  );

  it('gives another origin no CORS grant, on JSON routes and on tus', async () => {
    for (const path of ['/datasets', '/uploads']) {
      const res = await t.http
        .options(path)
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    const tus = await (
      await t.as(3)
    )
      .post('/uploads')
      .set('Origin', 'https://evil.example')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', '1');
    expect(tus.headers['access-control-allow-origin']).toBeUndefined();
    const mine = await (
      await t.as(3)
    )
      .post('/uploads')
      .set('Origin', allowed)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', '1');
    expect(mine.headers['access-control-allow-origin']).toBe(allowed);
  });

  const list = (header: string | undefined) => (header ?? '').split(',').map((h) => h.trim().toLowerCase());

  it.each([
    ['/datasets', 'GET'],
    ['/datasets/00000000-0000-4000-8000-000000000000/files/content', 'GET'],
    [`/blobs/${'ab'.repeat(32)}`, 'GET'],
    ['/uploads/abc123', 'PATCH'],
    ['/uploads/abc123', 'DELETE'],
    ['/licenses', 'POST'],
    ['/runs', 'POST'],
    ['/auth/keys', 'DELETE'],
    ['/docs/json', 'GET'],
    ['/no/such/route', 'PUT'],
  ])(
    'answers a preflight for %s (%s) with the one policy: 204, the origin, credentials, tus headers',
    async (path, method) => {
      const res = await t.http
        .options(path)
        .set('Origin', allowed)
        .set('Access-Control-Request-Method', method)
        .set('Access-Control-Request-Headers', 'authorization,tus-resumable,upload-offset,x-http-method-override');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(allowed);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(list(res.headers['access-control-allow-methods'])).toEqual(expect.arrayContaining([method.toLowerCase()]));
      expect(list(res.headers['access-control-allow-headers'])).toEqual(
        expect.arrayContaining([
          'authorization',
          'content-type',
          'tus-resumable',
          'upload-length',
          'upload-offset',
          'upload-metadata',
          'upload-defer-length',
          'x-http-method-override',
          'range',
          'if-none-match',
        ]),
      );
      expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
      expect(list(res.headers.vary)).toContain('origin');
    },
  );

  it('answers a preflight from another origin with 204 and no grant at all', async () => {
    for (const path of ['/datasets', '/uploads', `/blobs/${'ab'.repeat(32)}`]) {
      const res = await t.http
        .options(path)
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['access-control-allow-headers']).toBeUndefined();
      expect(list(res.headers.vary)).toContain('origin');
    }
  });

  it('grants JSON responses and errors (4xx) to a listed origin, so a page can read them; never *', async () => {
    const responses = [
      await t.http.get('/datasets').set('Origin', allowed).expect(200),
      await t.http.get('/datasets/00000000-0000-4000-8000-000000000000').set('Origin', allowed).expect(404),
      await t.http.get('/auth/keys').set('Origin', allowed).expect(401),
      await t.http.get('/datasets?limit=abc').set('Origin', allowed).expect(400),
      await t.http
        .post('/licenses')
        .set('Origin', allowed)
        .set('Content-Type', 'application/json')
        .send('{"not json')
        .expect(400),
    ];
    for (const res of responses) {
      expect(res.headers['access-control-allow-origin'], `${res.status}`).toBe(allowed);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(list(res.headers['access-control-expose-headers'])).toEqual(
        expect.arrayContaining(['etag', 'x-request-id', 'retry-after']),
      );
      expect(list(res.headers.vary)).toContain('origin');
    }
    for (const origin of ['https://evil.example', undefined]) {
      const req = t.http.get('/datasets/00000000-0000-4000-8000-000000000000');
      const res = await (origin ? req.set('Origin', origin) : req).expect(404);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(list(res.headers.vary)).toContain('origin');
    }
  });

  it('lets a page read the tus headers of an upload, and answers tus discovery (plain OPTIONS) with the grant', async () => {
    const created = await (
      await t.as(3)
    )
      .post('/uploads')
      .set('Origin', allowed)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', '5');
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe(allowed);
    expect(created.headers['access-control-allow-credentials']).toBe('true');
    expect(list(created.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining([
        'location',
        'upload-offset',
        'upload-length',
        'upload-expires',
        'upload-sha256',
        'tus-resumable',
        'tus-version',
        'tus-extension',
        'tus-max-size',
      ]),
    );

    const stranger = await (
      await t.as(3)
    )
      .post('/uploads')
      .set('Origin', 'https://evil.example')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', '5');
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
    expect(stranger.headers['access-control-allow-credentials']).toBeUndefined();

    // An OPTIONS that is no preflight (no Access-Control-Request-Method) is tus discovery: tus answers it.
    const discovery = await t.http.options('/uploads').set('Origin', allowed);
    expect(discovery.status).toBe(204);
    expect(discovery.headers['tus-version']).toBe('1.0.0');
    expect(discovery.headers['access-control-allow-origin']).toBe(allowed);
  });
});

describe('CORS with no CORS_ORIGINS: same origin only, preflights still answered', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers preflights with 204 and no grant, instead of a 404', async () => {
    for (const path of ['/datasets', '/uploads', '/auth/session']) {
      const res = await t.http
        .options(path)
        .set('Origin', 'https://app.example')
        .set('Access-Control-Request-Method', 'POST');
      expect(res.status, path).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
    const tus = await (
      await t.as(3)
    )
      .post('/uploads')
      .set('Origin', 'https://app.example')
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', '1');
    expect(tus.headers['access-control-allow-origin']).toBeUndefined();
    expect(tus.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
