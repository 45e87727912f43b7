import { ThrottlerStorageService } from '@nestjs/throttler';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HitQueueThrottlerStorage } from '../../apps/api/src/common/hit-queue-throttler.storage';

describe('HitQueueThrottlerStorage', () => {
  afterEach(() => vi.useRealTimers());

  it("answers exactly what @nestjs/throttler's default storage answers, hit by hit, with and without a block duration", async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const ours = new HitQueueThrottlerStorage();
    const theirs = new ThrottlerStorageService();
    // Bursts, pauses past the window, a block and its end, two clients.
    const steps = [...Array(30).fill(300), 61_000, ...Array(12).fill(5_000), 0, 0, 120_000, ...Array(8).fill(1)];
    for (const blockDuration of [60_000, 0]) {
      for (const [i, wait] of steps.entries()) {
        vi.advanceTimersByTime(wait);
        const key = i % 7 === 0 ? 'client-b' : `client-a-${blockDuration}`;
        const args = [key, 60_000, 10, blockDuration, 'default'] as const;
        expect(await ours.increment(...args), `step ${i}, blockDuration ${blockDuration}`).toEqual(
          await theirs.increment(...args),
        );
      }
    }
    ours.onApplicationShutdown();
    theirs.onApplicationShutdown();
  });

  it('keeps the same work per request however many hits are in the window, and forgets idle clients', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const storage = new HitQueueThrottlerStorage();
    for (let i = 0; i < 20_000; i++) {
      if (i % 100 === 0) vi.advanceTimersByTime(400); // 20,000 hits over 80 s: the window keeps sliding
      const record = await storage.increment('client', 60_000, 1_000_000, 60_000, 'default');
      expect(record.isBlocked).toBe(false);
    }
    expect((await storage.increment('client', 60_000, 1_000_000, 60_000, 'default')).totalHits).toBe(15_001);
    vi.advanceTimersByTime(61_000);
    storage.sweep();
    expect(storage.size).toBe(0);
    storage.onApplicationShutdown();
  });
});
