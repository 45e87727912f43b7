import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

describe('rate limiting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => t?.close());

  it('answers 429 past RATE_LIMIT_PER_MINUTE, in the one error format, and never throttles /health', async () => {
    for (let i = 0; i < 3; i++) await t.http.get('/chain').expect(200);
    const res = await t.http.get('/chain').expect(429);
    expect(res.body).toMatchObject({ statusCode: 429, error: 'TOO_MANY_REQUESTS' });
    expect(res.headers['retry-after']).toBeDefined();
    for (let i = 0; i < 5; i++) await t.http.get('/health').expect(200);
  });
});

describe('rate limiting per account', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '4' });
  });
  afterAll(() => t?.close());

  it('counts a signed-in caller per account, whatever its IP, and anonymous callers per IP', async () => {
    const [alice, bob] = [await t.tokenOf(3), await t.tokenOf(4)];
    // The IP's anonymous allowance for the route is used up…
    for (let i = 0; i < 4; i++) await t.http.get('/chain').expect(200);
    await t.http.get('/chain').expect(429);
    // …but a signed-in account from the same IP counts on its own.
    for (let i = 0; i < 4; i++) await t.http.get('/chain').set('authorization', `Bearer ${alice}`).expect(200);
    await t.http.get('/chain').set('authorization', `Bearer ${alice}`).expect(429);
    // Another account from the same IP has its own allowance.
    await t.http.get('/chain').set('authorization', `Bearer ${bob}`).expect(200);
  });
});
