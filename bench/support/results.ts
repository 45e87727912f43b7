import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// `hardhat run` (bench:gas) loads benchmarks as ES modules, which have no __dirname; it runs in contracts/.
const BENCH_DIR = typeof __dirname === 'string' ? join(__dirname, '..') : join(process.cwd(), '..', 'bench');

/** Where every benchmark writes its result: `bench/results/<name>.json`. */
export const RESULTS_DIR = join(BENCH_DIR, 'results');

/**
 * Prints a benchmark's result as one JSON object on stdout and writes it to
 * `bench/results/<name>.json` (the file docs/reference/benchmarks.md and the closing notes quote).
 */
export function writeBenchResult(name: string, result: unknown): string {
  const json = JSON.stringify(result, null, 2);
  process.stdout.write(json + '\n');
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, json + '\n');
  return file;
}
