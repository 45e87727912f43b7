import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { isAlive, ROOT, spawnService, waitForHealth, type ServiceProcess } from './service-process';

/**
 * Runs a guide of the docs site as a reader would: every ```sh block in order, in one shell session
 * (variables and the working directory carry over), against a fresh service. A ```text block right
 * after a ```sh block is what the page shows the commands print (stdout and stderr, in order);
 * `{{placeholders}}` stand for what differs from run to run (see PLACEHOLDERS). A block preceded by
 * `<!-- guide-test: not run: <why> -->` is shown but not run (starting the service: the test starts
 * its own).
 */
export interface GuideStep {
  /** 1-based line of the ```sh fence. */
  line: number;
  code: string;
  expected?: string;
  notRun?: string;
}

const FENCE = /^```(\w*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;
const NOT_RUN = /<!--\s*guide-test:\s*not run:\s*([^>]*?)\s*-->\s*$/;

export function parseGuide(markdown: string): GuideStep[] {
  const steps: GuideStep[] = [];
  let previousEnd = -1;
  for (const m of markdown.matchAll(FENCE)) {
    const [whole, lang, body] = m;
    const start = m.index;
    const line = markdown.slice(0, start).split('\n').length;
    if (['sh', 'bash', 'shell'].includes(lang)) {
      const before = markdown.slice(Math.max(0, previousEnd), start);
      const notRun = NOT_RUN.exec(before.trimEnd())?.[1];
      steps.push({ line, code: body, ...(notRun ? { notRun } : {}) });
    } else if (lang === 'text') {
      const last = steps.at(-1);
      const between = markdown.slice(previousEnd, start);
      if (last && last.expected === undefined && previousEnd >= 0 && between.trim() === '' && !last.notRun)
        last.expected = body;
    }
    previousEnd = start + whole.length;
  }
  return steps;
}

/** What a placeholder in a page's output matches. */
export const PLACEHOLDERS: Record<string, string> = {
  uuid: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  hash: '0x[0-9a-f]{64}',
  short: '0x[0-9a-f]{8}…[0-9a-f]{4}',
  time: '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z',
  n: '\\d+',
  any: '[^\\n]*',
};

const normalise = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');

/** A regular expression for a page's expected output: literal text, placeholders as their patterns. */
export function expectedPattern(expected: string): RegExp {
  const source = normalise(expected)
    .split(/(\{\{[a-z]+\}\})/)
    .map((part) => {
      const name = /^\{\{([a-z]+)\}\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const pattern = PLACEHOLDERS[name];
      if (!pattern) throw new Error(`unknown placeholder {{${name}}} (known: ${Object.keys(PLACEHOLDERS).join(', ')})`);
      return `(?:${pattern})`;
    })
    .join('');
  return new RegExp(`^${source}$`);
}

export function outputMatches(expected: string, actual: string): boolean {
  return expectedPattern(expected).test(normalise(actual));
}

/** Variables bash sets itself, which a session does not carry from one block to the next. */
const SHELL_OWN =
  '^declare -[-a-zA-Z]* (BASH[A-Z_]*|FUNCNAME|PIPESTATUS|GROUPS|[EP]?UID|PPID|SHELLOPTS|SHLVL|PWD|OLDPWD|_|DIRSTACK|HOST(NAME|TYPE)|MACHTYPE|OSTYPE|OPT(ERR|IND|ARG)|IFS|PS4|RANDOM|SRANDOM|SECONDS|LINENO|EPOCH[A-Z]*|COLUMNS|LINES|HISTCMD|COMP_WORDBREAKS)=';

export interface GuideSession {
  api: string;
  rpc: string;
  dir: string;
  env: Record<string, string>;
  run(step: GuideStep): Promise<{ code: number | null; output: string }>;
  /** A new shell, as a reader opening a new terminal in a new empty folder: no variables carried over. */
  newShell(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh built service (as `npm start` runs it) and a shell session in an empty folder, with `upstream` on PATH. */
export async function startGuideSession(serviceEnv: Record<string, string> = {}): Promise<GuideSession> {
  const dir = await mkdtemp(join(tmpdir(), 'upstream-guide-'));
  await chmod(dir, 0o755); // embedded PostgreSQL (as root) needs every parent folder readable
  const [port, pgPort, chainPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = join(dir, 'data');
  const service: ServiceProcess = spawnService({
    DATA_DIR: dataDir,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(pgPort),
    LOCAL_CHAIN_PORT: String(chainPort),
    LOG_LEVEL: 'warn',
    ...serviceEnv,
  });
  const api = `http://127.0.0.1:${port}`;
  const rpc = `http://127.0.0.1:${chainPort}`;
  try {
    await waitForHealth(api, service);
  } catch (error) {
    service.child.kill('SIGKILL');
    throw error;
  }
  const bin = join(dir, 'bin');
  const work = join(dir, 'work');
  await mkdir(bin);
  await writeFile(
    join(bin, 'upstream'),
    `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/upstream.js')}" "$@"\n`,
    {
      mode: 0o755,
    },
  );
  const state = { env: join(dir, 'state.env'), cwd: join(dir, 'state.cwd') };
  let shells = 0;
  const newShell = async () => {
    const folder = `${work}-${++shells}`;
    await mkdir(folder);
    await writeFile(state.env, '');
    await writeFile(state.cwd, folder);
  };
  await newShell();
  const env: Record<string, string> = {
    PATH: `${bin}:${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: join(dir, 'home'),
    UPSTREAM_HOME: join(dir, 'home/.upstream'),
    UPSTREAM_API: api,
    UPSTREAM_RPC_URL: rpc,
    // The operator guide starts a second replica from the repository's build, on this service's database.
    UPSTREAM_REPO: ROOT,
    DATA_DIR: dataDir,
    // The auditor guide's script requires @openzeppelin/merkle-tree and ethers, as an outsider installs them.
    NODE_PATH: join(ROOT, 'node_modules'),
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    NO_COLOR: '1',
    TZ: 'UTC',
  };

  const groups: number[] = [];
  const run = (step: GuideStep) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      // One session, as in a terminal: the variables, functions and working directory the last block
      // left are restored first (bash's own variables excepted).
      const script = [
        `. "${state.env}" 2>/dev/null`,
        `cd "$(cat "${state.cwd}")"`,
        `trap 'pwd > "${state.cwd}"; { declare -p | grep -Ev "${SHELL_OWN}"; declare -f; } > "${state.env}"' EXIT`,
        'set -eo pipefail',
        step.code,
      ].join('\n');
      // A process group of its own, so that whatever a block leaves running in the background (the
      // operator guide's replica) can be stopped with the session even when the guide fails before it does.
      const child = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      if (child.pid) groups.push(child.pid);
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });

  const close = async () => {
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        /* the group is gone: nothing of it is left running */
      }
    }
    if (service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      const stopped = await Promise.race([
        service.exited.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 30_000)),
      ]);
      if (!stopped) service.child.kill('SIGKILL');
    }
    for (const file of [join(dataDir, 'chain', 'anvil.pid'), join(dataDir, 'postgres', 'postmaster.pid')]) {
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0]);
      if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };

  return { api, rpc, dir, env, run, newShell, close };
}
