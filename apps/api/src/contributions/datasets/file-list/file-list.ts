import { normaliseBytes32, normaliseSha256, type Bytes32 } from '@upstream/api-contract';
import { JSONParser } from '@streamparser/json';
// The narrow entry (no EIP-712, no ethers): this module is loaded by every worker thread.
import {
  buildContentTree,
  canonicalOrder,
  contentTreeOfCanonical,
  normalizeEntryPath,
  normalizeFileEntry,
  ProvenanceError,
  type FileEntry,
} from '@upstream/provenance/content';
import { uncleanTextReason } from '../../../common/unclean-text';
import { fileColumnsOf, fileEntriesOf, receivedColumns, type FileColumns } from './file-columns';
import type { ErrorDetail } from '../../../common/errors/domain-error';

const KNOWN_KEYS = new Set(['path', 'size', 'sha256']);
const SIZE_RE = /^\d{1,20}$/;
const MAX_PATH_LENGTH = 4096;
/** Refusals named per request; more would only make the answer big. */
const MAX_NAMED = 100;

/**
 * A registration's file list, checked and in canonical order with its content root, in columns
 * (`FileColumns`) so that it crosses from a worker thread as a few strings, not 100,000 objects.
 */
export type FileListResult =
  | { ok: false; errors: ErrorDetail[] }
  | (FileColumns & {
      ok: true;
      root: string;
      /** For each canonical entry, its index in the body's `files`. */
      bodyIndex: Int32Array;
    });

/**
 * Checks a registration body's `files` with the rules of FileEntryDto (path a clean string of
 * 1–4096 characters, size a decimal string or safe integer below 2^64, sha256 64 hex digits, no
 * other keys), without class-validator (which took ~6 µs a file, seconds for a large list), then
 * normalizes, sorts and hashes them into the content tree. Fields are named by their place in the
 * body (`files[12].sha256`). Pure: runs on the event loop for short lists and in a worker thread
 * for long ones (`FileListPool`), where the list is read as a stream (`registrationOfBody`).
 */
export async function prepareFileList(files: unknown): Promise<FileListResult> {
  if (!Array.isArray(files)) return refusal('files', 'must be an array of { path, size, sha256 }');
  const list = new FileListBuilder();
  for (const item of files) list.add(item);
  return list.finish();
}

/**
 * A registration's files taken one at a time, in body order, as they are parsed: each is checked
 * and normalized at once, so only its canonical entry is kept (never the body's objects).
 */
class FileListBuilder {
  private readonly errors: ErrorDetail[] = [];
  private readonly entries: FileEntry[] = [];
  /** Items seen (the next one's index in the body's `files`). */
  count = 0;

  add(item: unknown): void {
    const i = this.count++;
    const at = `files[${i}]`;
    const refuse = (field: string, reason: string) => {
      if (this.errors.length < MAX_NAMED) this.errors.push({ field, reason });
    };
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return refuse(at, 'must be an object { path, size, sha256 }');
    const entry = item as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!KNOWN_KEYS.has(key)) refuse(`${at}.${key}`, 'is not a known field');
    const { path, size, sha256 } = entry;
    if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH_LENGTH)
      refuse(`${at}.path`, `must be a string of 1 to ${MAX_PATH_LENGTH} characters`);
    else {
      const unclean = uncleanTextReason(path);
      if (unclean) refuse(`${at}.path`, `path ${unclean}`);
    }
    const sizeText = typeof size === 'number' && Number.isSafeInteger(size) ? String(size) : size;
    if (typeof sizeText !== 'string' || !SIZE_RE.test(sizeText))
      refuse(`${at}.size`, 'size must be a non-negative integer (decimal string)');
    const digest = normaliseSha256(sha256);
    if (digest === undefined) refuse(`${at}.sha256`, 'sha256 must be 64 hex digits');
    // After a refusal the rest is only checked, to name more of them.
    if (this.errors.length > 0) return;
    try {
      this.entries.push(normalizeFileEntry({ path: path as string, size: sizeText as string, sha256: digest! }));
    } catch (error) {
      if (!(error instanceof ProvenanceError)) throw error;
      refuse(`${at}.${error.field ?? 'path'}`, error.reason);
    }
  }

  /** The checked list in canonical order with its content root, or every refusal named. */
  async finish(): Promise<FileListResult> {
    if (this.count === 0) return refusal('files', 'files must list at least one file');
    if (this.errors.length > 0) return { ok: false, errors: this.errors };
    let order: number[];
    try {
      order = canonicalOrder(this.entries);
    } catch (error) {
      if (!(error instanceof ProvenanceError)) throw error;
      return refusal('files', error.reason);
    }
    const entries = order.map((i) => this.entries[i]);
    const tree = await contentTreeOfCanonical(entries);
    // Entries are kept only while every item is valid, so entry i is the body's files[i].
    return { ok: true, root: tree.root.toLowerCase(), ...fileColumnsOf(entries), bodyIndex: Int32Array.from(order) };
  }
}

