import { createHash } from 'node:crypto';
import type { Wallet } from 'ethers';
import { expect } from 'vitest';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import type { TestApp } from './app';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Uploads `files` as `who` and registers them as one dataset (title `dataset of 0x…`, plus `extra`:
 * license, parents, …); answers the new dataset's id and content root.
 */
export async function registerFiles(
  t: TestApp,
  domain: UpstreamDomain,
  who: Wallet,
  files: Record<string, Buffer>,
  extra: object = {},
): Promise<{ id: string; contentRoot: string }> {
  const http = await t.as(who);
  for (const bytes of Object.values(files))
    await http.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200);
  const tree = await buildContentTree(
    Object.entries(files).map(([path, bytes]) => ({ path, size: BigInt(bytes.length), sha256: sha256(bytes) })),
  );
  const body = await signRegistration(who, {
    entries: [...tree.entries],
    contentRoot: tree.root,
    title: `dataset of ${who.address.slice(0, 8)}`,
    domain,
    ...extra,
  });
  const res = await http.post('/datasets').send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; contentRoot: string };
}
