import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
// tsx as a loader, not its CLI: the CLI runs the script in a grandchild, and the pid must be the holder's.
const TSX_LOADER = join(ROOT, 'node_modules/tsx/dist/loader.mjs');
const CHILD = join(ROOT, 'test/integration/lock-holder.child.ts');

/** Runs lock-holder.child.ts in its own process; resolves once it holds the lock (`held`) or says why not. */
export async function spawnHolder(
  mode: 'data-dir' | 'blob-writer',
  path: string,
): Promise<{ child: ChildProcess; said: string }> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, CHILD, mode, path], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const said = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) done(out.trim());
    });
    child.once('exit', (code) => fail(new Error(`holder exited (${code}) before saying anything: ${stderr}`)));
  });
  return { child, said };
}

/** SIGKILL, as a crash or `kill -9` would, and waits until the process is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}