function refusal(field: string, reason: string): FileListResult {
  return { ok: false, errors: [{ field, reason }] };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** A registration's owners and parents as sent (checked for form only; the Contribution's rules come after). */
export interface PartyLists {
  owners: { account: string; shareBps: number }[];
  parents: { datasetId: Bytes32; upstreamBps: number }[];
}

/**
 * Checks a registration body's `owners` and `parents` with the rules of OwnerDto and ParentDto
 * (an address, a bytes32 content root, integer basis points, no other keys), without
 * class-transformer and class-validator (~30 µs a party: 10,000 owners held the event loop for
 * over 150 ms). Shares and lineage rules are the Contribution's (`checkContribution`).
 */
export function prepareParties(body: unknown): { ok: true; lists: PartyLists } | { ok: false; errors: ErrorDetail[] } {
  const { owners, parents = [] } = (typeof body === 'object' && body !== null ? body : {}) as {
    owners?: unknown;
    parents?: unknown;
  };
  const errors: ErrorDetail[] = [];
  const add = (field: string, reason: string) => {
    if (errors.length < MAX_NAMED) errors.push({ field, reason });
  };
  const lists: PartyLists = { owners: [], parents: [] };
  if (!Array.isArray(owners)) add('owners', 'owners must be an array of { account, shareBps }');
  else if (owners.length === 0) add('owners', 'owners must list at least one owner');
  else
    for (let i = 0; i < owners.length; i++) {
      const owner = partyAt(owners, i, 'owners', ['account', 'shareBps'], add);
      if (owner === undefined) continue;
      const { account, shareBps } = owner;
      const accountOk = typeof account === 'string' && ADDRESS.test(account);
      if (!accountOk) add(`owners[${i}].account`, 'account must be a 0x address (40 hex digits)');
      if (!Number.isInteger(shareBps)) add(`owners[${i}].shareBps`, 'shareBps must be an integer number');
      else if (accountOk) lists.owners.push({ account: account, shareBps: shareBps as number });
    }
  if (!Array.isArray(parents)) add('parents', 'parents must be an array of { datasetId, upstreamBps }');
  else
    for (let i = 0; i < parents.length; i++) {
      const parent = partyAt(parents, i, 'parents', ['datasetId', 'upstreamBps'], add);
      if (parent === undefined) continue;
      const datasetId = normaliseBytes32(parent.datasetId);
      if (datasetId === undefined)
        add(`parents[${i}].datasetId`, 'datasetId must be the parent content root: 0x followed by 64 hex digits');
      if (!Number.isInteger(parent.upstreamBps))
        add(`parents[${i}].upstreamBps`, 'upstreamBps must be an integer number');
      else if (datasetId !== undefined) lists.parents.push({ datasetId, upstreamBps: parent.upstreamBps as number });
    }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, lists };
}

