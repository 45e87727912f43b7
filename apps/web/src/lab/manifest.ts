// A training-run manifest dropped on the Lab page: JSON (the CLI's `upstream run record` file) or CSV
// (`datasetId,weight` rows), read and checked field by field before anything is signed. Pure: no DOM,
// no network; datasets named by uuid are resolved to their content root by the page.

export const WEIGHT_UNITS = ['tokens', 'bytes', 'samples'] as const;
export type WeightUnit = (typeof WEIGHT_UNITS)[number];

/** A manifest as read, every value still text: what the form shows and the person may correct. */
export interface ManifestDraft {
  modelName: string;
  modelHash: string;
  runRef: string;
  weightUnit: string;
  startedAt: string;
  endedAt: string;
  entries: { datasetId: string; weight: string }[];
}

export interface FieldProblem {
  field: string;
  reason: string;
}

/** A manifest that passed every check: ready to be built into its entries tree and signed. */
export interface CheckedManifest {
  modelName: string;
  modelHash: string;
  runRef: string | null;
  weightUnit: WeightUnit;
  startedAt: number;
  endedAt: number;
  /** Content roots (lower case) or dataset uuids (resolved by the page), with positive integer weights. */
  entries: { datasetId: string; weight: bigint }[];
}

export const EMPTY_DRAFT: ManifestDraft = {
  modelName: '',
  modelHash: '',
  runRef: '',
  weightUnit: 'tokens',
  startedAt: '',
  endedAt: '',
  entries: [],
};

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UINT = /^[0-9]+$/;
const MAX_UINT256 = (1n << 256n) - 1n;

const text = (value: unknown): string =>
  typeof value === 'string'
    ? value.trim()
    : typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean'
      ? String(value)
      : value === undefined || value === null
        ? ''
        : JSON.stringify(value);

/**
 * Reads a dropped manifest file. JSON keeps every field it names (and only those); CSV holds entries only
 * (a `datasetId,weight` header, then one row per dataset), so the run's other fields stay as `base` has them.
 */
export function readManifest(
  fileName: string,
  content: string,
  base: ManifestDraft = EMPTY_DRAFT,
): { draft: ManifestDraft; problems: FieldProblem[] } {
  const trimmed = content.replace(/^\uFEFF/, '').trim();
  const isJson = /\.json$/i.test(fileName) || trimmed.startsWith('{');
  return isJson ? readJson(trimmed, base) : readCsv(trimmed, base);
}

