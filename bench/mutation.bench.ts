// `npm run test:mutation [lib…]`: Stryker over the pure libs (royalties, merkle, provenance), one run
// per lib with its unit and property tests only (vitest.mutation.config.mts: no PostgreSQL, no chain).
// Writes bench/results/mutation.json: per lib score, killed, survived, noCoverage, timeout.
// Takes minutes; not part of `npm test`. STRYKER_CONCURRENCY (default 2) sets the test processes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LIBS = ['royalties', 'merkle', 'provenance'] as const;
type Lib = (typeof LIBS)[number];

interface StrykerReport {
  files: Record<string, { mutants: { status: string }[] }>;
}

interface LibScore {
  score: number;
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  /** Marked equivalent in the source (`// Stryker disable …: reason`): not counted in the score. */
  ignored: number;
  compileErrors: number;
  seconds: number;
  /** The commit measured (`git rev-parse --short HEAD`), with `+dirty` when the libs or tests had uncommitted changes. */
  commit: string;
}

const root = join(__dirname, '..');
const resultsFile = join(root, 'bench/results/mutation.json');

/** HEAD, and whether what Stryker copies (libs, tests, configs) differs from it. */
function measuredCommit(lib: Lib): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
  const head = git('rev-parse', '--short', 'HEAD');
  const dirty = git(
    'status',
    '--porcelain',
    '--',
    `libs/${lib}`,
    'libs/merkle',
    'test/unit',
    'test/vectors',
    '*.mts',
    '*.mjs',
  );
  return dirty === '' ? head : `${head}+dirty`;
}

function run(lib: Lib): LibScore {
  const commit = measuredCommit(lib);
  const report = join('.data/stryker', `${lib}.json`);
  const started = Date.now();
  const args = [
    'stryker',
    'run',
    '--mutate',
    `libs/${lib}/src/**/*.ts,!libs/${lib}/src/**/index.ts`,
    '--concurrency',
    process.env.STRYKER_CONCURRENCY ?? '2',
  ];
  mkdirSync(join(root, '.data/stryker'), { recursive: true });
  const result = spawnSync('npx', [...args, '--reporters', 'json,clear-text,progress-append-only'], {
    cwd: root,
    stdio: 'inherit',
    // The report and incremental files are per lib (stryker.config.mjs reads these).
    env: { ...process.env, STRYKER_JSON_REPORT: report, STRYKER_INCREMENTAL: `.data/stryker/${lib}.incremental.json` },
  });
  if (result.status !== 0) throw new Error(`stryker failed for libs/${lib} (exit ${result.status})`);
  const counts = { Killed: 0, Survived: 0, NoCoverage: 0, Timeout: 0, Ignored: 0, CompileError: 0 } as Record<
    string,
    number
  >;
  const parsed = JSON.parse(readFileSync(join(root, report), 'utf8')) as StrykerReport;
  for (const file of Object.values(parsed.files))
    for (const m of file.mutants) counts[m.status] = (counts[m.status] ?? 0) + 1;
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return {
    score: valid === 0 ? 100 : Math.round((detected / valid) * 10_000) / 100,
    killed: counts.Killed,
    survived: counts.Survived,
    noCoverage: counts.NoCoverage,
    timeout: counts.Timeout,
    ignored: counts.Ignored,
    compileErrors: counts.CompileError,
    seconds: Math.round((Date.now() - started) / 1000),
    commit,
  };
}

function main(): void {
  const asked = process.argv.slice(2);
  const libs = asked.length > 0 ? (asked as Lib[]) : [...LIBS];
  for (const lib of libs) if (!LIBS.includes(lib)) throw new Error(`unknown lib ${lib}; one of ${LIBS.join(', ')}`);
  const fresh: Record<string, LibScore> = {};
  for (const lib of libs) fresh[lib] = run(lib);
  // Read what is there only now: another lib's run may have finished meanwhile.
  let previous: { libs?: Record<string, LibScore> } = {};
  try {
    previous = JSON.parse(readFileSync(resultsFile, 'utf8')) as typeof previous;
  } catch {
    // first run
  }
  const scores: Record<string, LibScore> = { ...previous.libs, ...fresh };
  const out = { bench: 'mutation', target: { score: 85 }, when: new Date().toISOString(), libs: scores };
  writeFileSync(resultsFile, JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out));
}

main();
