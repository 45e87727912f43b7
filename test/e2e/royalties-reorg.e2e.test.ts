import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainSyncService } from '../../apps/api/src/worker/chain-sync.service';
import { payRunWith } from '../support/chain';
import { startTestApp, type TestApp } from '../support/app';
import { RoyaltyFixtures, type FixtureRun } from '../support/royalty-fixtures';

describe('royalties and chain reorganisations: a rolled-back payment takes its ledger rows with it', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  let run: FixtureRun;
  let owner: string;

  const ledgerRows = async () =>
    (
      await fx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ledger_entries le JOIN royalty_payments p ON p.id = le.payment_id WHERE p.run_id = $1`,
        [run.runId],
      )
    )[0].n;
  const catchUp = () => t.app.get(ChainSyncService).indexer.catchUp();

  async function pay(amount: bigint): Promise<void> {
    // A plain wallet (not nonce-managed): after evm_revert its nonce must come from the chain again.
    const payer = new Wallet(t.chain.privateKey(8), t.chain.provider);
    await payRunWith(t.chain.deployment, payer, run.runId, amount);
  }

  beforeAll(async () => {
    t = await startTestApp({ EPOCH_INTERVAL_MS: '3600000' });
    fx = RoyaltyFixtures.connect(t.database.url);
    owner = new Wallet(t.chain.privateKey(3)).address.toLowerCase();
    const dataset = await fx.dataset({ owners: [{ account: owner, shareBps: 10_000 }] });
    run = await fx.run({ lab: new Wallet(t.chain.privateKey(8)).address, entries: [{ dataset, weight: 1n }] });
  });
  afterAll(async () => {
    await fx?.close();
    await t?.close();
  });

  it('removes the payment and its ledger rows when the block is reorganised away, then applies the new chain', async () => {
    const snapshot: string = await t.chain.provider.send('evm_snapshot', []);
    await pay(40_000n);
    await catchUp();
    expect(await ledgerRows()).toBe(1);
    expect((await t.http.get(`/contributors/${owner}/balances`).expect(200)).body.balances[0].earned).toBe('39000');

    // The blocks with the payment disappear; the new chain grows past the old head with other blocks.
    await t.chain.provider.send('evm_revert', [snapshot]);
    await t.chain.provider.send('anvil_mine', ['0x5']);
    await catchUp();
    expect(await ledgerRows()).toBe(0);
    expect((await fx.query(`SELECT 1 FROM royalty_payments`)).length).toBe(0);
    expect((await t.http.get(`/contributors/${owner}/balances`).expect(200)).body.balances).toEqual([]);

    // The lab pays again on the new chain: applied once, exactly.
    await pay(40_000n);
    await catchUp();
    await catchUp();
    expect(await ledgerRows()).toBe(1);
    expect((await t.http.get(`/contributors/${owner}/balances`).expect(200)).body.balances[0].earned).toBe('39000');
    expect(await fx.invariantViolations()).toEqual([]);
  });
});
