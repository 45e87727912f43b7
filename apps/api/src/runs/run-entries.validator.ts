import { normaliseBytes32, type Bytes32 } from '@upstream/api-contract';
import { buildRunEntriesTree, ProvenanceError, type ProvenanceErrorCode } from '@upstream/provenance';
import { UINT256_MAX } from '../common/number-limits';
import type { ErrorDetail } from '../common/errors/domain-error';

const DECIMAL_RE = /^[0-9]{1,78}$/;
/** Refusals named per request; more would only make the answer big. */
export const MAX_NAMED = 100;

/**
 * Checks a chunk of manifest entries without class-validator (50,000 a request must stay fast):
 * datasetId bytes32 hex (parsed once to a Bytes32), weight a positive integer as a decimal string (or a
 * safe integer), no dataset twice in the chunk. Fields are named by their position in the whole manifest
 * (`entries[offset+i]`).
 */
export function checkRunEntries(
  entries: readonly unknown[],
  offset: number,
): { roots: Bytes32[]; weights: string[]; errors: ErrorDetail[] } {
  const roots: Bytes32[] = new Array<Bytes32>(entries.length);
  const weights: string[] = new Array<string>(entries.length);
  const errors: ErrorDetail[] = [];
  const seen = new Map<string, number>();
  const add = (field: string, reason: string) => {
    if (errors.length < MAX_NAMED) errors.push({ field, reason });
  };
  for (let i = 0; i < entries.length; i++) {
    const at = `entries[${offset + i}]`;
    const entry = entries[i] as { datasetId?: unknown; weight?: unknown } | null;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      add(at, 'must be an object { datasetId, weight }');
      continue;
    }
    for (const key of Object.keys(entry))
      if (key !== 'datasetId' && key !== 'weight') add(`${at}.${key}`, 'is not a known field');
    const { datasetId, weight } = entry;
    const id = normaliseBytes32(datasetId);
    if (id === undefined) {
      add(`${at}.datasetId`, 'must be 0x followed by 64 hex digits (the dataset’s content root)');
    } else {
      const first = seen.get(id);
      if (first !== undefined)
        add(`${at}.datasetId`, `duplicates entries[${offset + first}].datasetId: a dataset is listed once per run`);
      else seen.set(id, i);
      roots[i] = id;
    }
    const w = typeof weight === 'number' && Number.isSafeInteger(weight) ? String(weight) : weight;
    if (typeof w !== 'string' || !DECIMAL_RE.test(w)) {
      add(`${at}.weight`, 'must be a positive integer as a decimal string');
    } else if (/^0+$/.test(w)) {
      add(`${at}.weight`, 'must be greater than zero');
    } else if (w.length > 76 && BigInt(w) > UINT256_MAX) {
      add(`${at}.weight`, 'must fit in uint256');
    } else {
      weights[i] = w;
    }
  }
  return { roots, weights, errors };
}

/**
 * A body's `entries`, checked (`checkRunEntries`) and as columns that cross from a worker thread as
 * two strings: `roots` the datasetIds and `weights` the decimal weights, each joined by `,`.
 * `present` is false when the body has no `entries` (POST /runs may send none). `count` is the
 * number of entries sent, refused or not.
 */
export type RunEntriesResult =
  | { ok: true; present: boolean; count: number; roots: string; weights: string }
  | { ok: false; count: number; errors: ErrorDetail[] };

/**
 * The entries of a run body (`POST /runs`, where they are optional, or a `POST /runs/:id/entries`
 * chunk), named by their position in the whole manifest: the chunk's `offset` is read from the
 * body (a malformed offset counts as 0 here; the DTO refuses it).
 */
export function prepareRunEntries(body: unknown, required: boolean): RunEntriesResult {
  const { entries, offset } = (typeof body === 'object' && body !== null ? body : {}) as {
    entries?: unknown;
    offset?: unknown;
  };
  if (entries === undefined && !required) return { ok: true, present: false, count: 0, roots: '', weights: '' };
  if (!Array.isArray(entries))
    return { ok: false, count: 0, errors: [{ field: 'entries', reason: 'entries must be an array' }] };
  if (required && entries.length === 0)
    return { ok: false, count: 0, errors: [{ field: 'entries', reason: 'entries must not be empty' }] };
  const start = typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0 ? offset : 0;
  const { roots, weights, errors } = checkRunEntries(entries, start);
  if (errors.length > 0) return { ok: false, count: entries.length, errors };
  return { ok: true, present: true, count: entries.length, roots: roots.join(','), weights: weights.join(',') };
}

/** Worker task (`OffLoopPool`): a long run body parsed and its entries prepared in the thread. */
export function runEntriesOfBody({ raw, required }: { raw: Uint8Array; required: boolean }): RunEntriesResult {
  return prepareRunEntries(
    JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')),
    required,
  );
}

/** A staged manifest's entries root and total weight, or the provenance lib's refusal of its entries. */
export type EntriesTreeResult =
  | { ok: true; root: string; totalWeight: string }
  | { ok: false; code: ProvenanceErrorCode; reason: string; field?: string };

/**
 * Worker task (`OffLoopPool`): the entries root of a whole staged manifest, from its columns (`EntryColumns`,
 * as PostgreSQL joined them), with the provenance lib's one implementation (`buildRunEntriesTree`). A
 * million entries hash for seconds: here, not on the event loop, while PostgreSQL copies them.
 */
export async function runEntriesTreeOf({
  roots,
  weights,
}: {
  roots: string;
  weights: string;
}): Promise<EntriesTreeResult> {
  const ids = roots === '' ? [] : roots.split(',');
  const amounts = weights === '' ? [] : weights.split(',');
  try {
    const tree = await buildRunEntriesTree(ids.map((datasetId, i) => ({ datasetId, weight: BigInt(amounts[i]) })));
    return { ok: true, root: tree.root, totalWeight: tree.totalWeight.toString() };
  } catch (error) {
    if (!(error instanceof ProvenanceError)) throw error;
    return { ok: false, code: error.code, reason: error.reason, field: error.field };
  }
}
