import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { buildOpenApiDocument } from './openapi-document';

/**
 * `node dist/apps/api/src/openapi/write-openapi.js <file>`: writes the OpenAPI document the API serves at
 * /docs/json without a database or a chain. Nest's preview mode reads the modules and controllers but
 * instantiates nothing, and the document is made from their decorators alone.
 */
async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: write-openapi <file>');
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', WORKER_MODE: 'off' });
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({
      config,
      infrastructure: {
        databaseUrl: 'postgres://unused',
        rpcUrl: 'http://unused',
        operatorPrivateKey: '0x' + '11'.repeat(32),
        deployment: {
          chainId: 31337,
          deployedAtBlock: 0,
          royaltySplitter: `0x${'00'.repeat(20)}` as never,
          provenanceRegistry: `0x${'00'.repeat(20)}` as never,
          paymentToken: null,
        },
        childPids: [],
      },
    }),
    { preview: true, logger: false, abortOnError: false },
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(buildOpenApiDocument(app, config), null, 2) + '\n');
  await app.close();
}

main().catch((error: Error) => {
  process.stderr.write(`write-openapi: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
