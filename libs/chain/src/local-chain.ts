// A local EVM chain for one machine: Foundry's anvil, shipped as a binary in
// the npm package @foundry-rs/anvil-linux-amd64, persisting its state to a
// file so contracts and balances survive restarts (and, up to the last save,
// a kill -9).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HDNodeWallet, Mnemonic } from 'ethers';

/** anvil's well-known development mnemonic: never use these keys on a real chain. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
export const LOCAL_CHAIN_ID = 31337;

export class LocalChainError extends Error {
  override readonly name = 'LocalChainError';
}

export interface LocalChainOptions {
  port: number;
  /** Where state is loaded from and saved to; omit for a throwaway chain. */
  stateFile?: string;
  /** Seconds between state saves (what a kill -9 can lose at most). */
  stateIntervalSeconds?: number;
  /** Records the running anvil's pid so a later start can stop an orphan. */
  pidFile?: string;
  logFile?: string;
  accounts?: number;
  /**
   * Run anvil in a session of its own, as PostgreSQL runs, so that it outlives a crash (kill -9 of
   * the service's process group) with every block it mined: a payment a client saw mined is still
   * there when the service comes back. A clean shutdown or the next start stops it (SIGTERM, which
   * saves its state).
   */
  ownSession?: boolean;
}

export class LocalChain {
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: LocalChainOptions,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(options: LocalChainOptions): Promise<LocalChain> {
    if (options.pidFile) await stopOrphan(options.pidFile);
    const args = [
      '--host',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--chain-id',
      String(LOCAL_CHAIN_ID),
      '--accounts',
      String(options.accounts ?? 10),
      '--mnemonic',
      DEV_MNEMONIC,
      '--hardfork',
      'prague',
    ];
    if (options.stateFile) {
      await mkdir(dirname(options.stateFile), { recursive: true });
      args.push('--state', options.stateFile, '--state-interval', String(options.stateIntervalSeconds ?? 1));
    }
    let out: number | 'ignore' = 'ignore';
    if (options.logFile) {
      await mkdir(dirname(options.logFile), { recursive: true });
      out = openSync(options.logFile, 'a');
    }
    const child = spawn(anvilBinary(), args, { stdio: ['ignore', out, out], detached: options.ownSession ?? false });
    if (typeof out === 'number') closeSync(out);
    const chain = new LocalChain(child, options);
    const spawnError = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new LocalChainError(`could not start anvil: ${error.message}`)));
      child.once('exit', (code, signal) =>
        reject(
          new LocalChainError(
            `anvil exited during start-up (code ${code}, signal ${signal}) on 127.0.0.1:${options.port}` +
              logTail(options.logFile),
          ),
        ),
      );
    });
    await Promise.race([chain.waitReady(), spawnError]);
    if (options.stateFile) await chain.keepClockMonotonic();
    if (options.pidFile && child.pid) await writeFile(options.pidFile, `${child.pid}\n`);
    return chain;
  }

  get rpcUrl(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The i-th development account's signer key (from the dev mnemonic). */
  static devPrivateKey(index: number): string {
    const mnemonic = Mnemonic.fromPhrase(DEV_MNEMONIC);
    return HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${index}`).privateKey;
  }

  /** Stops anvil; it writes its state file on the way out. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.options.pidFile) await rm(this.options.pidFile, { force: true });
  }

  /**
   * anvil restarted from a state file mines at wall-clock time again, forgetting any time moved
   * forward before (evm_increaseTime in tests and demos): the next block would be older than its
   * parent, and roots accepted "after the delay" would be in the future. Continue from the last block.
   */
  private async keepClockMonotonic(): Promise<void> {
    const latest = (await this.rpc('eth_getBlockByNumber', ['latest', false])) as { timestamp: string } | null;
    const last = latest ? Number(BigInt(latest.timestamp)) : 0;
    if (last >= Math.floor(Date.now() / 1000)) await this.rpc('evm_setTime', [last + 1]);
  }

  private async rpc(method: string, params: unknown[]): Promise<unknown> {
    const response = await fetch(this.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
    const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
    if (body.error) throw new LocalChainError(`anvil ${method}: ${body.error.message ?? 'failed'}`);
    return body.result;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(this.rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        });
        if (response.ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        throw new LocalChainError(`anvil did not answer on ${this.rpcUrl} within 30 s` + logTail(this.options.logFile));
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function anvilBinary(): string {
  // The `anvil` in node_modules/.bin is a Node wrapper: killing it would leave
  // the real binary holding the port, so run the binary itself.
  const pkg = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
  try {
    return require.resolve(`${pkg}/bin/anvil`);
  } catch {
    throw new LocalChainError(`no anvil binary for this platform (${pkg} is not installed)`);
  }
}

/** A previous run killed with -9 leaves anvil running: stop it (it saves its state on SIGTERM). */
async function stopOrphan(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (Number.isInteger(pid) && pid > 0 && isAnvil(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (isAlive(pid)) {
      if (Date.now() > deadline) {
        process.kill(pid, 'SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await rm(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isAnvil(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('anvil');
  } catch {
    return false;
  }
}

function logTail(logFile: string | undefined): string {
  if (!logFile) return '';
  try {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-8).join('\n');
    return tail ? `\n--- ${logFile} ---\n${tail}` : '';
  } catch {
    return '';
  }
}
