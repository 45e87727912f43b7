import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { hashMessage } from 'ethers';
import { SiweMessage } from 'siwe';
import { normaliseAddress, type Address } from '@upstream/api-contract';
import { ChainService } from '../chain/chain.service';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { accessError } from './access.errors';
import { CredentialsRepository, type ApiKeyRow } from './credentials.repository';
import type { Principal, Scope } from './principal';
import { SignatureVerifier } from './signature-verifier';
import { API_KEY_PREFIX, hashToken, looksLikeToken, mintToken, SESSION_PREFIX } from './tokens';

/** How long a sign-in nonce may wait for its signed message. */
const NONCE_TTL_SECONDS = 10 * 60;
/** How far a message's `Issued At` may lie in the future (clock skew). */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** An API key's last use is written at most this often (a download sends many requests). */
const KEY_USE_RESOLUTION_MS = 60 * 1000;
/**
 * How long a verified credential is trusted without reading it again. Revoking on this replica takes
 * effect at once; on another replica, within this time. Keeps the guard off the database on hot paths
 * (a training cluster's range requests).
 */
const CREDENTIAL_CACHE_MS = 5_000;
const CREDENTIAL_CACHE_MAX = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SignInContext {
  /** The host the client reached (`Host` header); the message's domain must be it unless PUBLIC_URL names one. */
  host: string | undefined;
  ip?: string;
  userAgent?: string;
}

export interface SiweChallenge {
  nonce: string;
  expiresAt: Date;
  domain: string | undefined;
  uri: string | undefined;
  chainId: number;
}

/**
 * Identity: Sign-In with Ethereum (EIP-4361) opens a server-side session; a signed-in account mints
 * API keys for its machines. Tokens are opaque and random; the database keeps only their SHA-256.
 * The signature check accepts EOAs and ERC-1271 contract wallets alike (`SignatureVerifier`).
 */