function readJson(content: string, base: ManifestDraft): { draft: ManifestDraft; problems: FieldProblem[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (e) {
    return { draft: base, problems: [{ field: 'manifest', reason: `is not valid JSON (${(e as Error).message})` }] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { draft: base, problems: [{ field: 'manifest', reason: 'must be a JSON object' }] };
  const m = parsed as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const known = new Set(['modelName', 'modelHash', 'runRef', 'weightUnit', 'startedAt', 'endedAt', 'entries']);
  for (const key of Object.keys(m))
    if (!known.has(key)) problems.push({ field: key, reason: 'is not a manifest field' });
  let entries = base.entries;
  if (m.entries !== undefined) {
    if (!Array.isArray(m.entries)) {
      problems.push({ field: 'entries', reason: 'must be a list of { datasetId, weight }' });
      entries = [];
    } else
      entries = m.entries.map((e: unknown, i) => {
        if (typeof e !== 'object' || e === null) {
          problems.push({ field: `entries[${i}]`, reason: 'must be an object { datasetId, weight }' });
          return { datasetId: '', weight: '' };
        }
        const entry = e as Record<string, unknown>;
        return { datasetId: text(entry.datasetId), weight: text(entry.weight) };
      });
  }
  const pick = (key: keyof Omit<ManifestDraft, 'entries'>) => (m[key] === undefined ? base[key] : text(m[key]));
  return {
    draft: {
      modelName: pick('modelName'),
      modelHash: pick('modelHash'),
      runRef: pick('runRef'),
      weightUnit: pick('weightUnit'),
      startedAt: pick('startedAt'),
      endedAt: pick('endedAt'),
      entries,
    },
    problems,
  };
}

const unquote = (cell: string): string => cell.trim().replace(/^"(.*)"$/, '$1');

function readCsv(content: string, base: ManifestDraft): { draft: ManifestDraft; problems: FieldProblem[] } {
  const lines = content.split(/\r?\n/);
  const header = lines[0].split(',').map((c) => unquote(c).toLowerCase());
  const idColumn = header.findIndex((c) => c === 'datasetid' || c === 'dataset_id' || c === 'dataset');
  const weightColumn = header.indexOf('weight');
  if (idColumn < 0 || weightColumn < 0)
    return {
      draft: { ...base, entries: [] },
      problems: [{ field: 'manifest', reason: 'a CSV manifest starts with the header datasetId,weight' }],
    };
  const problems: FieldProblem[] = [];
  const entries: ManifestDraft['entries'] = [];
  for (let line = 1; line < lines.length; line++) {
    if (lines[line].trim() === '') continue;
    const cells = lines[line].split(',').map(unquote);
    if (cells.length !== header.length)
      problems.push({
        field: `entries[${entries.length}]`,
        reason: `line ${line + 1} has ${cells.length} columns, the header ${header.length}`,
      });
    entries.push({ datasetId: cells[idColumn] ?? '', weight: cells[weightColumn] ?? '' });
  }
  return { draft: { ...base, entries }, problems };
}

/** Unix seconds from a number of seconds or an ISO date, as the CLI reads them. */
export function toSeconds(value: string): number | null {
  if (value === '') return null;
  const seconds = UINT.test(value) ? Number(value) : Date.parse(value) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 && Number.isSafeInteger(Math.floor(seconds))
    ? Math.floor(seconds)
    : null;
}

/** Every problem of a draft, each naming its field; none means it can be signed. */
export function checkManifest(draft: ManifestDraft): { manifest: CheckedManifest | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const add = (field: string, reason: string) => problems.push({ field, reason });
  if (draft.modelName === '') add('modelName', 'is required');
  else if (draft.modelName.length > 256) add('modelName', 'must be at most 256 characters');
  if (!BYTES32.test(draft.modelHash)) add('modelHash', 'must be 0x followed by 64 hex digits');
  if (draft.runRef !== '' && !BYTES32.test(draft.runRef))
    add('runRef', 'must be 0x followed by 64 hex digits, or left empty');
  if (!(WEIGHT_UNITS as readonly string[]).includes(draft.weightUnit))
    add('weightUnit', `must be one of ${WEIGHT_UNITS.join(', ')}`);
  const startedAt = toSeconds(draft.startedAt);
  const endedAt = toSeconds(draft.endedAt);
  if (startedAt === null) add('startedAt', 'must be Unix seconds or an ISO date');
  if (endedAt === null) add('endedAt', 'must be Unix seconds or an ISO date');
  if (startedAt !== null && endedAt !== null && endedAt < startedAt) add('endedAt', 'must not be before startedAt');
  if (draft.entries.length === 0) add('entries', 'a run must use at least one dataset');
  const seen = new Map<string, number>();
  const entries: CheckedManifest['entries'] = [];
  draft.entries.forEach((e, i) => {
    const id = e.datasetId.toLowerCase();
    if (!BYTES32.test(id) && !UUID.test(id))
      add(`entries[${i}].datasetId`, 'must be a content root (0x + 64 hex) or a uuid');
    else if (seen.has(id)) add(`entries[${i}].datasetId`, `is listed twice (also entries[${seen.get(id)}])`);
    else seen.set(id, i);
    let weight = 0n;
    if (!UINT.test(e.weight) || (weight = BigInt(e.weight)) === 0n || weight > MAX_UINT256)
      add(`entries[${i}].weight`, 'must be a positive integer');
    entries.push({ datasetId: id, weight });
  });
  if (problems.length > 0 || startedAt === null || endedAt === null) return { manifest: null, problems };
  return {
    manifest: {
      modelName: draft.modelName,
      modelHash: draft.modelHash.toLowerCase(),
      runRef: draft.runRef === '' ? null : draft.runRef.toLowerCase(),
      weightUnit: draft.weightUnit as WeightUnit,
      startedAt,
      endedAt,
      entries,
    },
    problems,
  };
}

/** Splits `count` entries into chunks for POST /runs and /runs/:id/entries: about ten, at most `max` each. */
export function chunkSize(count: number, max = 50_000): number {
  return Math.max(1, Math.min(max, Math.ceil(count / 10)));
}
