import { prepareFileList, type FileListResult } from './file-list';

/**
 * Worker-thread entry (piscina): parses a registration body and prepares its `files` there, so a
 * 100,000-file list is parsed, checked and hashed off the event loop.
 */
export default async function prepareFileListOfBody(raw: Uint8Array): Promise<FileListResult> {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  const body = JSON.parse(text) as { files?: unknown } | null;
  return prepareFileList(body?.files);
}
