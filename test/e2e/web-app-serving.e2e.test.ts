import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webAppDir } from '../../apps/api/src/web/serve-web-app';
import { startTestApp, type TestApp } from '../support/app';
import { ROOT } from '../support/service-process';

// The web app is served on the API's port as static files beside the API (apps/api/src/web): the page
// at / and /app/…, content-hashed assets cached for good, and nothing of it in the API's contract.
describe('web app serving: the page, its assets and their caching, beside an unchanged API', () => {
  let t: TestApp;
  let script: string;

  beforeAll(async () => {
    const dir = webAppDir();
    if (!dir) throw new Error('the web app is not built: run `npm run build` (it writes dist/apps/web)');
    script = readdirSync(join(dir, 'assets')).find((f) => /^index-[\w-]+\.js$/.test(f))!;
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds the built app from the built service too (dist/apps/api), as `npm start` runs it', () => {
    const built = createRequire(__filename)(join(ROOT, 'dist/apps/api/src/web/serve-web-app.js')) as {
      webAppDir(): string | null;
    };
    expect(built.webAppDir()).toBe(join(ROOT, 'dist/apps/web'));
    expect(webAppDir()).toBe(join(ROOT, 'dist/apps/web'));
  });

  it.each(['/', '/app', '/app/datasets', '/app/datasets/some-id', '/app/audit'])(
    'GET %s answers the page, revalidated on every use (no-cache, ETag)',
    async (path) => {
      const res = await t.http.get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers.etag).toBeTruthy();
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.text).toContain(`/assets/${script}`);
      await t.http.get(path).set('If-None-Match', res.headers.etag).expect(304);
    },
  );

  it('serves a hashed asset as immutable for a year, compressed when asked', async () => {
    const res = await t.http.get(`/assets/${script}`).set('Accept-Encoding', 'gzip').expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-encoding']).toBe('gzip');
  });

  it('answers a missing asset with a 404 in the API error shape, not with the page', async () => {
    const res = await t.http.get('/assets/missing-0000.js').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: expect.any(String) });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('leaves the API as it was: JSON routes answer JSON, writes to page paths are not pages', async () => {
    const list = await t.http.get('/datasets').expect(200);
    expect(list.headers['content-type']).toMatch(/^application\/json/);
    expect(list.body).toHaveProperty('items');
    expect((await t.http.post('/app/datasets').send({})).status).toBe(404);
  });

  it('keeps the pages and assets out of the OpenAPI document', async () => {
    const doc = (await t.http.get('/docs/json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p === '/' || p.startsWith('/app') || p.startsWith('/assets'))).toEqual(
      [],
    );
  });
});
