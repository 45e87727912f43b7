import type { Address } from '@upstream/api-contract';

/** What an API key may be allowed to do; a session may do all of them. */
export const SCOPES = ['read', 'upload', 'download', 'runs:write'] as const;
export type Scope = (typeof SCOPES)[number];

/** The signed-in caller of a request: an account, and the credential it came with. */
export interface Principal {
  account: Address;
  via: 'session' | 'api-key';
  /** The session's or the key's id. */
  credentialId: string;
  /** An API key's scopes; a session holds every scope. */
  scopes: readonly Scope[];
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.via === 'session' || principal.scopes.includes(scope);
}
