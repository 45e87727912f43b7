import {
  ROUTES,
  routeUrl,
  type ApiErrorBody,
  type RouteInput,
  type RouteName,
  type RouteResponse,
  type RouteSpec,
} from '@upstream/api-contract';

/** A refusal in the API's one error shape: the code, the message and which field, and why. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ApiErrorBody>,
  ) {
    super(body.message ?? `HTTP ${status}`);
  }

  get code(): string {
    return this.body.error ?? `HTTP_${this.status}`;
  }

  get details(): { field: string; reason: string }[] {
    return Array.isArray(this.body.details) ? this.body.details : [];
  }
}

export type CallArgs<R extends RouteName> =
  object extends RouteInput<R> ? [input?: RouteInput<R>] : [input: RouteInput<R>];

let sessionToken: string | null = readStoredToken();

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem('upstream.session');
  } catch {
    return null;
  }
}

/** The signed-in session (SIWE) every later call carries; null signs out of this tab. */
export function setSessionToken(token: string | null): void {
  sessionToken = token;
  try {
    if (token) sessionStorage.setItem('upstream.session', token);
    else sessionStorage.removeItem('upstream.session');
  } catch {
    // Storage refused (private mode): the session lasts as long as the page.
  }
}

/** The session token, for the few calls that do not go through `api` (tus uploads). */
export function currentSessionToken(): string | null {
  return sessionToken;
}

export function hasSession(): boolean {
  return sessionToken !== null;
}

/**
 * Calls a route of the wire contract (@upstream/api-contract) on the origin that served the page, typed
 * by the route table; a refusal throws ApiError with the server's field-named details.
 */
export async function api<R extends RouteName>(route: R, ...[input]: CallArgs<R>): Promise<RouteResponse<R>> {
  const { params, query, body } = (input ?? {}) as {
    params?: Record<string, string | number>;
    query?: Record<string, unknown>;
    body?: unknown;
  };
  const spec: RouteSpec = ROUTES[route];
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (sessionToken) headers.authorization = `Bearer ${sessionToken}`;
  const response = await fetch(routeUrl(route, { params, query }), {
    method: spec.method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { message: text.slice(0, 200) };
  }
  if (!response.ok) {
    // A session the server no longer accepts is dropped, so the next call goes out anonymous.
    if (response.status === 401 && sessionToken) setSessionToken(null);
    throw new ApiError(response.status, parsed ?? {});
  }
  return parsed as RouteResponse<R>;
}
