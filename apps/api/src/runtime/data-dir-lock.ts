import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

/**
 * The slice of `fs-native-extensions` used here. It locks a whole file in the kernel: on Linux an
 * open-file-description lock (`fcntl(F_OFD_SETLK)`, flock's semantics on fcntl's lock table), on
 * macOS `flock(2)`. Options weighed (issue 16, B6): a pid in a file is guesswork once pids are
 * reused; `flock(1)` in a child process that exits when our stdin pipe closes works, but adds a
 * process per lock, needs util-linux, and frees the lock a few ms after we die, not with us. This
 * N-API addon ships prebuilt binaries (no compiler at install), holds the lock in our own process,
 * and the kernel drops it the moment the last descriptor closes: clean exit, crash or kill -9 alike.
 */
interface NativeLocks {
  tryLock(fd: number, options?: { shared?: boolean }): boolean;
  waitForLock(fd: number, options?: { shared?: boolean }): Promise<void>;
  tryDowngradeLock(fd: number): boolean;
}
const native = require('fs-native-extensions') as NativeLocks;

/**
 * A kernel-held advisory lock on a file, released when `release()` closes it or the process dies.
 * The file is never removed: removing it would let a newcomer lock a new file while someone still
 * holds the old one. Node opens files close-on-exec, so child processes never inherit the lock.
 */
export class FileLock {
  private constructor(
    readonly file: string,
    private fd: number | undefined,
  ) {}

  /** Takes the lock at once, exclusive (the default) or shared; undefined when another holder conflicts. */
  static tryAcquire(file: string, options: { shared?: boolean } = {}): FileLock | undefined {
    const fd = openLockFile(file);
    try {
      if (native.tryLock(fd, { shared: options.shared === true })) return new FileLock(file, fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    closeSync(fd);
    return undefined;
  }

  /** Waits (in the thread pool, not the event loop) until the lock is granted. */
  static async acquire(file: string, options: { shared?: boolean } = {}): Promise<FileLock> {
    const fd = openLockFile(file);
    try {
      await native.waitForLock(fd, { shared: options.shared === true });
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return new FileLock(file, fd);
  }

  /** Exclusive to shared without letting go in between (atomic on Linux). */
  downgrade(): void {
    if (this.fd === undefined || !native.tryDowngradeLock(this.fd))
      throw new Error(`could not downgrade the lock on ${this.file}`);
  }

  /** Replaces the file's content (for people and error messages: who holds it). */
  describeHolder(text: string): void {
    if (this.fd === undefined) return;
    ftruncateSync(this.fd, 0);
    writeSync(this.fd, text, 0);
  }

  release(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd); // the kernel drops the lock with the last descriptor
  }
}

function openLockFile(file: string): number {
  mkdirSync(dirname(file), { recursive: true });
  return openSync(file, constants.O_RDWR | constants.O_CREAT, 0o644);
}

/**
 * One service per data directory: two would fight over the embedded database and chain. The lock
 * is held by the kernel on `upstream.pid` (which also names the holder's pid, for the message), so
 * a crash releases it with the process and a stale or reused pid in the file never blocks a start.
 */
export class DataDirLock {
  private constructor(private readonly lock: FileLock) {}

  static acquire(dataDir: string): DataDirLock {
    const file = join(dataDir, 'upstream.pid');
    const lock = FileLock.tryAcquire(file);
    if (!lock) {
      const holder = readHolderPid(file);
      throw new DataDirLockedError(
        `another Upstream service${holder ? ` (pid ${holder})` : ''} is already running on ${dataDir}; stop it first, or set DATA_DIR to another folder`,
      );
    }
    lock.describeHolder(`${process.pid}\n`);
    return new DataDirLock(lock);
  }

  release(): void {
    try {
      this.lock.describeHolder('');
    } finally {
      this.lock.release();
    }
  }
}

function readHolderPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
