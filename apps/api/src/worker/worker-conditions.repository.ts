import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SqlRepository } from '../common/persistence/unit-of-work';

/** What the worker last found about one thing it watches (the chain it follows, settlement). */
export interface WorkerCondition {
  name: 'chain' | 'settlement';
  ok: boolean;
  /** `ok`, or what is wrong in one word: `diverged`, `degraded`. */
  state: string;
  reason: string | null;
  details: Record<string, unknown>;
  since: Date;
  checkedAt: Date;
}

/** The worker_conditions table: written by the leading worker each pass, read by /health on any replica. */
@Injectable()
export class WorkerConditionsRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /** Records the condition; `since` moves only when the state changes. */
  async record(c: Pick<WorkerCondition, 'name' | 'ok' | 'state' | 'reason' | 'details'>): Promise<void> {
    await this.db.query(
      `INSERT INTO worker_conditions (name, ok, state, reason, details) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO UPDATE SET
         since = CASE WHEN worker_conditions.state = EXCLUDED.state THEN worker_conditions.since ELSE now() END,
         ok = EXCLUDED.ok, state = EXCLUDED.state, reason = EXCLUDED.reason, details = EXCLUDED.details, checked_at = now()`,
      [c.name, c.ok, c.state, c.reason, JSON.stringify(c.details)],
    );
  }

  async all(): Promise<WorkerCondition[]> {
    const rows: {
      name: WorkerCondition['name'];
      ok: boolean;
      state: string;
      reason: string | null;
      details: Record<string, unknown>;
      since: Date;
      checked_at: Date;
    }[] = await this.db.query(
      `SELECT name, ok, state, reason, details, since, checked_at FROM worker_conditions ORDER BY name`,
    );
    return rows.map((r) => ({
      name: r.name,
      ok: r.ok,
      state: r.state,
      reason: r.reason,
      details: r.details,
      since: r.since,
      checkedAt: r.checked_at,
    }));
  }
}
