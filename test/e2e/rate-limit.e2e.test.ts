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
