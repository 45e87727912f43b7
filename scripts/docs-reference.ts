// The docs site's reference tables, generated from the code they describe, so a page cannot drift from it.
// A page holds `<!-- generated:NAME -->` … `<!-- /generated:NAME -->`; `npm run docs:reference` rewrites
// every such region under docs/, and test/unit/docs/reference-pages.test.ts fails when one differs.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { TypedDataEncoder, type TypedDataField } from 'ethers';
import type { Command, Option } from 'commander';
import {
  BATCH_ANCHOR_TYPES,
  CONTENT_LEAF_TYPES,
  CONTRIBUTION_TYPES,
  CONTRIBUTION_V1_TYPES,
  CONTRIBUTION_VERSION,
  LICENSE_ACCEPTANCE_TYPES,
  LICENSING_CHANGE_TYPES,
  RUN_ENTRY_TYPES,
  TRAINING_RUN_TYPES,
} from '@upstream/provenance';
import {
  allocate,
  EPOCH_DATA_HASH_TAG,
  EPOCH_DATA_HASH_TYPES,
  EPOCH_LEAF_TYPES,
  type AllocationInput,
} from '@upstream/royalties';
import { DEFAULT_ROOT_DELAY_SECONDS } from '@upstream/chain';
import { ROUTES, type RouteSpec } from '@upstream/api-contract';
import { ACCESS_ERROR_CODES } from '../apps/api/src/access/access.errors';
import { COMMON_ERROR_CODES } from '../apps/api/src/common/errors/common.errors';
import { ERROR_CODES } from '../apps/api/src/common/errors/error-codes';
import { CONTRIBUTION_ERROR_CODES } from '../apps/api/src/contributions/contributions.errors';
import { LICENSE_ERROR_CODES } from '../apps/api/src/licenses/licenses.errors';
import { ROYALTIES_ERROR_CODES } from '../apps/api/src/royalties/royalties.errors';
import { GOVERNANCE_ERROR_CODES } from '../apps/api/src/governance/governance.errors';
import { DISPUTE_ERROR_CODES } from '../apps/api/src/disputes/disputes.errors';
import { INTEGRITY_ERROR_CODES } from '../apps/api/src/integrity/integrity.errors';
import { RUN_ERROR_CODES } from '../apps/api/src/runs/runs.errors';
import { IN_FLIGHT } from '../apps/api/src/royalties/epochs.repository';
import { limitsMarkdown } from '../apps/api/src/common/body/request-limits';

export const ROOT = resolve(__dirname, '..');
export const DOCS = join(ROOT, 'docs');

// ---- error codes ----

const FEATURE_TABLES: [string, string, Readonly<Record<string, number>>][] = [
  ['any route', 'apps/api/src/common/errors/common.errors.ts', COMMON_ERROR_CODES],
  ['access (sign-in, keys, bytes)', 'apps/api/src/access/access.errors.ts', ACCESS_ERROR_CODES],
  [
    'contributions (blobs, uploads, datasets)',
    'apps/api/src/contributions/contributions.errors.ts',
    CONTRIBUTION_ERROR_CODES,
  ],
  ['licenses', 'apps/api/src/licenses/licenses.errors.ts', LICENSE_ERROR_CODES],
  ['training runs', 'apps/api/src/runs/runs.errors.ts', RUN_ERROR_CODES],
  ['royalties and epochs', 'apps/api/src/royalties/royalties.errors.ts', ROYALTIES_ERROR_CODES],
  ['integrity (overlaps, takedowns)', 'apps/api/src/integrity/integrity.errors.ts', INTEGRITY_ERROR_CODES],
  ['governance', 'apps/api/src/governance/governance.errors.ts', GOVERNANCE_ERROR_CODES],
  ['disputes', 'apps/api/src/disputes/disputes.errors.ts', DISPUTE_ERROR_CODES],
];

