import {
  BadRequestException,
  createParamDecorator,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import { catchError, type Observable, throwError } from 'rxjs';
import { jsonBodySource } from '../../../common/body/raw-json-body';
import type { ErrorDetail } from '../../../common/errors/domain-error';
import type { FileListResult } from './file-list';
import { FileListPool } from './file-list.pool';

const PREPARED = Symbol('upstream:prepared-file-list');
type WithPrepared = Request & { [PREPARED]?: FileListResult };

/**
 * Prepares a registration's `files` (`FileListPool`: checked, sorted, hashed; in a worker thread
 * for long lists) before the validation pipe runs on the rest of the body, after the guards (an
 * anonymous caller costs no hashing). When both refuse, the answer names the DTO's fields and the
 * files' together, as one validation did before.
 */
@Injectable()
export class PrepareFileListInterceptor implements NestInterceptor {
  constructor(private readonly pool: FileListPool) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<WithPrepared>();
    const { raw, parsed } = jsonBodySource(req);
    const prepared = await this.pool.prepare(raw, (parsed as { files?: unknown } | null)?.files);
    req[PREPARED] = prepared;
    if (prepared.ok) return next.handle();
    return next.handle().pipe(catchError((error: unknown) => throwError(() => withFileErrors(error, prepared.errors))));
  }
}

/** The handler's prepared file list (set by PrepareFileListInterceptor). */
export const PreparedFileList = createParamDecorator((_data: unknown, context: ExecutionContext): FileListResult => {
  const prepared = context.switchToHttp().getRequest<WithPrepared>()[PREPARED];
  if (prepared === undefined) throw new Error('PreparedFileList needs PrepareFileListInterceptor on the route');
  return prepared;
});

/** The validation pipe's refusal with the files' refusals added. */
function withFileErrors(error: unknown, fileErrors: ErrorDetail[]): unknown {
  if (!(error instanceof BadRequestException)) return error;
  const response = error.getResponse() as { error?: string; details?: ErrorDetail[] };
  if (response.error !== 'VALIDATION_FAILED' || !Array.isArray(response.details)) return error;
  const details = [...response.details, ...fileErrors];
  return new BadRequestException({
    error: 'VALIDATION_FAILED',
    message: details.map((d) => `${d.field}: ${d.reason}`).join('; '),
    details,
  });
}
