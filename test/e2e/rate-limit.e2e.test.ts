import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, startTestAppOn, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { createTestDatabase, type TestDatabase } from '../support/database';

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

describe('rate limiting shared by API replicas (RATE_LIMIT_STORE=postgres)', () => {
  let database: TestDatabase;
  let chain: TestChain;
  let replicas: TestApp[];
  beforeAll(async () => {
    [database, chain] = await Promise.all([createTestDatabase(), startTestChain()]);
    const env = { WORKER_MODE: 'off', RATE_LIMIT_STORE: 'postgres', RATE_LIMIT_PER_MINUTE: '4' };
    replicas = [await startTestAppOn(database, chain, env), await startTestAppOn(database, chain, env)];
  });
  afterAll(async () => {
    for (const t of replicas ?? []) await t.close();
    await chain?.stop();
    await database?.drop();
  });

  it('counts a caller once over both replicas, and refuses on either past the limit', async () => {
    const [a, b] = replicas;
    await a.http.get('/chain').expect(200);
    await b.http.get('/chain').expect(200);
    await a.http.get('/chain').expect(200);
    await b.http.get('/chain').expect(200);
    const refused = await a.http.get('/chain').expect(429);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'TOO_MANY_REQUESTS' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await b.http.get('/chain').expect(429);
    for (let i = 0; i < 5; i++) await b.http.get('/health').expect(200);
  });
});
