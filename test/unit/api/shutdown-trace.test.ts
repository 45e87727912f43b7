import { Injectable, Module, type OnModuleDestroy, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { ShutdownTrace, ShutdownTraceModule } from '../../../apps/api/src/common/shutdown/shutdown-trace';

/** A provider whose destroy hook waits until the test lets it go, as a pool with a session still out does. */
@Injectable()
class HeldPool implements OnModuleDestroy {
  release!: () => void;
  readonly held = new Promise<void>((resolve) => (this.release = resolve));
  async onModuleDestroy(): Promise<void> {
    await this.held;
  }
}

@Module({ providers: [HeldPool] })
class ClosingModule implements OnApplicationShutdown {
  closed = false;
  onApplicationShutdown(): void {
    this.closed = true;
  }
}

describe('ShutdownTrace: which shutdown hooks are still running', () => {
  it('names a hook while it runs, and forgets it once it returns', async () => {
    const app = await NestFactory.createApplicationContext(
      { module: class Root {}, imports: [ShutdownTraceModule, ClosingModule] },
      { logger: false },
    );
    const trace = app.get(ShutdownTrace);
    const pool = app.get(HeldPool);
    expect(trace.pending()).toEqual([]);

    const closing = app.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(trace.pending()).toHaveLength(1);
    expect(trace.pending()[0]).toMatch(/^HeldPool\.onModuleDestroy \(\d+ ms\)$/);
    expect(app.get(ClosingModule).closed).toBe(false);

    pool.release();
    await closing;
    expect(trace.pending()).toEqual([]);
    // Module classes' own hooks (TypeORM closes its pool from one) still run, wrapped like the rest.
    expect(app.get(ClosingModule).closed).toBe(true);
  });
});
