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
});
