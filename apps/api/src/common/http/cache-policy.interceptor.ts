import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { ACCESS_RULE, type AccessRule } from '../../access/access.decorator';

/**
 * The caching policy of JSON reads. Every GET answers with a weak ETag and revalidates (`no-cache`:
 * stored, but checked with If-None-Match, which answers 304). A route that needs a caller
 * (`@Access.account`/`session`) answers for that caller only: `private` (no shared cache keeps it)
 * and `Vary: Authorization`. Routes that stream bytes set their own policy (see send-blob.ts);
 * errors are `no-store` (api-exception.filter.ts).
 */
@Injectable()
export class CachePolicyInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next.handle();
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const res = http.getResponse<Response>();
    if (rule !== undefined && rule.kind !== 'public') {
      res.setHeader('Cache-Control', 'private, no-cache');
      res.vary('Authorization');
    } else {
      res.setHeader('Cache-Control', 'no-cache');
    }
    return next.handle();
  }
}
