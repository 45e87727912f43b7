import fc from 'fast-check';
import { Contract, Wallet, type JsonRpcProvider } from 'ethers';
import { describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import { SettlementService } from '../../apps/api/src/royalties/settlement.service';
import { ChainSyncService } from '../../apps/api/src/worker/chain-sync.service';
import { startTestAppOn, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RoyaltyFixtures, type FixtureRun } from '../support/royalty-fixtures';
import { auditSettlement, reincludeDroppedOperatorTransactions } from '../support/settlement-audit';

/**
 * Property: over any sequence of payments, indexing, epoch builds, proposals, acceptances,
 * chain reorganisations (depth 1–5, deeper than CONFIRMATIONS=0), a dropped proposal put back
 * into a block by the network, and restarts of the service, the root the chain accepted always
 * rebuilds from the surviving chain, and once settlement is quiet every account's claimable is
 * its ledger.
 */

interface World {
  database: TestDatabase;
  chain: TestChain;
  t: TestApp;
  fx: RoyaltyFixtures;
  run: FixtureRun;
  /** The head once the contracts, tokens and fixtures are in place: reorganisations stay above it. */
  floor: number;
}

const RUNS = Number(process.env.PROPERTY_RUNS ?? 8);
/** Anchoring batches late, so that the operator's transactions in a sequence are the settlement's own. */
const APP_ENV = { EPOCH_INTERVAL_MS: '0', ANCHOR_INTERVAL_MS: '3600000' };

type Step =
  | { kind: 'pay'; amount: bigint }
  | { kind: 'tick' }
  | { kind: 'build' }
  | { kind: 'warp' }
  | { kind: 'reorg'; depth: number; how: 'reorg' | 'rollback' }
  | { kind: 'reinclude'; pick: number }
  | { kind: 'restart' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.bigInt({ min: 1n, max: 10n ** 9n }).map((amount) => ({ kind: 'pay', amount }) as const), weight: 4 },
  { arbitrary: fc.constant({ kind: 'tick' } as const), weight: 4 },
  { arbitrary: fc.constant({ kind: 'build' } as const), weight: 2 },
  { arbitrary: fc.constant({ kind: 'warp' } as const), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('reorg' as const),
      depth: fc.integer({ min: 1, max: 5 }),
      how: fc.constantFrom('reorg' as const, 'rollback' as const),
    }),
    weight: 2,
  },
  { arbitrary: fc.nat(10).map((pick) => ({ kind: 'reinclude', pick }) as const), weight: 1 },
  { arbitrary: fc.constant({ kind: 'restart' } as const), weight: 1 },
);

const send = (provider: JsonRpcProvider, method: string, params: unknown[] = []) => provider.send(method, params);

async function apply(w: World, s: Step): Promise<void> {
  const provider = w.chain.provider;
  switch (s.kind) {
    case 'pay': {
      const lab = new Wallet(w.chain.privateKey(8), provider);
      const { PaymentToken, RoyaltySplitter } = w.chain.deployment.contracts;
      await (
        await new Contract(PaymentToken!, artifacts.LocalToken.abi, lab).approve(RoyaltySplitter, s.amount)
      ).wait();
      await (
        await new Contract(RoyaltySplitter, artifacts.RoyaltySplitter.abi, lab).payRun(
          w.run.runId,
          PaymentToken!,
          s.amount,
        )
      ).wait();
      return;
    }
    case 'tick':
      await w.t.tick();
      return;
    case 'build':
      await w.t.app.get(ChainSyncService).indexer.catchUp();
      await w.t.app.get(SettlementService).settle(true);
      return;
    case 'warp':
      await send(provider, 'evm_increaseTime', [61]);
      await send(provider, 'evm_mine');
      return;
    case 'reorg': {
      const head = await provider.getBlockNumber();
      const depth = Math.min(s.depth, head - w.floor);
      if (depth < 1) return;
      if (s.how === 'reorg') await send(provider, 'anvil_reorg', [depth, []]);
      else await send(provider, 'anvil_rollback', [depth]);
      return;
    }
    case 'reinclude': {
      // The network puts the operator's dropped transactions (proposals among them) back into blocks.
      if (s.pick % 2 === 0) return;
      await reincludeDroppedOperatorTransactions(provider, new Wallet(w.chain.privateKey(0)).address, (sql, params) =>
        w.fx.query(sql, params),
      );
      return;
    }
    case 'restart':
      await w.t.close();
      w.t = await startTestAppOn(w.database, w.chain, APP_ENV);
      return;
  }
}

function audit(w: World, expectQuiescent: boolean): Promise<string[]> {
  return auditSettlement(
    {
      provider: w.chain.provider,
      splitter: w.chain.deployment.contracts.RoyaltySplitter,
      get: async (path) => (await w.t.http.get(path).expect(200)).body,
      query: (sql, params) => w.fx.query(sql, params),
    },
    { expectQuiescent },
  );
}

/** Ticks, moving time past the root delay, until the newest epoch is accepted and nothing is left to settle. */
async function quiesce(w: World): Promise<void> {
  for (let i = 0; i < 12; i++) {
    await w.t.tick();
    await send(w.chain.provider, 'evm_increaseTime', [61]);
    await send(w.chain.provider, 'evm_mine');
    await w.t.tick();
    const [latest] = (await w.t.http.get('/epochs?limit=1').expect(200)).body.items as {
      status: string;
      epoch: number;
    }[];
    const [{ unsettled }] = await w.fx.query<{ unsettled: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM royalty_payments p WHERE p.allocation_seq > COALESCE((SELECT max(ledger_watermark) FROM royalty_epochs
         WHERE invalidated_at IS NULL), 0)) AS unsettled`,
    );
    if (!unsettled && !['proposing', 'proposed'].includes(latest?.status ?? '')) return;
  }
  throw new Error('settlement did not become quiet');
}

describe('property: accepted roots always rebuild from the surviving chain', () => {
  it('holds over random sequences of payments, settlement, reorganisations and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 14 }), async (steps) => {
        const [database, chain] = await Promise.all([createTestDatabase(), startTestChain()]);
        const fx = RoyaltyFixtures.connect(database.url);
        const w: World = {
          database,
          chain,
          fx,
          floor: 0,
          t: await startTestAppOn(database, chain, APP_ENV),
          run: undefined as unknown as FixtureRun,
        };
        try {
          const acct = (i: number) => new Wallet(chain.privateKey(i)).address;
          const base = await fx.dataset({ owners: [{ account: acct(3), shareBps: 10_000 }] });
          const derived = await fx.dataset({
            owners: [
              { account: acct(4), shareBps: 4_000 },
              { account: acct(5), shareBps: 6_000 },
            ],
            parents: [{ dataset: base, upstreamBps: 2_000 }],
          });
          w.run = await fx.run({
            lab: acct(8),
            entries: [
              { dataset: derived, weight: 3n },
              { dataset: base, weight: 1n },
            ],
          });
          await w.t.tick();
          w.floor = await chain.provider.getBlockNumber();
          for (const s of steps) {
            await apply(w, s);
            // After the service has looked at the chain, its accepted root must rebuild from what survives.
            if (s.kind === 'tick')
              expect(
                await audit(w, false),
                JSON.stringify(steps, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
              ).toEqual([]);
          }
          await quiesce(w);
          expect(await audit(w, true)).toEqual([]);
          expect(await fx.invariantViolations()).toEqual([]);
        } finally {
          await w.t.close();
          await fx.close();
          await chain.stop();
          await database.drop();
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 600_000);
});
