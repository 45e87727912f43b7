import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Principal, Scope } from './principal';

/**
 * Who may call a route. Every route states one; the access guard refuses to start a route without it.
 * - `public`: anyone; a credential, if sent, must be valid and identifies the caller.
 * - `account`: a session, or an API key holding `scope`.
 * - `session`: a session only (managing sign-ins and keys is not for keys).
 * Resource rules (an owner, a licensee) are checked by the feature on top.
 */
export type AccessRule = { kind: 'public' } | { kind: 'account'; scope: Scope } | { kind: 'session' };

export const ACCESS_RULE = 'upstream:access';

/** The OpenAPI extension that carries a route's rule; the document's security and 401/403 answers derive from it. */
export const ACCESS_EXTENSION = 'x-access';

const rule = (value: AccessRule) =>
  applyDecorators(SetMetadata(ACCESS_RULE, value), ApiExtension(ACCESS_EXTENSION, value));

export const Access = {
  public: () => rule({ kind: 'public' }),
  account: (scope: Scope) => rule({ kind: 'account', scope }),
  session: () => rule({ kind: 'session' }),
};

/** The request's caller as the guard resolved it; attached to the request. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/** The signed-in caller (routes guarded `account` or `session` always have one). */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('@Caller() used on a route that does not require an account');
  return principal;
});

/** The caller when one signed in, on a public route. */
export const OptionalCaller = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);
