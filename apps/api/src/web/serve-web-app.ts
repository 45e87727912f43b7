import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/**
 * Where `npm run build` puts the web app (apps/web, built by Vite): dist/apps/web, found from this file
 * both when it runs built (dist/apps/api/src/web) and from source (apps/api/src/web, in the tests).
 */
export function webAppDir(): string | null {
  // From source (apps/api/src/web) the repo is four levels up; built (dist/apps/api/src/web), five. Both
  // candidates end in dist/apps/web: never apps/web itself, the app's source, whose page points at .tsx.
  const candidates = [
    resolve(__dirname, '../../../../dist/apps/web'),
    resolve(__dirname, '../../../../../dist/apps/web'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/** Paths that answer the app's page; the app routes under /app/… itself. No API path starts so. */
const isPagePath = (path: string) => path === '/' || path === '/app' || path.startsWith('/app/');

/**
 * Serves the web app on the API's port, beside the API and outside it: these are static files, not
 * routes (no controller, no @Access rule, not in the OpenAPI document). Caching follows the API's
 * policy for content-addressed bytes: `/assets/*` carry a content hash in their names, so they are
 * `public, max-age=31536000, immutable`; the page itself is `no-cache` (revalidated with its ETag), so
 * a new build is picked up at once. CORS and compression apply as to every response (create-app.ts).
 * Answers false (and serves nothing) when the app was not built.
 */
export function serveWebApp(app: NestExpressApplication, dir: string | null = webAppDir()): boolean {
  if (!dir) return false;
  app.useStaticAssets(join(dir, 'assets'), {
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
    redirect: false,
    fallthrough: true,
  });
  const index = join(dir, 'index.html');
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isPagePath(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        // hash-wasm and the Merkle builder compile WebAssembly; nothing else is evaluated.
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        // The audit page reads the chain from a JSON-RPC endpoint the user names.
        'connect-src *',
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
      ].join('; '),
    );
    res.sendFile(index, (error?: Error) => {
      if (error) next(error);
    });
  });
  return true;
}