const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function errorCodesMarkdown(): string {
  const listed = new Set(FEATURE_TABLES.flatMap(([, , table]) => Object.keys(table)));
  // Codes of a feature not in FEATURE_TABLES yet are still listed (and grouped once it is added there).
  const others = Object.fromEntries(
    Object.entries(ERROR_CODES as Readonly<Record<string, number>>).filter(([code]) => !listed.has(code)),
  );
  const tables = [...FEATURE_TABLES];
  if (Object.keys(others).length > 0)
    tables.push(['other features', 'apps/api/src/common/errors/error-codes.ts', others]);
  const out: string[] = [];
  for (const [feature, file, table] of tables) {
    out.push(`### ${feature}`, '', `Declared in \`${file}\`.`, '', '| code | HTTP status |', '| --- | --- |');
    for (const [code, status] of Object.entries(table).sort(([a], [b]) => a.localeCompare(b))) {
      const phrase = REASON_PHRASES[status];
      if (!phrase) throw new Error(`scripts/docs-reference.ts: no reason phrase for HTTP ${status} (${code})`);
      out.push(`| \`${code}\` | ${status} ${phrase} |`);
    }
    out.push('');
  }
  out.push(`${Object.keys(ERROR_CODES).length} codes in all, besides \`INTERNAL_ERROR\` (500, always a bug).`);
  return out.join('\n');
}

// ---- CLI ----

const HELP_WIDTH = 100;

function walk(command: Command, path: string[] = []): { name: string; command: Command }[] {
  const name = [...path, command.name()].join(' ');
  return [{ name, command }, ...command.commands.flatMap((sub) => walk(sub, [...path, command.name()]))];
}

/** Options whose default is read from the environment print the documented default, not this machine's. */
const ENV_DEFAULTS: Record<string, string> = {
  UPSTREAM_API: 'http://127.0.0.1:3000',
  UPSTREAM_RPC_URL: 'http://127.0.0.1:8545',
};

