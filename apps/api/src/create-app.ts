import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { createValidationPipe } from './common/validation';
import type { Runtime } from './runtime/runtime';

/** Builds the HTTP application on resolved infrastructure; shared by main.ts and the e2e tests. */
export async function createApp(runtime: Runtime): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(runtime), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useBodyParser('json', { limit: '64mb' });
  app.set('trust proxy', 'loopback');

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Upstream')
      .setDescription(
        'Royalty marketplace for AI training data: provenance of datasets, signed training-run manifests, ' +
          'and royalties split exactly and settled on-chain. Errors are `{ statusCode, error, message, details[] }`.',
      )
      .setVersion('0.1.0')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  return app;
}
