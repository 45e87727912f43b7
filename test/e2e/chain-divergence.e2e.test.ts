import { Contract } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, ReorgTooDeepError } from '@upstream/chain';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { startInfrastructure } from '../../apps/api/src/runtime/infrastructure';
import { startTestApp, startTestAppOn, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { RoyaltyFixtures } from '../support/royalty-fixtures';

/**
 * A chain that has none of the blocks the database was built on (a local chain reset and
 * redeployed at the same addresses, RPC_URL pointed at another network) is refused, never
 * papered over: not at start, and not on a worker pass.
 */
describe('a diverged chain is refused, never papered over', () => {
  let t: TestApp;
  let other: TestChain;
  let fx: RoyaltyFixtures;

  beforeAll(async () => {
    t = await startTestApp({ ANCHOR_INTERVAL_MS: '3600000' });
    fx = RoyaltyFixtures.connect(t.database.url);
    await t.tick(); // the database now holds the deployment's events and block hashes
    // A fresh chain with the same deployer: the same contract addresses, none of the history.
    other = await startTestChain();
    expect(other.deployment.contracts.RoyaltySplitter).toBe(t.chain.deployment.contracts.RoyaltySplitter);
  });
  afterAll(async () => {
    await fx?.close();
    await other?.stop();
    await t?.close();
  });

  it('refuses to start on it, saying what to do', async () => {
    const { RoyaltySplitter, ProvenanceRegistry } = other.deployment.contracts;
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      DATABASE_URL: t.database.url,
      RPC_URL: other.rpcUrl,
      OPERATOR_PRIVATE_KEY: other.privateKey(0),
      ROYALTY_SPLITTER_ADDRESS: RoyaltySplitter,
      PROVENANCE_REGISTRY_ADDRESS: ProvenanceRegistry,
    });
    await expect(startInfrastructure(config, () => undefined)).rejects.toThrow(
      /chain diverged: .* none of the blocks this database indexed .*Point RPC_URL at the chain this database describes/s,
    );
  });

  it('on a worker pass: stops before settling or sending anything, and /health says chain: diverged', async () => {
    const switched = await startTestAppOn(t.database, other, { ANCHOR_INTERVAL_MS: '3600000' });
    try {
      const outboxBefore = await fx.query(`SELECT id, status FROM outbox_transactions ORDER BY id`);
      await expect(switched.tick()).rejects.toBeInstanceOf(ReorgTooDeepError);
      expect(await fx.query(`SELECT id, status FROM outbox_transactions ORDER BY id`)).toEqual(outboxBefore);
      expect((await fx.query<{ n: number }>(`SELECT count(*)::int AS n FROM chain_events`))[0].n).toBeGreaterThan(0); // nothing deleted

      const health = await switched.http.get('/health').expect(503);
      expect(health.body.error.chain).toMatchObject({
        status: 'down',
        state: 'diverged',
        lastAgreedBlock: null,
        reason: expect.stringMatching(/none of the blocks this database was built on/),
      });
      // The original chain is still there: back on it, the service is healthy again.
      await t.tick();
      expect((await t.http.get('/health').expect(200)).body.info.chain).toMatchObject({ status: 'up' });
      const splitter = new Contract(
        t.chain.deployment.contracts.RoyaltySplitter,
        artifacts.RoyaltySplitter.abi,
        t.chain.provider,
      );
      expect(await splitter.lastProposedEpoch()).toBe(0n);
    } finally {
      await switched.close();
    }
  });
});
