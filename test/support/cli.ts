import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './service-process';

export const CLI = join(ROOT, 'bin/upstream.js');
/** The CLI runs from dist/: `npm test` builds it first. */
export const CLI_BUILT = existsSync(join(ROOT, 'dist/apps/cli/src/main.js'));

/** Runs `upstream <args>` as a user would, and collects its exit code and output. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      // The CLI keeps its sessions under UPSTREAM_HOME: one per test process, never the user's ~/.upstream.
      env: { ...process.env, UPSTREAM_HOME: join(tmpdir(), `upstream-cli-home-${process.pid}`), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
