import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { answerClientErrorsInErrorShape } from './common/body/client-errors';
import { jsonBodyParser } from './common/body/json-body-parser';
import { CachePolicyInterceptor } from './common/http/cache-policy.interceptor';
import { compressResponses } from './common/http/compression';
import { corsPolicy } from './common/http/cors-policy';
import { requestLimitsTable, routeLimitsLookup } from './common/body/request-limits';
import { createValidationPipe } from './common/validation';
import { mountDocsSite } from './docs-site/docs-site.static';
import { buildOpenApiDocument } from './openapi/openapi-document';
import type { Runtime } from './runtime/runtime';
import { serveWebApp } from './web/serve-web-app';

/** Builds the HTTP application on resolved infrastructure; shared by main.ts and the e2e tests. */
export async function createApp(runtime: Runtime): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(runtime), {
    bufferLogs: true,
    abortOnError: false,
    // JSON only (jsonBodyParser below); a form or text body on a JSON route is refused with 415.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  // One CORS policy for every route, errors included (before anything that may refuse a request).
  app.use(corsPolicy(runtime.config.corsOrigins));
  app.use(compressResponses());
  app.useGlobalInterceptors(new CachePolicyInterceptor(app.get(Reflector)));
  app.use(jsonBodyParser({ limitsFor: routeLimitsLookup(requestLimitsTable(runtime.config)) }));
  answerClientErrorsInErrorShape(app.getHttpServer());
  serveWebApp(app);
  app.set('trust proxy', runtime.config.trustProxy);

  const document = buildOpenApiDocument(app, runtime.config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  mountDocsSite(app);
  return app;
}
