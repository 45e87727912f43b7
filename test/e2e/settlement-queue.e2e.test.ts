import { Contract, Wallet, type ContractRunner } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Epoch, TokenBalance } from '@upstream/api-contract';
import { payRunWith } from '../support/chain';
import { startTestApp, type TestApp } from '../support/app';
import { oneOwnerRun, type FixtureRun, type RoyaltyFixtures } from '../support/royalty-fixtures';
import { auditSettlement } from '../support/settlement-audit';

/**
 * Pending roots form a queue: a payment waits for its own root's delay, not for the delay of a root
 * proposed before it. The settlement worker proposes the next epoch while earlier roots wait; a claim
 * uses the newest accepted root; a guardian's veto drops the vetoed root and every root after it, and
 * the next epoch settles what they held.
 */
describe('settlement queue: several roots pending at once, each claimable after its own delay', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  let run: FixtureRun;
  let owner: string;
  let splitter: Contract;
  let feeBps: bigint;
  let token: string;

  const send = (method: string, params: unknown[] = []) => t.chain.provider.send(method, params);
  const wallet = (i: number) => new Wallet(t.chain.privateKey(i), t.chain.provider);
  const epochs = async () => (await t.http.get('/epochs?limit=100').expect(200)).body.items as Epoch[];
  const statusOf = async (epoch: number) => (await epochs()).find((e) => e.epoch === epoch)?.status;
  const balance = async () =>
    ((await t.http.get(`/contributors/${owner}/balances`).expect(200)).body.balances as TokenBalance[]).find(
      (b) => b.token === token,
    )!;
  const pendingOnChain = async () =>
    ((await splitter.pendingRoots()) as { epoch: bigint; claimableAt: bigint }[]).map((r) => ({
      epoch: Number(r.epoch),
      claimableAt: Number(r.claimableAt),
    }));
  const net = (amount: bigint) => amount - (amount * feeBps) / 10_000n;
  const chainTime = async () => (await t.chain.provider.getBlock('latest'))!.timestamp;

  async function pay(amount: bigint, payer: ContractRunner = wallet(8)): Promise<void> {
    await payRunWith(t.chain.deployment, payer, run.runId, amount);
  }

  /** Sets the chain's clock to `timestamp` in the next block. */
  async function warpTo(timestamp: number): Promise<void> {
    await send('evm_setNextBlockTimestamp', [timestamp]);
    await send('evm_mine');
  }

  /** Ticks the worker until `done` holds (each tick indexes, settles, accepts and sends what is due). */
  async function tickUntil(what: string, done: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 8; i++) {
      await t.tick();
      if (await done()) return;
    }
    throw new Error(`still waiting for ${what} after 8 worker ticks`);
  }

  beforeAll(async () => {
    t = await startTestApp({ EPOCH_INTERVAL_MS: '0', ANCHOR_INTERVAL_MS: '3600000' }, { validateResponses: true });
    ({ fx, owner, run, splitter, feeBps, token } = await oneOwnerRun(t));
  });
  afterAll(async () => {
    await fx?.close();
    await t?.close();
  });

  it('queues a second root behind the first, each with its own activation time; a claim uses the first while the second waits', async () => {
    const delay = Number(await splitter.rootDelay());
    await pay(40_000n);
    await tickUntil('epoch 1 proposed', async () => (await statusOf(1)) === 'proposed');
    const start = (await pendingOnChain())[0].claimableAt - delay;

    // Half a delay later a second payment arrives: its epoch is proposed at once, behind the first.
    await warpTo(start + delay / 2);
    await pay(20_000n);
    await tickUntil('epoch 2 proposed', async () => (await statusOf(2)) === 'proposed');
    const queue = await pendingOnChain();
    expect(queue.map((r) => r.epoch)).toEqual([1, 2]);
    expect(queue[0].claimableAt).toBe(start + delay);
    expect(queue[1].claimableAt).toBeGreaterThanOrEqual(start + delay / 2 + delay);
    expect(queue[1].claimableAt).toBeLessThan(start + 2 * delay); // one delay, not two
    const listed = await epochs();
    expect(listed.filter((e) => e.epoch <= 2).map((e) => [e.epoch, e.status, e.claimableAt])).toEqual([
      [2, 'proposed', new Date(queue[1].claimableAt * 1000).toISOString()],
      [1, 'proposed', new Date(queue[0].claimableAt * 1000).toISOString()],
    ]);
    expect(await balance()).toMatchObject({
      earned: String(net(40_000n) + net(20_000n)),
      inCurrentRoot: '0',
      claimable: '0',
      pending: String(net(40_000n) + net(20_000n)),
      queued: String(net(40_000n) + net(20_000n)),
      queuedClaimableAt: new Date(queue[1].claimableAt * 1000).toISOString(),
    });

    // The first root's delay passes, the second's has not: only the first is accepted.
    await warpTo(queue[0].claimableAt);
    await tickUntil('epoch 1 accepted', async () => (await statusOf(1)) === 'accepted');
    expect(await statusOf(2)).toBe('proposed');
    expect(await splitter.currentEpoch()).toBe(1n);
    expect((await pendingOnChain()).map((r) => r.epoch)).toEqual([2]);
    expect(await balance()).toMatchObject({
      inCurrentRoot: String(net(40_000n)),
      claimable: String(net(40_000n)),
      pending: String(net(20_000n)),
      queued: String(net(20_000n)),
      queuedClaimableAt: new Date(queue[1].claimableAt * 1000).toISOString(),
    });

    const proofs = (await t.http.get(`/contributors/${owner}/proofs`).expect(200)).body;
    expect(proofs).toMatchObject({ epoch: 1, root: await splitter.currentRoot() });
    const [claim] = proofs.claims as { token: string; cumulative: string; call: { to: string; data: string } }[];
    expect(claim).toMatchObject({ token, cumulative: String(net(40_000n)) });
    await (await wallet(3).sendTransaction(claim.call)).wait();
    expect(await splitter.claimed(owner, token)).toBe(net(40_000n));
    await tickUntil('the claim indexed', async () => (await balance()).claimed === String(net(40_000n)));
    expect(await balance()).toMatchObject({ claimable: '0', queued: String(net(20_000n)) });

    // Then the second.
    await warpTo(queue[1].claimableAt);
    await tickUntil('epoch 2 accepted', async () => (await statusOf(2)) === 'accepted');
    expect(await splitter.currentEpoch()).toBe(2n);
    expect(await balance()).toMatchObject({
      claimable: String(net(20_000n)),
      pending: '0',
      queued: '0',
      queuedClaimableAt: null,
    });
  });

  it('a veto of the first of two queued roots drops both; the next epoch settles everything they held', async () => {
    const before = BigInt((await balance()).earned);
    await pay(30_000n);
    await tickUntil('epoch 3 proposed', async () => (await statusOf(3)) === 'proposed');
    await warpTo((await chainTime()) + 10);
    await pay(10_000n);
    await tickUntil('epoch 4 proposed', async () => (await statusOf(4)) === 'proposed');
    expect((await pendingOnChain()).map((r) => r.epoch)).toEqual([3, 4]);

    const guardian = splitter.connect(wallet(1)) as Contract;
    await (await guardian.vetoRoot(3n)).wait();
    expect(await pendingOnChain()).toEqual([]);
    await tickUntil('epochs 3 and 4 vetoed', async () => (await statusOf(4)) === 'vetoed');
    expect(await statusOf(3)).toBe('vetoed');
    expect(await balance()).toMatchObject({ queued: '0', queuedClaimableAt: null });

    // Nothing new: the vetoed roots are not proposed again as they were.
    await t.tick();
    expect((await epochs())[0].epoch).toBe(4);

    // The next payment starts epoch 5, which holds every payment since epoch 2.
    await pay(5_000n);
    await tickUntil('epoch 5 proposed', async () => (await statusOf(5)) === 'proposed');
    const [queued] = await pendingOnChain();
    expect(queued.epoch).toBe(5);
    const total = before + net(30_000n) + net(10_000n) + net(5_000n);
    expect(await balance()).toMatchObject({ earned: String(total), queued: String(total - before) });
    await warpTo(queued.claimableAt);
    await tickUntil('epoch 5 accepted', async () => (await statusOf(5)) === 'accepted');
    const proofs = (await t.http.get(`/contributors/${owner}/proofs`).expect(200)).body;
    expect(proofs.epoch).toBe(5);
    const [claim] = proofs.claims as { cumulative: string; call: { to: string; data: string } }[];
    expect(claim.cumulative).toBe(String(total));
    await (await wallet(3).sendTransaction(claim.call)).wait();
    expect(await splitter.claimed(owner, token)).toBe(total);
    await tickUntil('the claim indexed', async () => (await balance()).claimed === String(total));
    expect(
      await auditSettlement(
        {
          provider: t.chain.provider,
          splitter: t.chain.deployment.contracts.RoyaltySplitter,
          get: async (path) => (await t.http.get(path).expect(200)).body,
          query: (sql, params) => fx.query(sql, params),
        },
        { expectQuiescent: true },
      ),
    ).toEqual([]);
  });
});