export async function cliMarkdown(): Promise<string> {
  const saved = Object.fromEntries(Object.keys(ENV_DEFAULTS).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(ENV_DEFAULTS)) process.env[k] = v;
  try {
    const { buildProgram } = await import('../apps/cli/src/main.js');
    const out: string[] = [];
    for (const { name, command } of walk(buildProgram())) {
      command.configureHelp({ helpWidth: HELP_WIDTH });
      out.push(`### \`${name}\``, '', '```text', command.helpInformation().trimEnd(), '```', '');
    }
    return out.join('\n').trimEnd();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Every option of every command, for tests that check a page names flags that exist. */
export async function cliOptions(): Promise<Map<string, readonly Option[]>> {
  const { buildProgram } = await import('../apps/cli/src/main.js');
  return new Map(walk(buildProgram()).map(({ name, command }) => [name, command.options]));
}

// ---- EIP-712 ----

/** What each signed field means. Every field of every type must be here, and nothing else. */
const FIELD_MEANINGS: Record<string, Record<string, string>> = {
  Contribution: {
    contentRoot: 'the dataset’s content root (see Merkle leaves)',
    metadataHash:
      'keccak256 of the canonical JSON `{"description":…,"externalUri":…,"title":…}` (keys sorted, no whitespace, UTF-8; `description` `""` and `externalUri` `null` when absent); version 2 only',
    owners: 'co-owners in the order signed; shares sum to 10,000',
    parents: 'datasets this one derives from, with the share of every payment that flows to each',
    licenseTermsHash: 'keccak256 of the canonical JSON of the license terms document',
    nonce: 'any unused number of the signer (the CLI draws 128 random bits)',
    deadline: 'Unix seconds after which the signature is refused',
  },
  Owner: {
    account: 'an owner’s address (a contract wallet signs by ERC-1271)',
    shareBps: 'its share in basis points (1–10,000)',
  },
  Parent: {
    datasetId: 'the parent’s content root',
    upstreamBps: 'basis points of this dataset’s income that go to the parent (its owners and its own parents)',
  },
  TrainingRun: {
    runRef: 'the lab’s own reference of the run (any 32 bytes, e.g. keccak256 of its name)',
    modelName: 'the model’s name as the lab publishes it',
    modelHash: 'a 32-byte hash that names the model (e.g. SHA-256 of its weights file, 0x-prefixed)',
    entriesRoot: 'root of the run’s entries tree (leaf `(bytes32 datasetId, uint256 weight)`)',
    entryCount: 'number of entries (datasets) in the run',
    weightUnit: 'what a weight counts: `tokens`, `bytes` or `samples`',
    startedAt: 'Unix seconds (the API returns it as an ISO 8601 string)',
    endedAt: 'Unix seconds, not before `startedAt` (returned as ISO 8601)',
    nonce: 'any unused number of the lab',
    deadline: 'Unix seconds after which the signature is refused',
  },
  LicenseAcceptance: {
    datasetId: 'the dataset’s content root',
    termsHash: 'the `licenseTermsHash` the dataset was registered with (terms the lab accepts)',
    licensee: 'the lab’s address (the signer)',
    nonce: 'any unused number of the lab',
    deadline: 'Unix seconds after which the signature is refused',
  },
  LicensingChange: {
    datasetId: 'the dataset’s content root',
    open: '`true` opens new licensing, `false` closes it (existing licenses run to their end)',
    nonce: 'any unused number of the owner',
    deadline: 'Unix seconds after which the signature is refused',
  },
};

const SIGNED_TYPES: [string, Record<string, TypedDataField[]>, string][] = [
  [
    'Contribution',
    CONTRIBUTION_TYPES,
    `a dataset’s registration (version ${CONTRIBUTION_VERSION}, signed by every registration now)`,
  ],
  ['TrainingRun', TRAINING_RUN_TYPES, 'a lab’s training-run manifest; its EIP-712 digest is the run’s `runId`'],
  ['LicenseAcceptance', LICENSE_ACCEPTANCE_TYPES, 'a lab accepting a dataset’s terms (`POST /licenses`)'],
  ['LicensingChange', LICENSING_CHANGE_TYPES, 'an owner opening or closing new licensing'],
];

function encodingOf(type: string): string {
  if (type.endsWith('[]')) return `keccak256 of the concatenated \`hashStruct\` of each element`;
  if (type === 'string') return 'keccak256 of its UTF-8 bytes';
  if (type === 'bool') return '32-byte word, 0 or 1';
  if (type === 'address') return '32-byte word, left-padded';
  if (type === 'bytes32') return 'the 32 bytes as they are';
  if (/^uint\d+$/.test(type)) return '32-byte big-endian word';
  return `\`hashStruct(${type})\``;
}

/** The `encodeType` string the typeHash is keccak256 of, as ethers computes it when signing. */
function encodeTypeString(primary: string, types: Record<string, TypedDataField[]>): string {
  return TypedDataEncoder.from(types).encodeType(primary);
}

function fieldsTable(name: string, fields: readonly TypedDataField[]): string[] {
  const meanings = FIELD_MEANINGS[name];
  if (!meanings) throw new Error(`scripts/docs-reference.ts: describe the fields of ${name} in FIELD_MEANINGS`);
  const names = fields.map((f) => f.name);
  const extra = Object.keys(meanings).filter((k) => !names.includes(k));
  if (extra.length > 0) throw new Error(`scripts/docs-reference.ts: ${name} has no field ${extra.join(', ')}`);
  const rows = fields.map((f) => {
    const meaning = meanings[f.name];
    if (!meaning) throw new Error(`scripts/docs-reference.ts: describe ${name}.${f.name} in FIELD_MEANINGS`);
    return `| \`${f.name}\` | \`${f.type}\` | ${encodingOf(f.type)} | ${meaning} |`;
  });
  return ['| field | type | encoded in `hashStruct` as | meaning |', '| --- | --- | --- | --- |', ...rows];
}

export function eip712Markdown(): string {
  const out: string[] = [];
  const structs = new Set<string>();
  for (const [primary, types, what] of SIGNED_TYPES) {
    out.push(
      `### ${primary}`,
      '',
      `${what[0].toUpperCase()}${what.slice(1)}.`,
      '',
      '```text',
      encodeTypeString(primary, types),
      '```',
      '',
    );
    out.push(...fieldsTable(primary, types[primary]), '');
    for (const name of Object.keys(types)) if (name !== primary) structs.add(name);
  }
  for (const name of [...structs].sort()) {
    const fields = CONTRIBUTION_TYPES[name];
    out.push(`### ${name}`, '', `A struct inside \`Contribution\`.`, '', ...fieldsTable(name, fields), '');
  }
  const v1 = CONTRIBUTION_V1_TYPES.Contribution.map((f) => f.name);
  out.push(
    '### Contribution version 1',
    '',
    `Records registered before version 2 were signed without \`metadataHash\`: \`${encodeTypeString('Contribution', CONTRIBUTION_V1_TYPES)}\` (fields ${v1.map((n) => `\`${n}\``).join(', ')}). They keep verifying under version 1; a dataset's detail says which (\`contributionVersion\`).`,
  );
  return out.join('\n');
}

// ---- Merkle leaves, dataHash, settlement ----

