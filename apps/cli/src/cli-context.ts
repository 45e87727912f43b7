import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { JsonRpcProvider, Wallet } from 'ethers';

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
    readonly body: { error?: string; message?: string; details?: { field: string; reason: string }[] },
  ) {
    super(`${status} ${body.error ?? ''}: ${body.message ?? ''}`.trim());
  }
}

/** A small JSON client for the Upstream API; errors carry the server's field-named details. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new ApiRequestError(response.status, parsed ?? {});
    return parsed as T;
  }
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
    process.stdout.write(JSON.stringify(json, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
  } else {
    process.stdout.write(text() + '\n');
  }
}
