import type { ErrorCode } from '../errors/error-codes';

/**
 * The one table of what a request may make the service read before anything expensive runs: body
 * bytes, array lengths, nesting depth and string lengths, per route. The JSON body reader applies it
 * while the body streams in (`json-body-parser.ts`), before JSON.parse, class-transformer or a
 * validator sees it; the limits table of docs/reference/request-limits.md is generated from it (and a test keeps them equal).
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;

export interface RouteLimits {
  /** Largest body in bytes (after Content-Encoding is undone). */
  bodyBytes: number;
  /** How deep objects and arrays may nest. */
  depth: number;
  /** Longest string (a key or a value), in UTF-8 bytes as sent (escapes counted as written). */
  stringBytes: number;
  /** Most keys one object may hold (no DTO has more than a few dozen fields). */
  objectKeys: number;
  /**
   * Most items an array may hold, by its path in the body: `files`, `owners`, `a[].b`; `*` for any
   * other array.
   */
  arrays: Record<string, number>;
  /**
   * Top-level fields the handler reads off the event loop itself: in a body over
   * OFF_LOOP_BODY_BYTES they are left out of the body JSON.parse builds on the event loop.
   */
  parsedOffLoop?: string[];
  /** An array whose refusal has a code of its own (413 either way) and follows a setting. */
  arrayRefusals?: Record<string, { code: ErrorCode; setting: string }>;
}

/** The settings the table reads (the rest of the configuration is not needed to describe it). */
export interface LimitSettings {
  maxFilesPerDataset: number;
}

export const DEFAULT_LIMIT_SETTINGS: LimitSettings = { maxFilesPerDataset: 100_000 };

/** Entries of a run manifest per request (`POST /runs` and each `POST /runs/:id/entries` chunk). */
export const MAX_CHUNK_ENTRIES = 50_000;
/** Digests one `POST /blobs/missing` may ask about. */
export const MAX_MISSING_DIGESTS = 100_000;
/** A dataset's owners (shares are basis points summing to 10,000) and parents (each a lineage edge payouts recurse over). */
export const MAX_OWNERS = 10_000;
export const MAX_PARENTS = 1_000;

/** Past this size a body's `parsedOffLoop` fields are parsed in a worker thread, not on the event loop. */
export const OFF_LOOP_BODY_BYTES = 256 * KiB;

/** Every JSON route not listed below. */
export const DEFAULT_ROUTE_LIMITS: RouteLimits = {
  bodyBytes: 64 * KiB,
  depth: 32,
  stringBytes: 32 * KiB,
  objectKeys: 64,
  arrays: { '*': 256 },
};

export interface RouteLimitsRow extends RouteLimits {
  /** `METHOD /path` with `:param` segments, as the controllers declare it. */
  route: string;
}

/**
 * The routes that take more than the default. Byte limits follow from the array limits: ~130 bytes
 * a file entry (a 64-digit digest, a size and a path), ~150 an entry of a run, 67 a digest.
 */
export function requestLimitsTable(settings: LimitSettings = DEFAULT_LIMIT_SETTINGS): RouteLimitsRow[] {
  return [
    {
      route: 'POST /datasets',
      bodyBytes: Math.max(MiB, Math.ceil((settings.maxFilesPerDataset * 160) / MiB) * MiB),
      depth: 8,
      stringBytes: 32 * KiB,
      objectKeys: 64,
      arrays: { files: settings.maxFilesPerDataset, owners: MAX_OWNERS, parents: MAX_PARENTS, '*': 16 },
      arrayRefusals: { files: { code: 'TOO_MANY_FILES', setting: 'MAX_FILES_PER_DATASET' } },
      parsedOffLoop: ['files', 'owners', 'parents'],
    },
    {
      route: 'POST /runs',
      bodyBytes: 12 * MiB,
      depth: 8,
      stringBytes: 8 * KiB,
      objectKeys: 64,
      arrays: { entries: MAX_CHUNK_ENTRIES, '*': 16 },
      parsedOffLoop: ['entries'],
    },
    {
      route: 'POST /runs/:id/entries',
      bodyBytes: 12 * MiB,
      depth: 8,
      stringBytes: 8 * KiB,
      objectKeys: 64,
      arrays: { entries: MAX_CHUNK_ENTRIES, '*': 16 },
      parsedOffLoop: ['entries'],
    },
    {
      route: 'POST /blobs/missing',
      bodyBytes: 8 * MiB,
      depth: 4,
      stringBytes: 1 * KiB,
      objectKeys: 64,
      arrays: { sha256s: MAX_MISSING_DIGESTS, '*': 16 },
      parsedOffLoop: ['sha256s'],
    },
  ];
}

/** The limits of a request, by method and path; the default for every route not in the table. */
export type RouteLimitsLookup = (method: string, path: string) => RouteLimits;

export function routeLimitsLookup(rows: RouteLimitsRow[]): RouteLimitsLookup {
  const compiled = rows.map((row) => {
    const [method, pattern] = row.route.split(' ');
    const source = pattern
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    return { method, regex: new RegExp(`^${source}/?$`), limits: row };
  });
  return (method, path) =>
    compiled.find((c) => c.method === method && c.regex.test(path))?.limits ?? DEFAULT_ROUTE_LIMITS;
}

/** The docs' limits table (docs/reference/request-limits.md): one row per listed route and one for every other JSON route. */
export function limitsMarkdown(settings: LimitSettings = DEFAULT_LIMIT_SETTINGS): string {
  const rows: RouteLimitsRow[] = [
    ...requestLimitsTable(settings),
    { route: 'every other JSON route', ...DEFAULT_ROUTE_LIMITS },
  ];
  const bytes = (n: number) => (n >= MiB ? `${n / MiB} MiB` : `${n / KiB} KiB`);
  const count = (n: number) => n.toLocaleString('en-US');
  const lines = [
    '| route | body | arrays (items) | keys per object | depth | string |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => {
      const arrays = Object.entries(row.arrays)
        .map(([path, max]) => {
          const setting = row.arrayRefusals?.[path]?.setting;
          return `${path === '*' ? 'any other' : `\`${path}\``} ${count(max)}${setting ? ` (\`${setting}\`)` : ''}`;
        })
        .join(', ');
      return `| ${row.route.includes(' /') ? `\`${row.route}\`` : row.route} | ${bytes(row.bodyBytes)} | ${arrays} | ${row.objectKeys} | ${row.depth} | ${bytes(row.stringBytes)} |`;
    }),
  ];
  return lines.join('\n');
}