const LEAVES: [string, readonly string[], string, string][] = [
  [
    'content root (a dataset’s files)',
    CONTENT_LEAF_TYPES,
    '`path`, `size`, `sha256`',
    '`libs/provenance/src/content-root.tree.ts`',
  ],
  [
    'run entries (`entriesRoot` of a `TrainingRun`)',
    RUN_ENTRY_TYPES,
    '`datasetId` (content root), `weight`',
    '`libs/provenance/src/training-run.tree.ts`',
  ],
  [
    'epoch balances (the root the splitter pays claims from)',
    EPOCH_LEAF_TYPES,
    '`chainId`, `splitter`, `token`, `account`, `cumulative`',
    '`libs/royalties/src/epoch-leaves.tree.ts`',
  ],
  [
    'anchored batches (`ProvenanceRegistry.anchor`)',
    BATCH_ANCHOR_TYPES,
    'one EIP-712 digest (registration, manifest or takedown; one kind per batch)',
    '`libs/provenance/src/batch-anchor.tree.ts`',
  ],
];

export function leavesMarkdown(): string {
  const rows = LEAVES.map(
    ([tree, types, fields, file]) => `| ${tree} | \`abi.encode(${types.join(', ')})\` | ${fields} | ${file} |`,
  );
  return ['| tree | leaf value | fields, in order | code |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function dataHashMarkdown(): string {
  const names = ['tag', 'chainId', 'splitter', 'epoch', 'txHashes', 'logIndexes'];
  const meaning: Record<string, string> = {
    tag: `the string \`"${EPOCH_DATA_HASH_TAG}"\``,
    chainId: 'the chain id',
    splitter: 'the RoyaltySplitter’s address',
    epoch: 'the epoch number',
    txHashes:
      'the transaction hash of every payment (`RunPaid`) the epoch includes, in chain order (block, then log index)',
    logIndexes: 'the log index of each of those payments, in the same order',
  };
  if (EPOCH_DATA_HASH_TYPES.length !== names.length)
    throw new Error('scripts/docs-reference.ts: update dataHash names');
  const rows = EPOCH_DATA_HASH_TYPES.map(
    (type, i) => `| ${i} | \`${names[i]}\` | \`${type}\` | ${meaning[names[i]]} |`,
  );
  return [
    '```text',
    `dataHash = keccak256(abi.encode(${EPOCH_DATA_HASH_TYPES.map((t, i) => `${t} ${names[i]}`).join(', ')}))`,
    '```',
    '',
    '| # | value | ABI type | what |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

export function settlementMarkdown(): string {
  return [
    `| constant | value | where |`,
    `| --- | --- | --- |`,
    `| root delay of a locally deployed splitter | ${DEFAULT_ROOT_DELAY_SECONDS.toLocaleString('en-US')} s (${DEFAULT_ROOT_DELAY_SECONDS / 3600} h) | \`DEFAULT_ROOT_DELAY_SECONDS\`, \`libs/chain/src/deploy.ts\`; read it on any chain with \`rootDelay()\` |`,
    `| epoch statuses that hold back the next epoch (its proposal is not on chain yet) | ${[...IN_FLIGHT].map((s) => `\`${s}\``).join(', ')} | \`IN_FLIGHT\`, \`apps/api/src/royalties/epochs.repository.ts\` |`,
  ].join('\n');
}

// ---- allocation examples (computed by libs/royalties' allocate) ----

const id = (c: string) => `0x${c.repeat(64)}`;
const who = (tail: string) => `0x${tail.padStart(40, '0')}`;
const NAMES: Record<string, string> = {
  [id('a')]: 'A',
  [id('b')]: 'B',
  [id('c')]: 'C',
  [id('d')]: 'D (derived from P)',
  [id('e')]: 'P (the parent)',
  [who('a11ce')]: 'alice',
  [who('b0b')]: 'bob',
  [who('ca201')]: 'carol',
};
const owners = (account: string) => [{ account, shareBps: 10_000 }];

export const ALLOCATION_EXAMPLES: { title: string; why: string; input: AllocationInput }[] = [
  {
    title: 'A tie: 100 units over three equal weights',
    why: 'Each dataset first gets floor(100 × 1 / 3) = 33; one unit is left and the three remainders are equal, so it goes to the smallest datasetId (A).',
    input: {
      amount: 100n,
      feeBps: 0,
      entries: [
        { datasetId: id('c'), weight: 1n },
        { datasetId: id('a'), weight: 1n },
        { datasetId: id('b'), weight: 1n },
      ],
      datasets: {
        [id('a')]: { owners: owners(who('a11ce')), parents: [] },
        [id('b')]: { owners: owners(who('b0b')), parents: [] },
        [id('c')]: { owners: owners(who('ca201')), parents: [] },
      },
    },
  },
  {
    title: 'A license fee of 1,000 units on a derived dataset (one entry of weight 1)',
    why: 'The protocol fee is floor(1,000 × 250 / 10,000) = 25; the net 975 goes to D as its only entry. D gives its parent 15 %: floor(975 × 1,500 / 10,000) = 146 (remainder .25), its owners 85 %: 828 (remainder .75), and the last unit to the larger remainder, the owners: 829. The owners split 829 by 6,000 / 4,000: 497 (.4) and 331 (.6), the last unit to carol. P passes its 146 to its owner, bob.',
    input: {
      amount: 1_000n,
      feeBps: 250,
      entries: [{ datasetId: id('d'), weight: 1n }],
      datasets: {
        [id('d')]: {
          owners: [
            { account: who('a11ce'), shareBps: 6_000 },
            { account: who('ca201'), shareBps: 4_000 },
          ],
          parents: [{ datasetId: id('e'), upstreamBps: 1_500 }],
        },
        [id('e')]: { owners: owners(who('b0b')), parents: [] },
      },
    },
  },
];

export function allocationExamplesMarkdown(): string {
  const name = (key: string) => NAMES[key] ?? key;
  const out: string[] = [];
  for (const { title, why, input } of ALLOCATION_EXAMPLES) {
    const result = allocate(input);
    const entries = input.entries.map((e) => `${name(e.datasetId)} × ${e.weight}`).join(', ');
    out.push(`### ${title}`, '', `Payment ${input.amount}, fee ${input.feeBps} bps, entries ${entries}.`, '', why, '');
    out.push(
      '| dataset | from the run | from derived datasets | to parents | to owners |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const d of result.datasets)
      out.push(`| ${name(d.datasetId)} | ${d.fromRun} | ${d.fromChildren} | ${d.toParents} | ${d.toOwners} |`);
    out.push('', '| account | through | amount |', '| --- | --- | --- |');
    for (const sh of result.shares) out.push(`| ${name(sh.account)} | ${name(sh.datasetId)} | ${sh.amount} |`);
    const sum = result.shares.reduce((acc, sh) => acc + sh.amount, 0n);
    out.push('', `fee ${result.fee} + shares ${sum} = ${result.fee + sum} = the payment.`, '');
  }
  return out.join('\n').trimEnd();
}

// ---- HTTP routes (the wire contract's route table, which a test keeps equal to the OpenAPI document) ----

export function routesMarkdown(): string {
  const who = (r: RouteSpec) =>
    !r.access ? 'anyone' : r.access.kind === 'session' ? 'a signed-in session' : `an account (\`${r.access.scope}\`)`;
  const type = (name?: string) => (name ? `\`${name}\`` : '—');
  const rows = Object.entries(ROUTES as Record<string, RouteSpec>).map(
    ([name, r]) =>
      `| \`${r.method} ${r.path}\` | \`${name}\` | ${who(r)} | ${type(r.query)} | ${type(r.body)} | ${r.response ? `${r.status ?? 200} ${type(r.response)}` : 'bytes'} |`,
  );
  return [
    '| route | name in `ROUTES` | who may call it | query | body | answer |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

// ---- regions ----

export const GENERATORS: Record<string, () => string | Promise<string>> = {
  'error-codes': errorCodesMarkdown,
  cli: cliMarkdown,
  eip712: eip712Markdown,
  leaves: leavesMarkdown,
  'data-hash': dataHashMarkdown,
  settlement: settlementMarkdown,
  allocation: allocationExamplesMarkdown,
  routes: routesMarkdown,
  limits: () => limitsMarkdown(),
};

const REGION = /(<!-- generated:([a-z0-9-]+) -->\n)([\s\S]*?)(<!-- \/generated:\2 -->)/g;

/** The page with every generated region rebuilt. */
export async function renderPage(text: string): Promise<string> {
  const parts: string[] = [];
  let last = 0;
  for (const m of text.matchAll(REGION)) {
    const generate = GENERATORS[m[2]];
    if (!generate) throw new Error(`no generator named ${m[2]}`);
    parts.push(text.slice(last, m.index), m[1], (await generate()) + '\n', m[4]);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

export function docsPages(dir = DOCS): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md') && !e.parentPath.includes('node_modules'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function main(): Promise<void> {
  for (const page of docsPages()) {
    const text = readFileSync(page, 'utf8');
    const next = await renderPage(text);
    if (next !== text) {
      writeFileSync(page, next);
      console.log(`updated ${relative(ROOT, page)}`);
    }
  }
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
