import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrors } from '../../../apps/api/src/common/errors/api-errors.decorator';

@ApiErrors('VALIDATION_FAILED')
@Controller('things')
class ThingsController {
  @Get(':id')
  @ApiErrors('RUN_NOT_FOUND', ['DATASET_NOT_FOUND', 'the run names no such dataset'], 'RUN_EXISTS')
  get(): string {
    return 'thing';
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

interface ErrorBodySchema {
  required: string[];
  properties: { statusCode: { enum: number[] }; error: { enum: string[] } };
}

describe('@ApiErrors', () => {
  let responses: Record<string, { description: string; content: { 'application/json': { schema: ErrorBodySchema } } }>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const app = await NestFactory.create(ThingsModule, { logger: false });
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    responses = document.paths['/things/{id}'].get!.responses as typeof responses;
    close = () => app.close();
  });
  afterAll(() => close());

  it('lists a route’s codes under the status each code declares, with the codes as the enum of `error`', () => {
    expect(responses['404'].description).toBe('RUN_NOT_FOUND, DATASET_NOT_FOUND (the run names no such dataset)');
    const schema = responses['404'].content['application/json'].schema;
    expect(schema.properties.error.enum).toEqual(['RUN_NOT_FOUND', 'DATASET_NOT_FOUND']);
    expect(schema.properties.statusCode.enum).toEqual([404]);
    expect(schema.required).toEqual(['statusCode', 'error', 'message', 'details']);
    expect(responses['409'].content['application/json'].schema.properties.error.enum).toEqual(['RUN_EXISTS']);
  });

  it('adds a controller’s codes to each of its routes', () => {
    expect(responses['400'].content['application/json'].schema.properties.error.enum).toEqual(['VALIDATION_FAILED']);
  });
});

export function compileTimeRefusals(): void {
  // @ts-expect-error only declared codes can be documented
  void ApiErrors('RUN_NOT_FOUNDD');
  // @ts-expect-error a route documents at least one code
  void ApiErrors();
}
