import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { JsonRpcProvider, Wallet } from 'ethers';
import { Authenticator } from './auth/authenticator';
import {
  ROUTES,
  routeUrl,
  type RouteSpec,
  type ApiErrorBody,
  type RouteInput,
  type RouteName,
  type RouteResponse,
} from '@upstream/api-contract';

export interface GlobalOptions {
  api: string;
  json?: boolean;
}

/** Options shared by every subcommand (set on the root program). */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ApiErrorBody>,
  ) {
    super(`${status} ${body.error ?? ''}: ${body.message ?? ''}`.trim());
  }
}

/** A call's arguments: none when the route needs nothing, optional when it takes only a query. */
export type CallArgs<R extends RouteName> =
  object extends RouteInput<R> ? [input?: RouteInput<R>] : [input: RouteInput<R>];

/**
 * A small JSON client for the Upstream API, typed by the routes of @upstream/api-contract; errors carry
 * the server's field-named details. Routes that need an account get the authenticator's credential
 * (signing in if the command has a key); public routes send one if it is at hand. A 401 renews it once.
 */
export class ApiClient {
  readonly auth: Authenticator;

  constructor(
    readonly baseUrl: string,
    auth?: Authenticator,
  ) {
    this.auth = auth ?? new Authenticator(baseUrl);
  }

  /** `api.call('getEpoch', { params: { epoch: 3 } })` answers the route's response type. */
  async call<R extends RouteName>(route: R, ...[input]: CallArgs<R>): Promise<RouteResponse<R>> {
    const { params, query, body } = (input ?? {}) as {
      params?: Record<string, string | number>;
      query?: Record<string, unknown>;
      body?: unknown;
    };
    const spec: RouteSpec = ROUTES[route];
    const path = routeUrl(route, { params, query });
    const needsAccount = spec.access !== undefined;
    let authorization = needsAccount ? await this.auth.ensure() : await this.auth.header();
    let response = await this.send(spec.method, path, body, authorization);
    if (response.status === 401 && (authorization !== undefined || needsAccount) && this.auth.renewable) {
      authorization = await this.auth.renew();
      if (authorization !== undefined || !needsAccount)
        response = await this.send(spec.method, path, body, authorization);
    }
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new ApiRequestError(response.status, parsed ?? {});
    return parsed as RouteResponse<R>;
  }

  /** A public NDJSON route (`streamEpochInputs`), read line by line as it arrives. */
  async lines<R extends RouteName>(route: R, ...[input]: CallArgs<R>): Promise<AsyncIterableIterator<string>> {
    const { params, query } = (input ?? {}) as {
      params?: Record<string, string | number>;
      query?: Record<string, unknown>;
    };
    const response = await this.send(ROUTES[route].method, routeUrl(route, { params, query }), undefined, undefined);
    if (!response.ok || !response.body) {
      const text = await response.text();
      throw new ApiRequestError(response.status, (text ? JSON.parse(text) : {}) as Partial<ApiErrorBody>);
    }
    const lines = createInterface({ input: Readable.fromWeb(response.body), crlfDelay: Infinity });
    return lines[Symbol.asyncIterator]();
  }

  private send(method: string, path: string, body: unknown, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authorization !== undefined) headers.authorization = authorization;
    return fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body:
        body === undefined
          ? undefined
          : JSON.stringify(body, (_key: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    });
  }
}

/** Whether the command has a signing key at hand (so it can sign in by itself). */
export function hasSigningKey(options: { keystore?: string }): boolean {
  return options.keystore !== undefined || Boolean(process.env.UPSTREAM_PRIVATE_KEY);
}

/** The API client of a command: signed in through its key when it has one (see `Authenticator`). */
export function apiClient(api: string, options: { keystore?: string } = {}, rpcUrl?: string): ApiClient {
  const signer = hasSigningKey(options) ? memo(() => loadSigner(options, rpcUrl)) : undefined;
  return new ApiClient(api, new Authenticator(api, signer));
}

function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

/**
 * The signing key: UPSTREAM_PRIVATE_KEY, or an encrypted JSON keystore
 * (`--keystore file`, password from UPSTREAM_KEYSTORE_PASSWORD).
 */
export async function loadSigner(options: { keystore?: string }, rpcUrl?: string): Promise<Wallet> {
  const provider = rpcUrl ? new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1 }) : null;
  if (options.keystore) {
    const password = process.env.UPSTREAM_KEYSTORE_PASSWORD;
    if (password === undefined) throw new Error('UPSTREAM_KEYSTORE_PASSWORD must be set to decrypt --keystore');
    const wallet = await Wallet.fromEncryptedJson(await readFile(options.keystore, 'utf8'), password);
    return new Wallet(wallet.privateKey, provider);
  }
  const key = process.env.UPSTREAM_PRIVATE_KEY;
  if (!key) throw new Error('no signing key: set UPSTREAM_PRIVATE_KEY or pass --keystore <file>');
  return new Wallet(key, provider);
}

/** Prints either JSON (for scripts) or human text. */
export function output(options: GlobalOptions, json: unknown, text: () => string): void {
  if (options.json) {
    process.stdout.write(
      JSON.stringify(json, (_key: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n',
    );
  } else {
    process.stdout.write(text() + '\n');
  }
}