@Injectable()
export class AuthService {
  /** Credentials verified in the last CREDENTIAL_CACHE_MS, by the base64 of their token's SHA-256. */
  private readonly verified = new Map<string, { principal: Principal; expiresAt: number; until: number }>();

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly credentials: CredentialsRepository,
    private readonly signatures: SignatureVerifier,
    private readonly chain: ChainService,
  ) {}

  private get publicUrl(): URL | undefined {
    return this.runtime.config.publicUrl === undefined ? undefined : new URL(this.runtime.config.publicUrl);
  }

  async challenge(): Promise<SiweChallenge> {
    const nonce = randomBytes(16).toString('hex');
    const expiresAt = await this.credentials.issueNonce(nonce, NONCE_TTL_SECONDS);
    const url = this.publicUrl;
    return { nonce, expiresAt, domain: url?.host, uri: url?.origin, chainId: this.chain.chainId };
  }

  /** Verifies a signed SIWE message and opens a session; every refusal is 401 SIWE_INVALID naming what failed. */
  async signIn(
    text: string,
    signature: string,
    context: SignInContext,
  ): Promise<{ token: string; account: Address; expiresAt: Date }> {
    let message: SiweMessage;
    try {
      message = new SiweMessage(text);
    } catch (error) {
      throw siweInvalid(
        'message',
        `is not an EIP-4361 message (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const account = normaliseAddress(message.address);
    if (account === undefined) throw siweInvalid('message', 'its address is not an address');

    const domain = this.publicUrl?.host ?? context.host;
    if (domain === undefined || message.domain.toLowerCase() !== domain.toLowerCase())
      throw siweInvalid('message', `domain ${message.domain} is not this service (${domain ?? 'unknown host'})`);
    let uri: URL;
    try {
      uri = new URL(message.uri);
    } catch {
      throw siweInvalid('message', `URI ${message.uri} is not a URL`);
    }
    if (uri.host.toLowerCase() !== domain.toLowerCase())
      throw siweInvalid('message', `URI ${message.uri} is not on ${domain}`);
    if (message.chainId !== this.chain.chainId)
      throw siweInvalid('message', `chain id ${message.chainId} is not this service's chain (${this.chain.chainId})`);

    const now = Date.now();
    const issuedAt = Date.parse(message.issuedAt ?? '');
    if (!Number.isFinite(issuedAt) || issuedAt > now + CLOCK_SKEW_MS)
      throw siweInvalid('message', 'Issued At is missing or in the future');
    if (issuedAt < now - NONCE_TTL_SECONDS * 1000)
      throw siweInvalid('message', 'was issued too long ago; sign a fresh one');
    const expiration = message.expirationTime === undefined ? undefined : Date.parse(message.expirationTime);
    if (expiration !== undefined && !(expiration > now)) throw siweInvalid('message', 'has expired');
    if (message.notBefore !== undefined && !(Date.parse(message.notBefore) <= now))
      throw siweInvalid('message', 'is not valid yet (Not Before)');

    const check = await this.signatures.check(hashMessage(message.prepareMessage()), signature, account);
    if (!check.valid) throw siweInvalid('signature', `is not ${account}'s: ${check.reason}`);
    // Last, so a bad signature does not burn the nonce of the client's next attempt.
    if (!(await this.credentials.consumeNonce(message.nonce)))
      throw siweInvalid('message', 'its nonce was not issued by this service, was already used, or expired');

    const ttl = now + this.runtime.config.sessionTtlHours * 3600 * 1000;
    const expiresAt = new Date(Math.min(ttl, expiration ?? ttl));
    const { token, hash } = mintToken(SESSION_PREFIX);
    await this.credentials.createSession(hash, account, expiresAt, context);
    return { token, account, expiresAt };
  }

  /** The principal behind a bearer token; 401 when it is unknown, expired or revoked. */
  async authenticate(token: string, ip: string | undefined): Promise<Principal> {
    if (!looksLikeToken(token)) throw credentialInvalid('is not an Upstream session token or API key');
    const hash = hashToken(token);
    const key = hash.toString('base64');
    const cached = this.verified.get(key);
    const now = Date.now();
    if (cached && cached.until > now && cached.expiresAt > now) return cached.principal;
    this.verified.delete(key);
    const row = await this.credentials.findCredential(hash);
    if (!row) throw credentialInvalid('is not known (signed out, or never issued)');
    if (row.revoked_at) throw credentialInvalid(`was revoked at ${row.revoked_at.toISOString()}`);
    if (row.expires_at.getTime() <= Date.now()) throw credentialInvalid(`expired at ${row.expires_at.toISOString()}`);
    if (
      row.kind === 'api-key' &&
      (row.last_used_at === null ||
        row.last_used_ip !== (ip ?? null) ||
        Date.now() - row.last_used_at.getTime() > KEY_USE_RESOLUTION_MS)
    ) {
      await this.credentials.recordKeyUse(row.id, ip);
    }
    const principal: Principal = {
      account: row.account,
      via: row.kind,
      credentialId: row.id,
      scopes: row.scopes ?? [],
    };
    if (this.verified.size >= CREDENTIAL_CACHE_MAX) this.verified.clear();
    this.verified.set(key, { principal, expiresAt: row.expires_at.getTime(), until: now + CREDENTIAL_CACHE_MS });
    return principal;
  }

  /** Stops trusting cached credentials that were just revoked here. */
  private forget(match: (principal: Principal) => boolean): void {
    for (const [key, entry] of this.verified) if (match(entry.principal)) this.verified.delete(key);
  }

  async signOut(principal: Principal): Promise<void> {
    if (principal.via === 'session') await this.credentials.revokeSession(principal.credentialId);
    else await this.credentials.revokeApiKey(principal.account, principal.credentialId);
    this.forget((p) => p.credentialId === principal.credentialId);
  }

  async signOutEverywhere(principal: Principal): Promise<number> {
    const revoked = await this.credentials.revokeSessionsOf(principal.account);
    this.forget((p) => p.account === principal.account && p.via === 'session');
    return revoked;
  }

  async createApiKey(
    principal: Principal,
    label: string,
    scopes: Scope[],
    expiresInDays: number,
  ): Promise<{ key: string; row: ApiKeyRow }> {
    const { token, hash } = mintToken(API_KEY_PREFIX);
    const expiresAt = new Date(Date.now() + expiresInDays * 86_400_000);
    const row = await this.credentials.createApiKey(hash, principal.account, label, [...new Set(scopes)], expiresAt);
    return { key: token, row };
  }

  listApiKeys(principal: Principal): Promise<ApiKeyRow[]> {
    return this.credentials.listApiKeys(principal.account);
  }

  async revokeApiKey(principal: Principal, id: string): Promise<ApiKeyRow> {
    const row = UUID.test(id) ? await this.credentials.revokeApiKey(principal.account, id.toLowerCase()) : undefined;
    if (!row)
      throw accessError('API_KEY_NOT_FOUND', `id: this account has no API key ${id}`, [
        { field: 'id', reason: 'no such key of this account' },
      ]);
    this.forget((p) => p.credentialId === row.id);
    return row;
  }
}

function siweInvalid(field: 'message' | 'signature', reason: string) {
  return accessError('SIWE_INVALID', `${field}: ${reason}`, [{ field, reason }]);
}

function credentialInvalid(reason: string) {
  return accessError('CREDENTIAL_INVALID', `authorization: the credential ${reason}`, [
    { field: 'authorization', reason },
  ]);
}