/** Item `i` of a party list as an object with only `keys`, or undefined (refusals added). */
function partyAt(
  list: unknown[],
  i: number,
  name: string,
  keys: readonly string[],
  add: (field: string, reason: string) => void,
): Record<string, unknown> | undefined {
  const item = list[i];
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    add(`${name}[${i}]`, `must be an object { ${keys.join(', ')} }`);
    return undefined;
  }
  for (const key of Object.keys(item)) if (!keys.includes(key)) add(`${name}[${i}].${key}`, 'is not a known field');
  return item as Record<string, unknown>;
}

/**
 * A registration's lists, prepared together: the files (checked, canonical order, content root)
 * and the owners and parents (checked for form). Every refusal of the three is named at once.
 */
export type PreparedRegistration =
  { ok: false; errors: ErrorDetail[] } | (Extract<FileListResult, { ok: true }> & PartyLists);

export async function prepareRegistration(body: unknown): Promise<PreparedRegistration> {
  return joined(await prepareFileList((body as { files?: unknown } | null)?.files), prepareParties(body));
}

function joined(files: FileListResult, parties: ReturnType<typeof prepareParties>): PreparedRegistration {
  if (files.ok && parties.ok) return { ...files, ...parties.lists };
  return { ok: false, errors: [...(files.ok ? [] : files.errors), ...(parties.ok ? [] : parties.errors)] };
}

export interface FileProofResult {
  contentRoot: string;
  file: { path: string; size: string; sha256: string };
  proof: string[];
}

/** The content tree of stored files and one file's inclusion proof; undefined when no file has `path`. */
export async function proveFile(columns: FileColumns, path: string): Promise<FileProofResult | undefined> {
  const entries = fileEntriesOf(columns);
  const tree = await buildContentTree(entries);
  let normalized = path;
  try {
    normalized = normalizeEntryPath(path);
  } catch {
    /* an unnormalizable path matches only verbatim */
  }
  const entry = tree.entries.find((e) => e.path === path || e.path === normalized);
  if (entry === undefined) return undefined;
  return {
    contentRoot: tree.root,
    file: { path: entry.path, size: entry.size.toString(), sha256: entry.sha256 },
    proof: tree.proof(entry.path),
  };
}

/*
 * Worker tasks (`OffLoopPool`, named in common/off-loop/off-loop.worker.ts): a registration body
 * parsed and its `files` prepared in the thread; a stored dataset's proof (a long Contribution's
 * check is in contribution-check.ts, loaded by a thread only when it has one to check).
 */

/** A registration body's lists read from its bytes; `parsed` is told when the bytes are no longer needed. */
export async function registrationOfBody(raw: Uint8Array, parsed?: () => void): Promise<PreparedRegistration> {
  const files = new FileListBuilder();
  const parties: { owners?: unknown; parents?: unknown } = {};
  let filesAnArray = true;
  // The long list is read item by item: no whole-body string and no 100,000 objects at once.
  const parser = new JSONParser({ paths: ['$.files.*', '$.owners', '$.parents'], keepStack: false });
  parser.onValue = ({ value, key, stack }) => {
    if (stack.length === 2) {
      if (typeof key === 'number') files.add(value);
      else filesAnArray = false;
    } else if (key === 'owners' || key === 'parents') parties[key] = value;
  };
  try {
    parser.write(raw);
    if (!parser.isEnded) parser.end();
    // No item read: `files` is missing, empty or not an array, and the body is short enough to parse whole.
    if (!filesAnArray || files.count === 0)
      return prepareRegistration(JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')));
  } catch (error) {
    return { ok: false, errors: [{ field: 'body', reason: `is not valid JSON (${(error as Error).message})` }] };
  }
  parsed?.();
  return joined(await files.finish(), prepareParties(parties));
}

export function proveFileTask({
  columns,
  path,
}: {
  columns: FileColumns;
  path: string;
}): Promise<FileProofResult | undefined> {
  return proveFile(receivedColumns(columns), path);
}
