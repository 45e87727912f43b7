// Kills the worker (the built service with WORKER_MODE=only) with SIGKILL at random moments around the
// indexing of dispute resolutions, while payments arrive for disputed datasets, then lets a last worker
// catch up and checks the ledger against the rule itself (libs/royalties cumulativeBalances over the
// chain's own events): nothing lost, nothing paid twice, every escrow released once.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, Interface, Wallet, ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, LocalChain, writeDeployment } from '@upstream/chain';
import { cumulativeBalances, type PublicDataset, type PublicDispute, type PublicPayment } from '@upstream/royalties';
import { startTestChain, type TestChain } from '../support/chain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { RoyaltyFixtures, type FixtureDataset, type FixtureRun } from '../support/royalty-fixtures';
import { MAIN, startLeadingWorker } from '../support/service-process';

const TRIALS = 8;
const BOND = 10_000_000n;
const splitterAbi = new Interface(artifacts.RoyaltySplitter.abi);
const bondsAbi = new Interface(artifacts.DisputeBonds.abi);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!existsSync(MAIN))('dispute escrow survives kill -9 around resolutions', () => {
  let chain: TestChain;
  let database: TestDatabase;
  let fx: RoyaltyFixtures;
  let env: Record<string, string>;
  const children = new Set<ChildProcess>();
  const acct = (i: number) => new Wallet(chain.privateKey(i)).address.toLowerCase();
  const signer = (i: number) => new Wallet(chain.privateKey(i), chain.provider);
  const datasets: Record<string, PublicDataset> = {};
  const runEntries = new Map<string, PublicPayment['entries']>();
  let base: FixtureDataset, solo: FixtureDataset;

  async function dataset(owners: { account: string; shareBps: number }[], parent?: FixtureDataset) {
    const d = await fx.dataset({ owners, parents: parent ? [{ dataset: parent, upstreamBps: 1_000 }] : [] });
    datasets[d.contentRoot] = {
      owners,
      parents: parent ? [{ datasetId: parent.contentRoot, upstreamBps: 1_000 }] : [],
    };
    return d;
  }

  async function run(entries: { dataset: FixtureDataset; weight: bigint }[]): Promise<FixtureRun> {
    const r = await fx.run({ lab: acct(7), entries });
    runEntries.set(
      r.runId.toLowerCase(),
      entries.map((e) => ({ datasetId: e.dataset.contentRoot, weight: e.weight.toString() })),
    );
    return r;
  }

  const contract = (name: 'RoyaltySplitter' | 'DisputeBonds' | 'PaymentToken', abi: ethers.InterfaceAbi, i: number) =>
    new Contract(chain.deployment.contracts[name]!, abi, signer(i));

  async function pay(r: FixtureRun, amount: bigint): Promise<void> {
    await (
      await contract('RoyaltySplitter', artifacts.RoyaltySplitter.abi, 7).payRun(
        r.runId,
        chain.deployment.contracts.PaymentToken!,
        amount,
      )
    ).wait();
  }

  async function open(d: FixtureDataset): Promise<void> {
    await (
      await contract('DisputeBonds', artifacts.DisputeBonds.abi, 9).getFunction('open')({
        datasetId: d.contentRoot,
        label: 0,
        evidenceHash: ethers.id(d.contentRoot),
        evidenceUri: 'ipfs://evidence',
        claimedOwners: [acct(8)],
        token: chain.deployment.contracts.PaymentToken!,
        bond: BOND,
      })
    ).wait();
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    chain = await startTestChain({ arbiters: [new Wallet(LocalChain.devPrivateKey(5)).address] });
    fx = RoyaltyFixtures.connect(database.url);
    const { RoyaltySplitter, DisputeBonds } = chain.deployment.contracts;
    await (await contract('PaymentToken', artifacts.LocalToken.abi, 7).approve(RoyaltySplitter, 10n ** 18n)).wait();
    await (await contract('PaymentToken', artifacts.LocalToken.abi, 9).approve(DisputeBonds!, 10n ** 18n)).wait();
    base = await dataset([{ account: acct(3), shareBps: 10_000 }]);
    solo = await dataset([{ account: acct(6), shareBps: 10_000 }]);
    // The deployment file names DisputeBonds too (addresses in the environment name only the splitter and the registry).
    const deploymentFile = join(mkdtempSync(join(tmpdir(), 'escrow-kill-')), 'deployment.json');
    await writeDeployment(deploymentFile, chain.deployment);
    env = {
      WORKER_MODE: 'only',
      DATABASE_URL: database.url,
      RPC_URL: chain.rpcUrl,
      OPERATOR_PRIVATE_KEY: chain.privateKey(0),
      CONFIRMATIONS: '0',
      DEPLOYMENT_FILE: deploymentFile,
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

  /** What the chain says, read back from its logs, in the form the rule takes. */
  async function chainFacts(): Promise<{ payments: PublicPayment[]; disputes: PublicDispute[] }> {
    const { RoyaltySplitter, DisputeBonds } = chain.deployment.contracts;
    const bondRuns = new Map<string, string>();
    const disputes = new Map<string, PublicDispute>();
    for (const log of await chain.provider.getLogs({ address: DisputeBonds, fromBlock: 0, toBlock: 'latest' })) {
      const parsed = bondsAbi.parseLog(log);
      const at = { blockNumber: log.blockNumber, logIndex: log.index };
      if (parsed?.name === 'DisputeOpened')
        disputes.set(String(parsed.args.disputeId), {
          disputeId: String(parsed.args.disputeId),
          datasetId: String(parsed.args.datasetId),
          opened: at,
          resolution: null,
        });
      if (parsed?.name === 'DisputeResolved') {
        const upheld = Boolean(parsed.args.upheld);
        const owners = (parsed.args.rightfulOwners as string[]).map((account, k) => ({
          account: account.toLowerCase(),
          shareBps: Number((parsed.args.shareBps as bigint[])[k]),
        }));
        disputes.get(String(parsed.args.disputeId))!.resolution = {
          outcome: upheld ? 'upheld' : 'rejected',
          at,
          rightfulOwners: owners,
        };
        if (!upheld) bondRuns.set(String(parsed.args.bondRunId).toLowerCase(), String(parsed.args.datasetId));
      }
    }
    const payments: PublicPayment[] = [];
    for (const log of await chain.provider.getLogs({ address: RoyaltySplitter, fromBlock: 0, toBlock: 'latest' })) {
      const parsed = splitterAbi.parseLog(log);
      if (parsed?.name !== 'RunPaid') continue;
      const runId = String(parsed.args.runId).toLowerCase();
      const bondOf = bondRuns.get(runId);
      payments.push({
        txHash: log.transactionHash,
        logIndex: log.index,
        blockNumber: log.blockNumber,
        runId,
        token: String(parsed.args.token),
        amount: String(parsed.args.amount),
        fee: String(parsed.args.fee),
        net: String(parsed.args.net),
        source: bondOf ? 'bond' : 'run',
        entries: bondOf ? [{ datasetId: bondOf, weight: '1' }] : runEntries.get(runId)!,
      });
    }
    return { payments, disputes: [...disputes.values()] };
  }

  it(`pays what the rule says, once, across ${TRIALS} kill -9s around resolutions`, async () => {
    let seed = 20261201;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const owners = [
      { account: acct(4), shareBps: 6_000 },
      { account: acct(5), shareBps: 4_000 },
    ];
    const arbiter = contract('DisputeBonds', artifacts.DisputeBonds.abi, 5);
    let previous: FixtureRun | undefined;
    for (let trial = 0; trial < TRIALS; trial++) {
      const disputed = await dataset(owners, base);
      const r = await run([
        { dataset: disputed, weight: 2n },
        { dataset: solo, weight: 1n },
      ]);
      await open(disputed);
      await pay(r, BigInt(1 + Math.floor(random() * 5_000_000)));
      if (previous) await pay(previous, 333_333n); // after its dispute's resolution
      const worker = await startLeadingWorker(env, children);
      await sleep(Math.floor(random() * 400));
      const id = trial + 1;
      const resolving =
        trial % 2 === 0
          ? arbiter.getFunction('uphold')(id, [acct(8), acct(2)], [7_001, 2_999])
          : arbiter.getFunction('reject')(id);
      await (await resolving).wait();
      await sleep(Math.floor(random() * 700));
      worker.child.kill('SIGKILL');
      await worker.exited;
      previous = r;
    }

    // A last worker catches up: every payment allocated, every resolution indexed, nothing held.
    const last = await startLeadingWorker(env, children);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [s] = await fx.query<{ unallocated: number; resolutions: number; held: number }>(
        `SELECT (SELECT count(*)::int FROM royalty_payments WHERE allocation_seq IS NULL) AS unallocated,
                (SELECT count(*)::int FROM dispute_resolutions) AS resolutions,
                (SELECT count(*)::int FROM escrow_entries WHERE released_by IS NULL) AS held`,
      );
      if (s.unallocated === 0 && s.resolutions === TRIALS && s.held === 0) break;
      if (Date.now() > deadline) throw new Error(`no quiescence: ${JSON.stringify(s)}\n${last.output().slice(-3000)}`);
      await sleep(300);
    }
    last.child.kill('SIGTERM');
    await last.exited;

    const { payments, disputes } = await chainFacts();
    const [{ n }] = await fx.query<{ n: number }>(`SELECT count(*)::int AS n FROM royalty_payments`);
    expect(n).toBe(payments.length);
    expect(await fx.invariantViolations()).toEqual([]);
    // Escrow was held (the kills did not skip it) and each hold was released exactly once.
    const [escrow] = await fx.query<{ entries: number; held: string; released: string }>(
      `SELECT count(*)::int AS entries, COALESCE(SUM(amount), 0)::text AS held,
              (SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE released_by IS NOT NULL)::text AS released
       FROM escrow_entries`,
    );
    expect(escrow.entries).toBeGreaterThanOrEqual(2 * TRIALS);
    expect(escrow.released).toBe(escrow.held);
    const ledger = await fx.query<{ account: string; token: string; total: string }>(
      `SELECT account, token, SUM(amount)::text AS total FROM ledger_entries GROUP BY account, token ORDER BY token, account`,
    );
    const rule = cumulativeBalances(payments, datasets, disputes);
    expect(ledger.map((l) => ({ account: l.account, token: l.token, cumulative: BigInt(l.total) }))).toEqual(rule);
  }, 240_000);
});
