import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address } from '@upstream/api-contract';
import { SqlRepository } from '../common/persistence/unit-of-work';
import type { Scope } from './principal';

export interface CredentialRow {
  id: string;
  account: Address;
  kind: 'session' | 'api-key';
  scopes: Scope[] | null;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
}

export interface ApiKeyRow {
  id: string;
  label: string;
  scopes: Scope[];
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
}

/** Sign-in nonces, sessions and API keys. Credentials are stored only as the SHA-256 of their token. */
@Injectable()
export class CredentialsRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  async issueNonce(nonce: string, ttlSeconds: number): Promise<Date> {
    const [row] = await this.db.query<{ expires_at: Date }[]>(
      `INSERT INTO auth_nonces (nonce, expires_at) VALUES ($1, now() + make_interval(secs => $2)) RETURNING expires_at`,
      [nonce, ttlSeconds],
    );
    return row.expires_at;
  }

  /** Marks a nonce used; false when it was never issued, already used, or expired. */
  async consumeNonce(nonce: string): Promise<boolean> {
    const [, count] = await this.db.query<[unknown[], number]>(
      `UPDATE auth_nonces SET used_at = now() WHERE nonce = $1 AND used_at IS NULL AND expires_at > now()`,
      [nonce],
    );
    return count === 1;
  }

  /** Forgets nonces that expired more than a day ago (used ones included: their sessions outlive them by their own expiry). */
  async pruneNonces(): Promise<void> {
    await this.db.query(`DELETE FROM auth_nonces WHERE expires_at < now() - interval '1 day'`);
  }

  async createSession(
    tokenHash: Buffer,
    account: Address,
    expiresAt: Date,
    client: { ip?: string; userAgent?: string },
  ): Promise<string> {
    const [row] = await this.db.query<{ id: string }[]>(
      `INSERT INTO sessions (token_hash, account, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [tokenHash, account, expiresAt, client.ip ?? null, client.userAgent?.slice(0, 256) ?? null],
    );
    return row.id;
  }

  /** The session or API key whose token hashes to `tokenHash`, whatever its state. */
  async findCredential(tokenHash: Buffer): Promise<CredentialRow | undefined> {
    const [row] = await this.db.query<CredentialRow[]>(
      `SELECT id, account, 'session' AS kind, NULL::text[] AS scopes, expires_at, revoked_at, NULL::timestamptz AS last_used_at, NULL AS last_used_ip
         FROM sessions WHERE token_hash = $1
       UNION ALL
       SELECT id, account, 'api-key', scopes, expires_at, revoked_at, last_used_at, last_used_ip
         FROM api_keys WHERE key_hash = $1`,
      [tokenHash],
    );
    return row;
  }

  async revokeSession(id: string): Promise<void> {
    await this.db.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id]);
  }

  /** Ends every session of an account ("sign out everywhere"); its API keys are revoked one by one. */
  async revokeSessionsOf(account: Address): Promise<number> {
    const [, count] = await this.db.query<[unknown, number]>(
      `UPDATE sessions SET revoked_at = now() WHERE account = $1 AND revoked_at IS NULL AND expires_at > now()`,
      [account],
    );
    return count;
  }

  async createApiKey(
    keyHash: Buffer,
    account: Address,
    label: string,
    scopes: Scope[],
    expiresAt: Date,
  ): Promise<ApiKeyRow> {
    const [row] = await this.db.query<ApiKeyRow[]>(
      `INSERT INTO api_keys (key_hash, account, label, scopes, expires_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, label, scopes, created_at, expires_at, revoked_at, last_used_at, last_used_ip`,
      [keyHash, account, label, scopes, expiresAt],
    );
    return row;
  }

  async listApiKeys(account: Address): Promise<ApiKeyRow[]> {
    return this.db.query<ApiKeyRow[]>(
      `SELECT id, label, scopes, created_at, expires_at, revoked_at, last_used_at, last_used_ip
       FROM api_keys WHERE account = $1 ORDER BY created_at DESC, id`,
      [account],
    );
  }

  /** Revokes one of the account's keys and answers it; undefined when it has no such key. Revoking twice is not an error. */
  async revokeApiKey(account: Address, id: string): Promise<ApiKeyRow | undefined> {
    const [rows] = await this.db.query<[ApiKeyRow[], number]>(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE account = $1 AND id = $2
       RETURNING id, label, scopes, created_at, expires_at, revoked_at, last_used_at, last_used_ip`,
      [account, id],
    );
    return rows[0];
  }

  async recordKeyUse(id: string, ip: string | undefined): Promise<void> {
    await this.db.query(`UPDATE api_keys SET last_used_at = now(), last_used_ip = $2 WHERE id = $1`, [id, ip ?? null]);
  }
}
