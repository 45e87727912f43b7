import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestChain } from './chain';

export const ROOT = resolve(__dirname, '../..');
export const MAIN = join(ROOT, 'dist/apps/api/src/main.js');

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startScript(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
}

/** The Node flags `npm start` runs the service with (package.json `start`, explained in apps/api/src/main.ts). */
export function startFlags(): string[] {
  return startScript()
    .split(/\s+/)
    .filter((word) => word.startsWith('--'));
}

/** The environment `npm start` sets before `node` (package.json `start`'s leading NAME=value words, explained in apps/api/src/main.ts). */
export function startEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const word of startScript().split(/\s+/)) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)$/.exec(word);
    if (!assignment) break;
    env[assignment[1]] = assignment[2];
  }
  return env;
}

export interface SpawnServiceOptions {
  /**
   * Start it as the leader of a process group of its own (as a shell starts `npm start`), so a
   * test can kill the whole group at once, as an operator's kill -9 of the job does:
   * `process.kill(-service.child.pid!, 'SIGKILL')`.
   */
  detached?: boolean;
}

/** Runs the built service as `npm start` does (same Node flags and settings, without the build step), as a separate process. */
export function spawnService(env: Record<string, string>, options: SpawnServiceOptions = {}): ServiceProcess {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [...startFlags(), MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...startEnv(), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** What a worker logs once it leads settlement (its loop is running). */
export const LEADING_SETTLEMENT = 'leading settlement';

/**
 * Starts the built service with `env` (a worker: `WORKER_MODE=only`) and resolves once it leads settlement,
 * or rejects with its output if it exits first. It joins `children`, which the caller kills in its cleanup.
 */
export function startLeadingWorker(env: Record<string, string>, children: Set<ChildProcess>): Promise<ServiceProcess> {
  const service = spawnService(env);
  children.add(service.child);
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (!service.output().includes(LEADING_SETTLEMENT)) return;
      service.child.stdout!.off('data', onData);
      resolve(service);
    };
    service.child.stdout!.on('data', onData);
    service.child.once('exit', (code) =>
      reject(new Error(`worker exited (${code}) before leading:\n${service.output()}`)),
    );
  });
}

/** The settings of a built service on a test database and a test chain (its dev account 0 operates), as replicas and workers run. */
export function externalServiceEnv(databaseUrl: string, chain: TestChain): Record<string, string> {
  const { contracts } = chain.deployment;
  return {
    DATABASE_URL: databaseUrl,
    RPC_URL: chain.rpcUrl,
    OPERATOR_PRIVATE_KEY: chain.privateKey(0),
    ROYALTY_SPLITTER_ADDRESS: contracts.RoyaltySplitter,
    PROVENANCE_REGISTRY_ADDRESS: contracts.ProvenanceRegistry,
    PAYMENT_TOKEN_ADDRESS: contracts.PaymentToken!,
    CONFIRMATIONS: '0',
  };
}

/** Polls `check` until it answers something truthy, and returns that; fails naming `what` after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function waitForHealth(baseUrl: string, service: ServiceProcess, timeoutMs = 60_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`service exited early:\n${service.output()}`);
    try {
      const res = await fetch(`${baseUrl}/health`);
      if (res.status === 200) return res.json();
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`no healthy answer within ${timeoutMs} ms:\n${service.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export { processRunning as isAlive } from '@upstream/database';
