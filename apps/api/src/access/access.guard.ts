import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { accessError, unauthenticated } from './access.errors';
import { ACCESS_RULE, type AccessRule, type AuthenticatedRequest } from './access.decorator';
import { AuthService } from './auth.service';
import { hasScope } from './principal';

/**
 * Resolves the caller from `Authorization: Bearer <token>` and enforces the route's `@Access` rule.
 * A credential that is sent must be valid, even on a public route (401 CREDENTIAL_INVALID): a client
 * never gets anonymous answers while believing it is signed in.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule === undefined)
      throw new Error(`${context.getClass().name}.${context.getHandler().name} states no @Access rule`);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(req.headers.authorization);
    if (token !== undefined) req.principal = await this.auth.authenticate(token, req.ip);

    // CORS preflights and tus capability discovery carry no credentials.
    if (rule.kind === 'public' || req.method === 'OPTIONS') return true;
    const principal = req.principal;
    if (!principal) throw unauthenticated();
    if (rule.kind === 'session' && principal.via !== 'session')
      throw accessError('SESSION_REQUIRED', 'authorization: this needs a signed-in session, not an API key', [
        { field: 'authorization', reason: 'needs a session' },
      ]);
    if (rule.kind === 'account' && !hasScope(principal, rule.scope))
      throw accessError('SCOPE_REQUIRED', `authorization: this API key lacks the \`${rule.scope}\` scope`, [
        { field: 'authorization', reason: `needs scope ${rule.scope}` },
      ]);
    return true;
  }
}

/** The token of `Authorization: Bearer <token>`; a malformed header is refused rather than ignored. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match)
    throw accessError('CREDENTIAL_INVALID', 'authorization: must be `Bearer <token>`', [
      { field: 'authorization', reason: 'must be Bearer <token>' },
    ]);
  return match[1];
}
