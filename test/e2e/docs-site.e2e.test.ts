import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsSiteDir, mountDocsSite } from '../../apps/api/src/docs-site/docs-site.static';

@Module({})
class NoRoutesModule {}

/** The docs site's static mount under /docs-site/ (the built VitePress output), on its own. */
describe('docs site: static files under /docs-site/', () => {
  let site: string;
  let app: NestExpressApplication;

  beforeAll(async () => {
    site = mkdtempSync(join(tmpdir(), 'upstream-docs-site-'));
    mkdirSync(join(site, 'assets'));
    mkdirSync(join(site, 'guides'));
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>Upstream</title>');
    writeFileSync(join(site, 'guides/contributor.html'), '<!doctype html><title>Contributor guide</title>');
    writeFileSync(join(site, 'assets/app.Dx1.js'), 'console.log(1)');
    writeFileSync(join(site, '.secret'), 'no');
    app = await NestFactory.create<NestExpressApplication>(NoRoutesModule, { logger: false });
    expect(mountDocsSite(app, site)).toBe(true);
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(site, { recursive: true, force: true });
  });

  it('serves the site’s index at /docs-site/ and redirects /docs-site there', async () => {
    const index = await request(app.getHttpServer()).get('/docs-site/').expect(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.text).toContain('<title>Upstream</title>');
    expect(index.headers['cache-control']).toBe('public, no-cache');
    const bare = await request(app.getHttpServer()).get('/docs-site').expect(301);
    expect(bare.headers.location).toBe('/docs-site/');
  });

  it('serves pages, and hashed assets as immutable', async () => {
    const page = await request(app.getHttpServer()).get('/docs-site/guides/contributor.html').expect(200);
    expect(page.text).toContain('Contributor guide');
    const asset = await request(app.getHttpServer()).get('/docs-site/assets/app.Dx1.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('serves nothing else: no dotfiles, nothing outside the site, nothing at /', async () => {
    await request(app.getHttpServer()).get('/docs-site/.secret').expect(404);
    await request(app.getHttpServer()).get('/docs-site/../package.json').expect(404);
    await request(app.getHttpServer()).get('/docs-site/%2e%2e/package.json').expect(404);
    await request(app.getHttpServer()).get('/index.html').expect(404);
  });

  it('mounts nothing when the site was not built', () => {
    const empty = mkdtempSync(join(tmpdir(), 'upstream-no-site-'));
    try {
      writeFileSync(join(empty, 'package.json'), '{}');
      mkdirSync(join(empty, 'apps/api'), { recursive: true });
      expect(docsSiteDir(join(empty, 'apps/api'))).toBeUndefined();
      mkdirSync(join(empty, 'dist/docs-site'), { recursive: true });
      writeFileSync(join(empty, 'dist/docs-site/index.html'), '');
      expect(docsSiteDir(join(empty, 'apps/api'))).toBe(join(empty, 'dist/docs-site'));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
