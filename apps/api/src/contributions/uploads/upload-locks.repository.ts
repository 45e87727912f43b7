import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/server';
import { Client, Pool, type PoolClient } from 'pg';
import { RUNTIME, type Runtime } from '../../runtime/runtime';

/** Where a request that waits for an upload's lock asks its holder, in whichever process, to let go. */
const RELEASE_CHANNEL = 'upstream_tus_release';
/** How long a request waits for an upload's lock before it gives up (as @tus/server's MemoryLocker). */
const ACQUIRE_TIMEOUT_MS = 30_000;
/** How often a waiting request tries the lock again, and asks again for its release. */
const RETRY_MS = 50;
const ASK_AGAIN_MS = 1_000;

/**
 * The tus upload lock (one request at a time per upload: PATCH, HEAD, DELETE) across every API
 * process on one PostgreSQL, so that an upload begun on one replica can go on on another. Each
 * lock is a session-level advisory lock on `upstream:tus:<id>`, held on a connection of a small
 * pool of its own (not the queries' pool) for as long as the request holds it; the server drops
 * it when the session or process dies. A request that finds the lock taken asks its holder to
 * let go (tus's "request release": the PATCH in flight stops taking bytes and answers with what
 * it has) with NOTIFY on `upstream_tus_release`; every process LISTENs and passes the ask on to
 * its own holder of that upload.
 */
@Injectable()
export class UploadLocksRepository implements Locker, OnModuleDestroy {
  private readonly logger = new Logger('UploadLocks');
  private readonly pool: Pool;
  /** Uploads whose lock a request of this process holds, and how to ask it to let go. */
  readonly held = new Map<string, RequestRelease>();
  private listener: Promise<Client> | undefined;
  private closed = false;

  constructor(@Inject(RUNTIME) runtime: Runtime) {
    this.pool = new Pool({
      connectionString: runtime.infrastructure.databaseUrl,
      max: 32,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: ACQUIRE_TIMEOUT_MS,
    });
    this.pool.on('error', (error) => this.logger.warn(`an idle upload-lock session failed: ${error.message}`));
  }

  newLock(id: string): Lock {
    return new UploadLock(this, id);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.then((client) => client.end()).catch(() => undefined);
    await this.pool.end();
  }

  /** A session for one lock; the listener for release asks is started on first use. */
  async session(): Promise<PoolClient> {
    void this.listen();
    return this.pool.connect();
  }

  async tryLock(session: PoolClient, id: string): Promise<boolean> {
    const { rows } = await session.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [
      lockKey(id),
    ]);
    return rows[0].locked;
  }

  async unlock(session: PoolClient, id: string): Promise<void> {
    await session.query(`SELECT pg_advisory_unlock(hashtext($1))`, [lockKey(id)]);
  }

  async askRelease(session: PoolClient, id: string): Promise<void> {
    await session.query(`SELECT pg_notify($1, $2)`, [RELEASE_CHANNEL, id]);
  }

  private listen(): Promise<Client> | undefined {
    if (this.closed) return undefined;
    this.listener ??= (async () => {
      const client = new Client({ connectionString: this.pool.options.connectionString });
      client.on('notification', (message) => {
        const release = message.payload ? this.held.get(message.payload) : undefined;
        if (release) void Promise.resolve(release()).catch(() => undefined);
      });
      client.on('error', (error) => {
        // Without the listener, asks go unanswered until it is back: the next lock starts it again.
        this.logger.warn(`the upload-lock listener failed: ${error.message}`);
        this.listener = undefined;
        void client.end().catch(() => undefined);
      });
      await client.connect();
      await client.query(`LISTEN ${RELEASE_CHANNEL}`);
      return client;
    })();
    this.listener.catch(() => (this.listener = undefined));
    return this.listener;
  }
}

class UploadLock implements Lock {
  private session: PoolClient | undefined;

  constructor(
    private readonly locks: UploadLocksRepository,
    private readonly id: string,
  ) {}

  async lock(stop: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const session = await this.locks.session();
    const deadline = Date.now() + ACQUIRE_TIMEOUT_MS;
    let askedAt = 0;
    try {
      for (;;) {
        if (await this.locks.tryLock(session, this.id)) {
          this.session = session;
          this.locks.held.set(this.id, requestRelease);
          return;
        }
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- @tus/server's errors are { status_code, body } objects
        if (stop.aborted || Date.now() > deadline) throw ERRORS.ERR_LOCK_TIMEOUT;
        if (Date.now() - askedAt >= ASK_AGAIN_MS) {
          await this.locks.askRelease(session, this.id);
          askedAt = Date.now();
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    } catch (error) {
      session.release();
      throw error;
    }
  }

  async unlock(): Promise<void> {
    const session = this.session;
    if (!session) throw new Error('Releasing an unlocked lock!');
    this.session = undefined;
    this.locks.held.delete(this.id);
    try {
      await this.locks.unlock(session, this.id);
      session.release();
    } catch (error) {
      // A session that failed is dropped, not reused; the server let go of its locks with it.
      session.release(error as Error);
    }
  }
}

function lockKey(id: string): string {
  return `upstream:tus:${id}`;
}
