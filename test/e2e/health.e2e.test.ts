import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

describe('service basics: health, OpenAPI, errors, request ids', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('reports database and chain up in Terminus format', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database.status).toBe('up');
    expect(res.body.info.chain).toMatchObject({ status: 'up', chainId: 31337 });
  });

  it('serves the OpenAPI document at /docs', async () => {
    const res = await t.http.get('/docs/json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toContain('/health');
    await t.http.get('/docs').expect(200);
  });

  it('answers unknown routes with the one error format', async () => {
    const res = await t.http.get('/no/such/route').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'NOT_FOUND', details: [{ field: 'path' }] });
    expect(res.body.message).toContain('/no/such/route');
  });

  it('echoes a caller request id, and mints one otherwise', async () => {
    const given = await t.http.get('/health').set('x-request-id', 'trace-123');
    expect(given.headers['x-request-id']).toBe('trace-123');
    const minted = await t.http.get('/health');
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('tells clients the chain, contracts and EIP-712 domain to sign for', async () => {
    const res = await t.http.get('/chain').expect(200);
    expect(res.body).toMatchObject({
      chainId: 31337,
      royaltySplitter: t.chain.deployment.contracts.RoyaltySplitter,
      eip712Domain: {
        name: 'Upstream',
        version: '1',
        chainId: 31337,
        verifyingContract: t.chain.deployment.contracts.ProvenanceRegistry,
      },
    });
  });

  it('reports the chain as down when the RPC endpoint stops answering', async () => {
    await t.chain.stop();
    const res = await t.http.get('/health').expect(503);
    expect(res.body.info.database.status).toBe('up');
    expect(res.body.error.chain.status).toBe('down');
  });
});
