import {
  BadRequestException,
  createParamDecorator,
  Inject,
  Injectable,
  mixin,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import type { Request } from 'express';
import { catchError, type Observable, throwError } from 'rxjs';
import type { ErrorDetail } from '../errors/domain-error';
import { jsonBodySource, type JsonBodySource } from './raw-json-body';

/** What a preparer makes of its part of a body: a result the handler uses, or the refusals it names. */
export type PreparedPart = { ok: true } | { ok: false; errors: ErrorDetail[] };

/**
 * Reads one long part of a JSON body (a registration's `files`, a run's `entries`, a list of
 * digests) outside the DTO, with the DTO's rules but without class-transformer and
 * class-validator walking every item on the event loop: in a worker thread (`OffLoopPool`) when
 * the body is long, in which case the body reader left that part out of the body it parsed
 * (`parsedOffLoop` in `request-limits.ts`).
 */
export interface BodyPreparer<R extends PreparedPart> {
  prepare(body: JsonBodySource): Promise<R>;
}

const PREPARED = Symbol('upstream:prepared-body');
type WithPrepared = Request & { [PREPARED]?: PreparedPart };

/**
 * An interceptor that runs `preparer` after the guards (an anonymous or unauthorised caller costs
 * no parsing) and before the validation pipe. When the pipe refuses the rest of the body and the
 * part was refused too, the answer names both, as one validation would. The handler reads the
 * result with `@PreparedBody()` and refuses a part that is not ok.
 */
export function PrepareBody<R extends PreparedPart>(preparer: Type<BodyPreparer<R>>): Type<NestInterceptor> {
  @Injectable()
  class PrepareBodyInterceptor implements NestInterceptor {
    constructor(@Inject(preparer) private readonly parts: BodyPreparer<R>) {}

    async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
      const req = context.switchToHttp().getRequest<WithPrepared>();
      const prepared = await this.parts.prepare(jsonBodySource(req));
      req[PREPARED] = prepared;
      if (prepared.ok) return next.handle();
      return next
        .handle()
        .pipe(catchError((error: unknown) => throwError(() => withPartErrors(error, prepared.errors))));
    }
  }
  return mixin(PrepareBodyInterceptor);
}

/** The handler's prepared part of the body (set by the route's `PrepareBody` interceptor). */
export const PreparedBody = createParamDecorator((_data: unknown, context: ExecutionContext): PreparedPart => {
  const prepared = context.switchToHttp().getRequest<WithPrepared>()[PREPARED];
  if (prepared === undefined) throw new Error('@PreparedBody() needs a PrepareBody interceptor on the route');
  return prepared;
});

/** The validation pipe's refusal with the part's refusals added. */
function withPartErrors(error: unknown, partErrors: ErrorDetail[]): unknown {
  if (!(error instanceof BadRequestException)) return error;
  const response = error.getResponse() as { error?: string; details?: ErrorDetail[] };
  if (response.error !== 'VALIDATION_FAILED' || !Array.isArray(response.details)) return error;
  const details = [...response.details, ...partErrors];
  return new BadRequestException({
    error: 'VALIDATION_FAILED',
    message: details.map((d) => `${d.field}: ${d.reason}`).join('; '),
    details,
  });
}
