import { Contract, Wallet, type ContractRunner } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import type { Epoch } from '@upstream/api-contract';
import { SettlementService } from '../../apps/api/src/royalties/settlement.service';
import { ChainSyncService } from '../../apps/api/src/worker/chain-sync.service';
import { payRunWith } from '../support/chain';
import { startTestApp, type TestApp } from '../support/app';
import { CLI_BUILT, runCli } from '../support/cli';
import { oneOwnerRun, type FixtureRun, type RoyaltyFixtures } from '../support/royalty-fixtures';
import { auditSettlement, reincludeDroppedOperatorTransactions } from '../support/settlement-audit';

/**
 * Settlement when the chain loses blocks under it (a reorganisation deeper than CONFIRMATIONS, or a
 * local chain restored from an older state): an epoch is a function of the chain that survives.
 */
describe('settlement under chain rollbacks: an epoch never pays for a payment the chain no longer has', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  let run: FixtureRun;
  let splitter: Contract;
  let owner: string;

  const send = (method: string, params: unknown[] = []) => t.chain.provider.send(method, params);
  const settlement = () => t.app.get(SettlementService);
  const epochs = async () => (await t.http.get('/epochs?limit=100').expect(200)).body.items as Epoch[];
  const outbox = async (key: string) =>
    (
      await fx.query<{ status: string; raw_txs: string[]; cancel_reason: string | null }>(
        `SELECT status, raw_txs, cancel_reason FROM outbox_transactions WHERE idempotency_key = $1`,
        [key],
      )
    )[0];
  const condition = async (name: string) =>
    (
      await fx.query<{ ok: boolean; state: string; reason: string | null }>(
        `SELECT ok, state, reason FROM worker_conditions WHERE name = $1`,
        [name],
      )
    )[0];
  const audit = (expectQuiescent = true) =>
    auditSettlement(
      {
        provider: t.chain.provider,
        splitter: t.chain.deployment.contracts.RoyaltySplitter,
        get: async (path) => (await t.http.get(path).expect(200)).body,
        query: (sql, params) => fx.query(sql, params),
      },
      { expectQuiescent },
    );

  /** The network puts the operator's dropped transactions back into blocks (the proposal among them). */
  const reinclude = async () => {
    const mined = await reincludeDroppedOperatorTransactions(
      t.chain.provider,
      new Wallet(t.chain.privateKey(0)).address,
      (sql, params) => fx.query(sql, params),
    );
    expect(mined.length).toBeGreaterThan(0);
  };

  /** A plain wallet: after evm_revert its nonce must come from the chain again. */
  const wallet = (i: number) => new Wallet(t.chain.privateKey(i), t.chain.provider);

  async function pay(amount: bigint, payer: ContractRunner = wallet(8)): Promise<void> {
    await payRunWith(t.chain.deployment, payer, run.runId, amount);
  }

  async function warp(seconds: number): Promise<void> {
    await send('evm_increaseTime', [seconds]);
    await send('evm_mine');
  }

  /** Loses every block since the snapshot; the chain then grows past the old head with other blocks. */
  async function loseBlocksSince(snapshot: string): Promise<void> {
    const head = await t.chain.provider.getBlockNumber();
    await send('evm_revert', [snapshot]);
    const now = await t.chain.provider.getBlockNumber();
    await send('anvil_mine', [`0x${(head - now + 2).toString(16)}`]);
  }

  beforeAll(async () => {
    t = await startTestApp({ EPOCH_INTERVAL_MS: '0', ANCHOR_INTERVAL_MS: '3600000' });
    ({ fx, owner, run, splitter } = await oneOwnerRun(t));
  });
  afterAll(async () => {
    await fx?.close();
    await t?.close();
  });

  it('invalidates an epoch whose blocks are lost before its root was sent, and never sends it', async () => {
    const snapshot: string = await send('evm_snapshot');
    await pay(40_000n);
    await t.app.get(ChainSyncService).indexer.catchUp();
    expect(await settlement().settle(true)).toBe(1);
    expect((await outbox('propose-root:1'))?.status).toBe('pending');

    await loseBlocksSince(snapshot);
    await t.tick();

    expect(await epochs()).toEqual([
      expect.objectContaining({
        epoch: 1,
        status: 'invalidated',
        invalidatedReason: expect.stringMatching(/rolled back .* basis block/),
      }),
    ]);
    expect(await outbox('propose-root:1')).toMatchObject({ status: 'cancelled', raw_txs: [] });
    expect(await splitter.lastProposedEpoch()).toBe(0n);
    expect((await t.http.get(`/contributors/${owner}/balances`).expect(200)).body.balances).toEqual([]);
    expect(await audit()).toEqual([]);
    if (CLI_BUILT) {
      const verified = await runCli(['--api', t.baseUrl, 'verify-epoch', '1', '--rpc', t.chain.rpcUrl]);
      expect(verified).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/epoch 1: INVALIDATED .*never claimable/s),
      });
    }
  });

  it('cancels a signed proposal the chain lost with a no-op at its nonce, so later transactions are not stuck', async () => {
    const snapshot: string = await send('evm_snapshot');
    await pay(45_000n);
    await t.app.get(ChainSyncService).indexer.catchUp();
    expect(await settlement().settle(true)).toBe(2);
    await t.app.get(ChainSyncService).outbox.tick(); // signed and broadcast; mined at once
    const signed = await outbox('propose-root:2');
    expect(signed?.raw_txs).toHaveLength(1);

    // The chain loses the payment and the proposal; the outbox still remembers it as mined.
    await loseBlocksSince(snapshot);
    await t.tick();
    await t.tick();

    expect((await epochs())[0]).toMatchObject({ epoch: 2, status: 'invalidated' });
    const cancelled = await outbox('propose-root:2');
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      cancel_reason: expect.stringMatching(/invalidated|no longer on the chain/),
    });
    expect(cancelled.raw_txs).toHaveLength(2); // the original and the no-op that took its nonce
    expect(await splitter.lastProposedEpoch()).toBe(0n);
    expect(await splitter.pendingRoots()).toHaveLength(0);
    expect(await audit()).toEqual([]);
  });

  it('withdraws a root the network re-included after its payment was lost, so it never becomes claimable', async () => {
    const snapshot: string = await send('evm_snapshot');
    await pay(50_000n);
    await t.tick(); // epoch 3 built, proposed and indexed
    expect((await epochs())[0]).toMatchObject({ epoch: 3, status: 'proposed' });

    await loseBlocksSince(snapshot);
    await reinclude(); // a node puts the dropped transactions back into blocks
    expect((await splitter.pendingRoots()).map((r: { epoch: bigint }) => r.epoch)).toEqual([3n]);
    await t.tick();
    await t.tick();

    expect((await epochs())[0]).toMatchObject({ epoch: 3, status: 'invalidated' });
    expect((await outbox('withdraw-root:3'))?.status).toBe('mined');
    expect(await splitter.pendingRoots()).toHaveLength(0);
    await warp(61);
    await expect(splitter.acceptRoot.staticCall()).rejects.toThrow(/RoyaltySplitterNoPendingRoot|revert/);
    expect(await splitter.currentEpoch()).toBe(0n);
    expect(await audit()).toEqual([]);
  });

  it('settles what survives: a payment kept by the chain is settled, accepted and claimable exactly', async () => {
    await pay(60_000n);
    await t.tick();
    const [latest] = await epochs();
    expect(latest).toMatchObject({ epoch: 4, status: 'proposed' });
    await warp(61);
    await t.tick();
    await t.tick();
    expect((await epochs())[0]).toMatchObject({ epoch: 4, status: 'accepted' });
    expect((await t.http.get(`/contributors/${owner}/balances`).expect(200)).body.balances[0]).toMatchObject({
      earned: '58500',
      claimable: '58500',
    });
    expect(await audit()).toEqual([]);
    expect(await condition('settlement')).toMatchObject({ ok: true, state: 'ok' });
  });

  it('reports an accepted root built on lost payments, stops proposing until claims are paused, then corrects the balances', async () => {
    const snapshot: string = await send('evm_snapshot');
    await pay(70_000n);
    await t.tick(); // epoch 5 proposed

    // Deeper than the confirmations: the payment is lost, but the proposal is mined again and a
    // stranger accepts it after the delay, before the service has looked.
    await loseBlocksSince(snapshot);
    await reinclude();
    await warp(61);
    await (
      await new Contract(
        t.chain.deployment.contracts.RoyaltySplitter,
        artifacts.RoyaltySplitter.abi,
        wallet(9),
      ).acceptRoot()
    ).wait();
    expect(await splitter.currentEpoch()).toBe(5n);

    await t.tick();
    expect(await condition('settlement')).toMatchObject({
      ok: false,
      state: 'degraded',
      reason: expect.stringMatching(/epoch 5 .*guardian pauses/),
    });
    const health = await t.http.get('/health').expect(503);
    expect(health.body.error.settlement).toMatchObject({
      status: 'down',
      state: 'degraded',
      currentEpoch: 5,
      claimsPaused: false,
      proposing: false,
    });
    await pay(80_000n); // a new payment: with a bad root accepted, it is not proposed on top of it
    await t.tick();
    await t.tick();
    expect((await epochs())[0]).toMatchObject({ epoch: 5, status: 'invalidated' });
    if (CLI_BUILT) {
      const verified = await runCli(['--api', t.baseUrl, 'verify-epoch', '5', '--rpc', t.chain.rpcUrl]);
      expect(verified).toMatchObject({
        code: 2,
        stdout: expect.stringMatching(/epoch 5: INVALIDATED but ACCEPTED on chain/),
      });
    }

    // The guardian pauses claims; the service proposes the correction from the surviving ledger.
    await (
      await new Contract(t.chain.deployment.contracts.RoyaltySplitter, artifacts.RoyaltySplitter.abi, wallet(1)).pause()
    ).wait();
    await t.tick();
    expect((await epochs())[0]).toMatchObject({ epoch: 6, status: 'proposed' });
    expect((await condition('settlement'))?.reason).toMatch(/Claims are paused/);
    await warp(61);
    await t.tick();
    await t.tick();
    expect((await epochs())[0]).toMatchObject({ epoch: 6, status: 'accepted' });
    expect(await condition('settlement')).toMatchObject({ ok: true, state: 'ok' });
    expect((await t.http.get('/health').expect(200)).body.info.settlement).toMatchObject({
      status: 'up',
      state: 'ok',
      currentEpoch: 6,
    });
    await (
      await new Contract(
        t.chain.deployment.contracts.RoyaltySplitter,
        artifacts.RoyaltySplitter.abi,
        wallet(1),
      ).unpause()
    ).wait();

    // 60,000 + 80,000 paid and kept, 2.5 % fee: exactly 136,500 for the owner, claimable in full.
    expect((await t.http.get(`/contributors/${owner}/balances`).expect(200)).body.balances[0]).toMatchObject({
      earned: '136500',
      claimable: '136500',
    });
    expect(await audit()).toEqual([]);
    expect(await fx.invariantViolations()).toEqual([]);
  });
});
