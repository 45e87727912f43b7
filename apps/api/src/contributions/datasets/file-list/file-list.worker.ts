import type { ContributionMessage, UpstreamDomain } from '@upstream/provenance';
import {
  checkContribution,
  prepareFileList,
  proveFile,
  type ContributionCheck,
  type FileColumns,
  type FileListResult,
  type FileProofResult,
} from './file-list';

/**
 * Worker-thread entry (piscina): parses a registration body and prepares its `files` there, so a
 * 100,000-file list is parsed, checked and hashed off the event loop.
 */
export default async function prepareFileListOfBody(raw: Uint8Array): Promise<FileListResult> {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  const body = JSON.parse(text) as { files?: unknown } | null;
  return prepareFileList(body?.files);
}

/** Named task `proveFile`: a stored dataset's content tree and one file's proof. */
export async function proveFileTask({
  columns,
  path,
}: {
  columns: FileColumns;
  path: string;
}): Promise<FileProofResult | undefined> {
  return proveFile(columns, path);
}

/** Named task `contributionTask`: a long Contribution's checks and EIP-712 digest. */
export function contributionTask({
  domain,
  message,
}: {
  domain: UpstreamDomain;
  message: ContributionMessage;
}): ContributionCheck {
  return checkContribution(domain, message);
}
