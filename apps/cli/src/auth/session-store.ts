import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** A session the CLI signed in with, per API origin. */
export interface StoredSession {
  account: string;
  token: string;
  expiresAt: string;
}

/** Where the CLI keeps its state: `UPSTREAM_HOME`, else `~/.upstream`. */
export function upstreamHome(): string {
  return process.env.UPSTREAM_HOME ?? join(homedir(), '.upstream');
}

/**
 * `sessions.json` under the CLI's home (mode 0600): one session per API origin, as
 * `{ "<origin>": { account, token, expiresAt } }`. Written atomically (temp file + rename).
 */
export class SessionStore {
  constructor(private readonly path = join(upstreamHome(), 'sessions.json')) {}

  async get(api: string): Promise<StoredSession | undefined> {
    const session = (await this.read())[new URL(api).origin];
    if (!session || Date.parse(session.expiresAt) <= Date.now() + 30_000) return undefined;
    return session;
  }

  async set(api: string, session: StoredSession): Promise<void> {
    const all = await this.read();
    all[new URL(api).origin] = session;
    await this.write(all);
  }

  async delete(api: string): Promise<void> {
    const all = await this.read();
    delete all[new URL(api).origin];
    await this.write(all);
  }

  private async read(): Promise<Record<string, StoredSession>> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as Record<string, StoredSession>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`cannot read ${this.path}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async write(all: Record<string, StoredSession>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(all, null, 2) + '\n', { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, this.path);
  }
}
