import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServerResponse } from 'node:http';

/** Where the docs site is served: static files, public, like the catalogue. */
export const DOCS_SITE_PREFIX = '/docs-site/';

/** `dist/docs-site` of the checkout this code runs from (built by `npm run docs:build`, part of `npm run build`). */
export function docsSiteDir(from = __dirname): string | undefined {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const site = join(dir, 'dist/docs-site');
      return existsSync(join(site, 'index.html')) ? site : undefined;
    }
  }
  return undefined;
}

/**
 * Serves the built VitePress site under /docs-site/ when it has been built; otherwise those paths answer
 * the API's own 404. Hashed assets never change (a year, immutable); pages are revalidated.
 */
export function mountDocsSite(app: NestExpressApplication, dir = docsSiteDir()): boolean {
  if (!dir) return false;
  app.useStaticAssets(dir, {
    prefix: DOCS_SITE_PREFIX,
    index: 'index.html',
    redirect: true,
    dotfiles: 'ignore',
    setHeaders: (res: ServerResponse, path: string) => {
      res.setHeader(
        'Cache-Control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'public, no-cache',
      );
    },
  });
  return true;
}
