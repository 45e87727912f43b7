import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { answerClientErrorsInErrorShape } from './common/body/client-errors';
import { jsonBodyParser } from './common/body/json-body-parser';
import { createValidationPipe } from './common/validation';
import type { Runtime } from './runtime/runtime';

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
  app.use(jsonBodyParser({ limit: '64mb' }));
  answerClientErrorsInErrorShape(app.getHttpServer());
  app.set('trust proxy', runtime.config.trustProxy);
  // Browsers may call with credentials only from the configured origins (CORS_ORIGINS; never `*`).
  if (runtime.config.corsOrigins.length > 0) {
    app.enableCors({
      origin: runtime.config.corsOrigins,
      credentials: true,
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Range',
        'If-Range',
        'X-Request-Id',
        'Tus-Resumable',
        'Upload-Length',
        'Upload-Offset',
        'Upload-Metadata',
        'Upload-Defer-Length',
        'X-HTTP-Method-Override',
      ],
      exposedHeaders: [
        'Location',
        'Upload-Offset',
        'Upload-Length',
        'Upload-Expires',
        'Upload-Sha256',
        'Tus-Resumable',
        'Content-Range',
        'ETag',
        'X-Request-Id',
        'Retry-After',
      ],
      maxAge: 600,
    });
  }

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Upstream')
      .setDescription(
        'Royalty marketplace for AI training data: provenance of datasets, signed training-run manifests, ' +
          'and royalties split exactly and settled on-chain. Errors are `{ statusCode, error, message, details[] }`.',
      )
      .setVersion('0.1.0')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        description: 'A session token (POST /auth/session) or an API key',
      })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  return app;
}
