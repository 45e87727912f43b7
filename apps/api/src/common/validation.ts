import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { ErrorDetail } from './errors/domain-error';

/** Flattens nested class-validator errors into `{ field: 'owners[0].shareBps', reason }` pairs. */
export function validationDetails(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    // An empty key is named as `[""]`, so that every detail names a field (`""` alone would name none).
    const field = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : error.property === ''
        ? `${prefix}[""]`
        : prefix
          ? `${prefix}.${error.property}`
          : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({ field, reason }));
    return [...own, ...validationDetails(error.children ?? [], field)];
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = validationDetails(errors);
      return new BadRequestException({
        error: 'VALIDATION_FAILED',
        message: details.map((d) => `${d.field}: ${d.reason}`).join('; ') || 'invalid request',
        details,
      });
    },
  });
}
