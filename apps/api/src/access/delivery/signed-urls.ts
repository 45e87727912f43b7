import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed download URL grants: one file's bytes, to one account, under one dataset, until `expires` (Unix seconds). */
export interface DownloadGrant {
  account: string;
  datasetId: string;
  sha256: string;
  expires: number;
}

/** The query a signed URL carries beside the blob path: `/blobs/<sha256>?account=…&dataset=…&expires=…&sig=…`. */
export function signGrant(secret: Buffer, grant: DownloadGrant): string {
  return createHmac('sha256', secret).update(canonical(grant)).digest('base64url');
}

/** True when `sig` is this service's signature of exactly `grant`; the caller checks the expiry. Constant-time. */
export function grantSignatureValid(secret: Buffer, grant: DownloadGrant, sig: string): boolean {
  const expected = Buffer.from(signGrant(secret, grant), 'base64url');
  const given = Buffer.from(sig, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function canonical(grant: DownloadGrant): string {
  return ['upstream-download-v1', grant.account, grant.datasetId, grant.sha256, String(grant.expires)].join('\n');
}
