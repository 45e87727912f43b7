import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { RUNTIME, type Runtime } from '../../runtime/runtime';
import { dependencyFailure, endpointOf } from './dependency-failure';

/** A probe gives up after this long: /health must say "down" within a second. */
export const DATABASE_PROBE_TIMEOUT_MS = 900;
/** While requests flow, the database is probed at most this often… */
const PROBE_INTERVAL_UP_MS = 1_000;
/** …and more often while it is down, so the service answers again soon after PostgreSQL is back. */
const PROBE_INTERVAL_DOWN_MS = 250;
/**
 * Probes in a row that must time out before PostgreSQL counts as down. A refusal (connection refused,
 * 57P03 of a shutdown) says so at once; a timeout alone does not: on a loaded machine one fresh session,
 * SCRAM authentication included, can take longer than DATABASE_PROBE_TIMEOUT_MS while the pool's
 * sessions answer, and refusing every request on that guess turned a slow second into failed requests.
 */
export const TIMEOUTS_BEFORE_DOWN = 2;

export type DatabaseState = { up: true; checkedAt: number } | { up: false; reason: string; checkedAt: number };

/**
 * Whether PostgreSQL takes new sessions, from a fresh connection each time. The pool cannot
 * tell: during a smart shutdown its idle sessions keep working while the postmaster refuses
 * new ones with 57P03, so a ping through the pool stays green until the pool needs a session.
 * Probes are single-flight and only run on demand (/health, or requests at most once a second).
 */
@Injectable()
export class DatabaseAvailability {
  private readonly logger = new Logger('Database');
  private readonly url: string;
  private last: DatabaseState | undefined;
  /** Probes in a row that timed out (and no more than that went wrong). */
  private timeouts = 0;
  private inFlight: Promise<DatabaseState> | undefined;

  constructor(@Inject(RUNTIME) runtime: Runtime) {
    this.url = runtime.infrastructure.databaseUrl;
  }

  /** Opens a new session and runs `SELECT 1`, within DATABASE_PROBE_TIMEOUT_MS. Concurrent callers share one probe. */
  probe(): Promise<DatabaseState> {
    this.inFlight ??= this.connectOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /**
   * For the request path, without waiting: the last probe's verdict when it said "down" (a
   * request is then refused at once), and a new probe in the background when the verdict is stale.
   */
  knownDown(): Extract<DatabaseState, { up: false }> | undefined {
    const last = this.last;
    const interval = last?.up === false ? PROBE_INTERVAL_DOWN_MS : PROBE_INTERVAL_UP_MS;
    if (!last || Date.now() - last.checkedAt >= interval) void this.probe();
    return last?.up === false ? last : undefined;
  }

  /** A request just failed on the database: probe now, so the next requests are refused fast if it is down. */
  recheck(): void {
    void this.probe();
  }

  private async connectOnce(): Promise<DatabaseState> {
    const client = new Client({
      connectionString: this.url,
      connectionTimeoutMillis: DATABASE_PROBE_TIMEOUT_MS,
      query_timeout: DATABASE_PROBE_TIMEOUT_MS,
      application_name: 'upstream-probe',
    });
    // Errors surface through connect()/query(); an unhandled 'error' event would crash the process.
    client.on('error', () => undefined);
    let state: DatabaseState;
    try {
      await client.connect();
      await client.query('SELECT 1');
      state = { up: true, checkedAt: Date.now() };
    } catch (error) {
      const failure = dependencyFailure(error, { database: endpointOf(this.url) });
      state = {
        up: false,
        reason: failure?.reason ?? (error instanceof Error ? error.message : String(error)),
        checkedAt: Date.now(),
      };
    } finally {
      void client.end().catch(() => undefined);
    }
    if (!state.up && timedOut(state.reason) && this.last?.up !== false) {
      this.timeouts++;
      if (this.timeouts < TIMEOUTS_BEFORE_DOWN) {
        this.logger.debug(`a PostgreSQL probe timed out (${this.timeouts} in a row); not yet counted as down`);
        // The verdict stands (up), checked again at the next probe.
        state = { up: true, checkedAt: Date.now() };
      }
    } else {
      this.timeouts = 0;
    }
    if (this.last && this.last.up !== state.up) {
      if (state.up) this.logger.log('PostgreSQL takes new connections again');
      else this.logger.warn(`PostgreSQL refuses new connections: ${state.reason}`);
    } else if (!this.last && !state.up) {
      this.logger.warn(`PostgreSQL refuses new connections: ${state.reason}`);
    }
    this.last = state;
    return state;
  }
}

/** node-postgres's words for a connection or query that took too long (no code is attached). */
function timedOut(reason: string): boolean {
  return /timeout expired|timed out|Query read timeout/i.test(reason);
}
