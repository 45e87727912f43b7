import { normaliseSha256 } from '@upstream/api-contract';
import type { ErrorDetail } from '../../common/errors/domain-error';

/** Refusals named per request; more would only make the answer big. */
const MAX_NAMED = 100;

/**
 * `POST /blobs/missing`'s digests, checked and normalised (64 lowercase hex digits, a `0x` prefix
 * allowed) and joined by `,`, so they cross from a worker thread, and go to PostgreSQL, as one
 * string.
 */
export type MissingDigestsResult = { ok: true; sha256s: string } | { ok: false; errors: ErrorDetail[] };

export function prepareMissingDigests(body: unknown): MissingDigestsResult {
  const { sha256s } = (typeof body === 'object' && body !== null ? body : {}) as { sha256s?: unknown };
  if (!Array.isArray(sha256s))
    return { ok: false, errors: [{ field: 'sha256s', reason: 'must be an array of SHA-256 digests' }] };
  const digests = new Array<string>(sha256s.length);
  const errors: ErrorDetail[] = [];
  for (let i = 0; i < sha256s.length; i++) {
    const digest = normaliseSha256(sha256s[i]);
    if (digest !== undefined) digests[i] = digest;
    else if (errors.length < MAX_NAMED)
      errors.push({ field: `sha256s[${i}]`, reason: 'must be 64 hex digits (a SHA-256)' });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, sha256s: digests.join(',') };
}

/** Worker task (`OffLoopPool`): a long digest list parsed and checked in the thread. */
export function missingDigestsOfBody(raw: Uint8Array): MissingDigestsResult {
  return prepareMissingDigests(JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')));
}
