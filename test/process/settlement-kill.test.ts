// Kills the settlement worker (the built service with WORKER_MODE=only) with SIGKILL at random
// moments while payments arrive and epochs are built, proposed and accepted, then lets a last
// worker run to quiescence and checks what must always hold: no epoch proposed twice, epochs
// strictly increasing on-chain, no payment unallocated, ledger and chain agreeing to the unit.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Contract, Interface, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import { startTestChain, type TestChain } from '../support/chain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RoyaltyFixtures, type FixtureDataset, type FixtureRun } from '../support/royalty-fixtures';
import { externalServiceEnv, MAIN, startLeadingWorker } from '../support/service-process';

const TRIALS = 20;
const splitterAbi = new Interface(artifacts.RoyaltySplitter.abi);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!existsSync(MAIN))('settlement survives kill -9 at random points', () => {
  let chain: TestChain;
  let database: TestDatabase;
  let fx: RoyaltyFixtures;
  let splitter: Contract;
  let token: Contract;
  const runs: FixtureRun[] = [];
  let datasets: FixtureDataset[];
  let env: Record<string, string>;
  const children = new Set<ChildProcess>();

  beforeAll(async () => {
    [database, chain] = await Promise.all([createTestDatabase(), startTestChain()]);
    fx = RoyaltyFixtures.connect(database.url);
    const { contracts } = chain.deployment;
    splitter = new Contract(contracts.RoyaltySplitter, artifacts.RoyaltySplitter.abi, chain.wallet(7));
    token = new Contract(contracts.PaymentToken!, artifacts.LocalToken.abi, chain.wallet(7));
    await (await token.approve(contracts.RoyaltySplitter, 10n ** 18n)).wait();
    const acct = (i: number) => new Wallet(chain.privateKey(i)).address;
    const base = await fx.dataset({ owners: [{ account: acct(3), shareBps: 10_000 }] });
    const derived = await fx.dataset({
      owners: [
        { account: acct(4), shareBps: 3_333 },
        { account: acct(5), shareBps: 6_667 },
      ],
      parents: [{ dataset: base, upstreamBps: 1_500 }],
    });
    const solo = await fx.dataset({ owners: [{ account: acct(6), shareBps: 10_000 }] });
    datasets = [base, derived, solo];
    for (const entries of [
      [
        { dataset: derived, weight: 7n },
        { dataset: solo, weight: 3n },
      ],
      [{ dataset: base, weight: 1n }],
      [
        { dataset: derived, weight: 1n },
        { dataset: solo, weight: 1n },
        { dataset: base, weight: 1n },
      ],
    ]) {
      runs.push(await fx.run({ lab: acct(7), entries }));
    }
    env = {
      WORKER_MODE: 'only',
      ...externalServiceEnv(database.url, chain),
      WORKER_INTERVAL_MS: '50',
      EPOCH_INTERVAL_MS: '0',
      ANCHOR_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fx?.close();
    await chain?.stop();
    await database?.drop();
  });

  async function pay(run: FixtureRun, amount: bigint): Promise<void> {
    await (await splitter.payRun(run.runId, token.target, amount)).wait();
  }

  async function warp(seconds: number): Promise<void> {
    await chain.provider.send('evm_increaseTime', [seconds]);
    await chain.provider.send('evm_mine', []);
  }

  async function settledState() {
    const [row] = await fx.query<{
      unallocated: number;
      open: number;
      max_seq: string | null;
      epoch: string | null;
      watermark: string | null;
      accepted: boolean;
    }>(
      `SELECT (SELECT count(*)::int FROM royalty_payments WHERE allocation_seq IS NULL) AS unallocated,
              (SELECT count(*)::int FROM outbox_transactions WHERE status IN ('pending', 'signed')) AS open,
              (SELECT max(allocation_seq)::text FROM royalty_payments) AS max_seq,
              e.epoch::text, e.ledger_watermark::text AS watermark,
              EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'accepted') AS accepted
       FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT * FROM royalty_epochs ORDER BY epoch DESC LIMIT 1) e ON true`,
    );
    return row;
  }

  it(`keeps every invariant across ${TRIALS} kill -9s of the worker`, async () => {
    let seed = 20261102;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let late: FixtureRun | undefined;
    const lateRunId = '0x' + 'c4'.repeat(32);
    let kills = 0;

    for (let trial = 0; trial < TRIALS; trial++) {
      // Money arrives between and during worker lives; sometimes for a run not recorded yet.
      const payments = 1 + Math.floor(random() * 2);
      for (let i = 0; i < payments; i++)
        await pay(runs[Math.floor(random() * runs.length)], BigInt(1 + Math.floor(random() * 5_000_000)));
      if (trial === 3) await splitter.payRun(lateRunId, token.target, 777_777n).then((tx) => tx.wait());
      if (trial === 12 && !late)
        late = await fx.run({
          lab: new Wallet(chain.privateKey(7)).address,
          runId: lateRunId,
          entries: [{ dataset: datasets[2], weight: 1n }],
        });
      if (trial % 3 === 2) await warp(61); // let pending roots become acceptable

      const worker = await startLeadingWorker(env, children);
      const during = random() < 0.5 ? pay(runs[0], 123_457n) : undefined; // lands while the worker runs
      await sleep(Math.floor(random() * 1_500)); // a life long enough, sometimes, to settle and propose
      worker.child.kill('SIGKILL');
      await worker.exited;
      kills++;
      await during;
    }
    expect(kills).toBe(TRIALS);

    // A last worker runs until everything is allocated, settled, accepted and sent.
    const last = await startLeadingWorker(env, children);
    const deadline = Date.now() + 45_000;
    for (;;) {
      const s = await settledState();
      if (s.unallocated === 0 && s.open === 0 && s.max_seq !== null && s.watermark === s.max_seq && s.accepted) break;
      if (Date.now() > deadline) throw new Error(`no quiescence: ${JSON.stringify(s)}\n${last.output().slice(-3000)}`);
      await warp(61);
      await sleep(300);
    }
    last.child.kill('SIGTERM');
    await last.exited;

    const splitterAddress = chain.deployment.contracts.RoyaltySplitter;
    const logs = await chain.provider.getLogs({ address: splitterAddress, fromBlock: 0, toBlock: 'latest' });
    const events = logs.map((l) => ({ log: l, parsed: splitterAbi.parseLog(l)! }));

    // No epoch proposed twice; proposals strictly increasing in chain order.
    const proposed = events.filter((e) => e.parsed.name === 'RootProposed').map((e) => Number(e.parsed.args.epoch));
    expect(proposed.length).toBeGreaterThan(1);
    expect(new Set(proposed).size).toBe(proposed.length);
    expect(proposed).toEqual([...proposed].sort((a, b) => a - b));
    const dbEpochs = await fx.query<{ epoch: string; root: string }>(
      `SELECT epoch::text, root FROM royalty_epochs ORDER BY royalty_epochs.epoch`, // by number (the output column is text)
    );
    for (const e of events.filter((e) => e.parsed.name === 'RootProposed')) {
      expect(dbEpochs.find((d) => d.epoch === String(e.parsed.args.epoch))?.root).toBe(
        String(e.parsed.args.root).toLowerCase(),
      );
    }

    // Every payment on-chain is in the ledger, allocated, and fee + Σ ledger == amount, per payment and per token.
    const paid = events.filter((e) => e.parsed.name === 'RunPaid');
    const [db] = await fx.query<{ n: number; amount: string; fee: string; ledger: string; unallocated: number }>(
      `SELECT count(*)::int AS n, SUM(amount)::text AS amount, SUM(fee)::text AS fee,
              (SELECT SUM(amount) FROM ledger_entries)::text AS ledger,
              count(*) FILTER (WHERE allocation_seq IS NULL)::int AS unallocated
       FROM royalty_payments`,
    );
    expect(db.n).toBe(paid.length);
    expect(db.unallocated).toBe(0);
    expect(await fx.invariantViolations()).toEqual([]);
    const chainAmount = paid.reduce((s, e) => s + (e.parsed.args.amount as bigint), 0n);
    const chainFees = paid.reduce((s, e) => s + (e.parsed.args.fee as bigint), 0n);
    expect(BigInt(db.amount)).toBe(chainAmount);
    expect(BigInt(db.ledger) + BigInt(db.fee)).toBe(chainAmount);
    expect(BigInt(db.fee)).toBe(chainFees);

    // The accepted root is the latest epoch, covers the whole ledger, and never exceeds deposits.
    const reader = splitter.connect(chain.provider) as Contract;
    const currentEpoch = await reader.currentEpoch();
    expect(String(currentEpoch)).toBe(dbEpochs.at(-1)!.epoch);
    expect((await reader.currentRoot()).toLowerCase()).toBe(dbEpochs.at(-1)!.root);
    const [leaves] = await fx.query<{ total: string }>(`SELECT SUM(cumulative)::text AS total FROM epoch_leaves($1)`, [
      String(currentEpoch),
    ]);
    expect(BigInt(leaves.total)).toBe(BigInt(db.ledger));
    expect(BigInt(leaves.total)).toBeLessThanOrEqual(await reader.totalDeposited(token.target));
  }, 150_000);
});
