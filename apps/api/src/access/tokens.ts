import { createHash, randomBytes } from 'node:crypto';

/** Bearer credentials: a kind prefix and 32 random bytes; only their SHA-256 is stored. */
export const SESSION_PREFIX = 'ups_s_';
export const API_KEY_PREFIX = 'ups_k_';
const TOKEN = /^ups_[sk]_[A-Za-z0-9_-]{43}$/;

export function mintToken(prefix: typeof SESSION_PREFIX | typeof API_KEY_PREFIX): { token: string; hash: Buffer } {
  const token = prefix + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function looksLikeToken(value: string): boolean {
  return TOKEN.test(value);
}
