import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { requestError } from '../errors/common.errors';

const BODY_TYPES = 'upstream:body-content-types';
const JSON_ONLY = ['application/json'];

/**
 * The media types a route's request body may have (every route without it takes JSON only). With
 * `absentMeans`, a body sent without a Content-Type is taken as that type (`PUT /blobs` streams bytes).
 */
export const BodyContentTypes = (types: string[], absentMeans?: string) =>
  SetMetadata(BODY_TYPES, { types, absentMeans } satisfies BodyContentTypeRule);

/** The handler reads the raw request and checks its type itself (the tus protocol's routes). */
export const BodyCheckedByHandler = () => SetMetadata(BODY_TYPES, 'handler' satisfies BodyContentTypeRule);

type BodyContentTypeRule =
  | 'handler'
  | {
      types: string[];
      absentMeans?: string;
    };

/**
 * 415 UNSUPPORTED_MEDIA_TYPE naming `Content-Type` when a request carries a body of a type its route
 * does not take: a form or text body on a JSON route, JSON on `PUT /blobs`. Requests without a body
 * (no Content-Length or 0, no Transfer-Encoding) pass.
 */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || !hasBody(req)) return true;
    const rule = this.reflector.getAllAndOverride<BodyContentTypeRule | undefined>(BODY_TYPES, [
      context.getHandler(),
      context.getClass(),
    ]) ?? { types: JSON_ONLY };
    if (rule === 'handler') return true;
    const sent = req.headers['content-type'];
    if (sent === undefined && rule.absentMeans !== undefined) return true;
    if (sent !== undefined && req.is(rule.types)) return true;
    throw requestError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Content-Type',
      `${sent === undefined ? 'is missing' : `${sent} is not accepted`}: this route takes ${rule.types.join(' or ')}`,
    );
  }
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
