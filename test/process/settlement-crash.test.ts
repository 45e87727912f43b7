// Issue 16's process test: kill -9 of the WHOLE `npm start` process group (embedded PostgreSQL
// and the local anvil included in the data dir) at random points around pay → index → propose →
// accept, 20 times; in about a third of the trials the chain also loses its last 1–5 blocks
// (anvil_rollback / anvil_reorg) while the service is down. After every restart: each payment a
// client saw mined (and that we did not roll back on purpose) is still on the chain and in the
// ledger, nothing the chain lacks is in the ledger, the accepted root rebuilds (verify-epoch
// MATCH) and no claim reverts. At the end settlement is driven to quiescence: every account's
// claimable equals its ledger, and claiming with the API's proofs pays exactly that.
//
// Reproduce a failing sequence (timings aside) with SETTLEMENT_CRASH_SEED=<seed printed below>.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, Interface, JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalChain, artifacts } from '@upstream/chain';
import { freePort } from '../support/ports';
import { RoyaltyFixtures, type FixtureRun } from '../support/royalty-fixtures';
import { isAlive, MAIN, spawnService, type ServiceProcess } from '../support/service-process';
import { auditSettlement } from '../support/settlement-audit';
import type { EpochInputs } from '@upstream/royalties';
import { verifyEpoch } from '../../apps/cli/src/commands/royalties.command';

const TRIALS = Number(process.env.SETTLEMENT_CRASH_TRIALS ?? 20);
/** The local deployment's root delay (deployUpstream's default). */
const ROOT_DELAY_S = 86_400;
const MAX_KILL_DELAY_MS = 2_500;
const splitterAbi = new Interface(artifacts.RoyaltySplitter.abi);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Deployment {
  deployedAtBlock: number;
  contracts: { RoyaltySplitter: string; PaymentToken: string };
}

interface Reported {
  hash: string;
  amount: bigint;
  trial: number;
}

describe.skipIf(!existsSync(MAIN))(
  'settlement survives kill -9 of the whole service (npm start, embedded PostgreSQL, local anvil)',
  () => {
    const seed = Number(process.env.SETTLEMENT_CRASH_SEED ?? Date.now() % 2 ** 31);
    let state = seed;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];

    let dir: string;
    let env: Record<string, string>;
    let baseUrl: string;
    let provider: JsonRpcProvider;
    let deployment: Deployment;
    let databaseUrl: string;
    let fx: RoyaltyFixtures | undefined;
    let service: ServiceProcess | undefined;
    const services: ServiceProcess[] = [];
    const runs: FixtureRun[] = [];
    /** Payments a client saw mined, by tx hash, minus those we rolled back on purpose. */
    const reported = new Map<string, Reported>();
    const lost: Reported[] = [];
    /** Every /health answer that was not 200 while a service was up. */
    const unhealthy: { trial: number; status: number; body: string }[] = [];
    const log: string[] = [];
    let trial = -1;
    /** Blocks up to here cannot be dropped: anvil has no state before what it loaded at its last start. */
    let rollbackFloor = 0;

    const labKeys = [LocalChain.devPrivateKey(7), LocalChain.devPrivateKey(8)];
    const account = (i: number) => new Wallet(LocalChain.devPrivateKey(i)).address.toLowerCase();
    const rpc = (method: string, params: unknown[] = []) => provider.send(method, params);
    const note = (line: string) => log.push(`[trial ${trial}] ${line}`);

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'upstream-settlement-crash-'));
      const port = await freePort();
      env = {
        DATA_DIR: join(dir, 'data'),
        PORT: String(port),
        EMBEDDED_PG_PORT: String(await freePort()),
        LOCAL_CHAIN_PORT: String(await freePort()),
        EPOCH_INTERVAL_MS: '1000',
        WORKER_INTERVAL_MS: '200',
        LOG_LEVEL: 'info',
      };
      baseUrl = `http://127.0.0.1:${port}`;
      provider = new JsonRpcProvider(`http://127.0.0.1:${env.LOCAL_CHAIN_PORT}`, undefined, {
        staticNetwork: true,
        cacheTimeout: -1,
      });
    });

    afterAll(async () => {
      if (service) recordErrors(service);
      if (logged.size > 0) {
        console.log(
          `settlement-crash: warnings and errors the service logged:\n` +
            [...logged]
              .map(
                ([msg, l]) =>
                  `${l.count}× in trials ${[...l.trials].map((t) => (t >= TRIALS ? 'final' : t)).join(',')}: ${msg}${l.sample.includes('"level":50') ? `\n  ${l.sample}` : ''}`,
              )
              .join('\n'),
        );
      }
      for (const s of services) {
        if (s.child.exitCode === null && s.child.signalCode === null) {
          try {
            process.kill(-s.child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
      await fx?.close().catch(() => undefined);
      provider?.destroy();
      // anvil (own session) and PostgreSQL (pg_ctl's own session) outlive a kill of the group by design.
      if (env?.DATA_DIR) {
        for (const file of [
          join(env.DATA_DIR, 'chain', 'anvil.pid'),
          join(env.DATA_DIR, 'postgres', 'postmaster.pid'),
        ]) {
          const pid = Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0]);
          if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
        }
      }
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    // ---- the service -------------------------------------------------------------------------

    let healthPoller: Promise<void> | undefined;
    let polling = false;

    async function start(): Promise<void> {
      const s = spawnService(env, { detached: true });
      services.push(s);
      service = s;
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (s.child.exitCode !== null || s.child.signalCode !== null)
          throw new Error(`service exited early:\n${s.output().slice(-4000)}`);
        const answer = await health();
        if (answer?.status === 200) break;
        if (answer) unhealthy.push({ trial, status: answer.status, body: answer.body });
        if (Date.now() > deadline) throw new Error(`no healthy answer within 90 s:\n${s.output().slice(-4000)}`);
        await sleep(150);
      }
      if (!databaseUrl) {
        const password = (await readFile(join(env.DATA_DIR, 'postgres.password'), 'utf8')).trim();
        databaseUrl = `postgres://upstream:${encodeURIComponent(password)}@127.0.0.1:${env.EMBEDDED_PG_PORT}/upstream`;
        deployment = JSON.parse(await readFile(join(env.DATA_DIR, 'chain', 'deployment.json'), 'utf8')) as Deployment;
      }
      // The service restarts PostgreSQL: connect afresh each time, and ignore errors of idle clients it cut.
      await fx?.close().catch(() => undefined);
      fx = RoyaltyFixtures.connect(databaseUrl);
      fx.pool.on('error', () => undefined);
      // The service restarted anvil from its state file, and anvil cannot roll back past the state it loaded.
      rollbackFloor = await provider.getBlockNumber();
      polling = true;
      healthPoller = (async () => {
        while (polling && s.child.exitCode === null && s.child.signalCode === null) {
          const answer = await health();
          if (answer && answer.status !== 200 && polling)
            unhealthy.push({ trial, status: answer.status, body: answer.body });
          await sleep(250);
        }
      })();
    }

    /** A /health answer whose every failing check failed only by running out of time. */
    function onlyTimeouts(body: string): boolean {
      try {
        const failing = Object.values(
          (JSON.parse(body) as { error?: Record<string, { message?: string; reason?: string }> }).error ?? {},
        );
        return (
          failing.length > 0 &&
          failing.every((c) =>
            /timeout of \d+ms exceeded|no answer within \d+ ms|timeout expired/.test(c.message ?? c.reason ?? ''),
          )
        );
      } catch {
        return false;
      }
    }

    async function health(): Promise<{ status: number; body: string } | undefined> {
      try {
        const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5_000) });
        return { status: res.status, body: await res.text() };
      } catch {
        return undefined; // not listening (yet, or any more)
      }
    }

    /** kill -9 of the whole process group, as an operator's `kill -9 -<pgid>` or the OOM killer of the job. */
    async function killGroup(): Promise<void> {
      const s = service!;
      polling = false;
      process.kill(-s.child.pid!, 'SIGKILL');
      await s.exited;
      await healthPoller;
      service = undefined;
      recordErrors(s);
    }

    /** Warnings and errors the service logged (pino level 40+), by message, kept for the report. */
    const logged = new Map<string, { count: number; trials: Set<number>; sample: string }>();
    function recordErrors(s: ServiceProcess): void {
      for (const line of s.output().split('\n')) {
        const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
        if (level < 40) continue;
        const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line.slice(0, 200);
        const seen = logged.get(msg) ?? { count: 0, trials: new Set<number>(), sample: line.slice(0, 2_000) };
        seen.count++;
        seen.trials.add(trial);
        logged.set(msg, seen);
      }
    }

    async function get(path: string): Promise<unknown> {
      const res = await fetch(`${baseUrl}${path}`);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    }

    const query = <T>(sql: string, params: unknown[] = []) => fx!.query<T>(sql, params);

    // ---- the chain ----------------------------------------------------------------------------

    /** approve + payRun from a plain wallet (nonces from the chain: it may have rolled back). */
    async function pay(run: FixtureRun, amount: bigint, labKey = pick(labKeys)): Promise<Reported> {
      const lab = new Wallet(labKey, provider);
      const { PaymentToken, RoyaltySplitter } = deployment.contracts;
      await (await new Contract(PaymentToken, artifacts.LocalToken.abi, lab).approve(RoyaltySplitter, amount)).wait();
      const tx = await new Contract(RoyaltySplitter, artifacts.RoyaltySplitter.abi, lab).payRun(
        run.runId,
        PaymentToken,
        amount,
      );
      const receipt = await tx.wait();
      if (receipt?.status !== 1) throw new Error(`payRun ${tx.hash} reverted`);
      const p = { hash: String(tx.hash).toLowerCase(), amount, trial };
      // After a rollback, the same signed transaction (same nonce, same content) has the same hash.
      reported.set(p.hash, p);
      return p;
    }

    /**
     * Moves the chain's clock past the root delay, and past the newest pending root's claimableAt. (anvil
     * restarted from its state file forgets earlier evm_increaseTime offsets: its next block is back
     * at wall-clock time, older than its parent, so one delay is not always enough.)
     */
    async function warp(): Promise<void> {
      const splitter = new Contract(deployment.contracts.RoyaltySplitter, artifacts.RoyaltySplitter.abi, provider);
      const [pending, latest] = await Promise.all([
        splitter.pendingRoots() as Promise<{ claimableAt: bigint }[]>,
        provider.getBlock('latest'),
      ]);
      const claimableAt = pending.at(-1)?.claimableAt ?? 0n;
      const seconds = Math.max(ROOT_DELAY_S + 1, Number(claimableAt) - latest!.timestamp + 2);
      await rpc('evm_increaseTime', [seconds]);
      await rpc('evm_mine');
    }

    /** Is the transaction in a block of the canonical chain? */
    async function onChain(hash: string): Promise<boolean> {
      const receipt = await provider.getTransactionReceipt(hash);
      if (!receipt) return false;
      const block = await provider.getBlock(receipt.blockNumber);
      return block?.hash === receipt.blockHash;
    }

    /** While the service is down: the chain loses its newest 1–5 blocks; reported payments they held are lost. */
    async function dropBlocks(): Promise<void> {
      const head = await provider.getBlockNumber();
      const depth = Math.min(1 + Math.floor(random() * 5), head - rollbackFloor);
      if (depth < 1) return;
      const how = random() < 0.5 ? 'anvil_rollback' : 'anvil_reorg';
      await rpc(how, how === 'anvil_rollback' ? [depth] : [depth, []]);
      let dropped = 0;
      for (const p of [...reported.values()]) {
        if (!(await onChain(p.hash))) {
          reported.delete(p.hash);
          lost.push(p);
          dropped++;
        }
      }
      note(
        `${how} depth ${depth} at head ${head} → head ${await provider.getBlockNumber()}; ${dropped} reported payment(s) lost`,
      );
    }

    // ---- checks -------------------------------------------------------------------------------

    const cursorName = () => `chain-${31337}`;

    /**
     * Waits until the indexer has applied the chain up to the head seen now, on the chain as it is now, and
     * every reported payment is in the ledger. A cursor at or past the head is not enough: after a rollback
     * the cursor still names the lost blocks (past the new head) until the worker's first pass undoes them.
     */
    async function caughtUp(timeoutMs = 30_000): Promise<void> {
      const head = await provider.getBlockNumber();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [cursor] = await query<{ block: string; hash: string | null }>(
          `SELECT block_number::text AS block, block_hash AS hash FROM chain_cursors WHERE name = $1`,
          [cursorName()],
        );
        const canonical =
          cursor !== undefined &&
          Number(cursor.block) >= head &&
          (await provider.getBlock(Number(cursor.block)))?.hash === cursor.hash?.trim().toLowerCase();
        const missing = await missingFromLedger();
        if (canonical && missing.length === 0) return;
        if (Date.now() > deadline) {
          throw new Error(
            `indexer not caught up within ${timeoutMs} ms: cursor ${cursor?.block} head ${head}, reported payments not in the ledger: ${missing.join(', ')}\n` +
              service?.output().slice(-4000),
          );
        }
        await sleep(200);
      }
    }

    async function missingFromLedger(): Promise<string[]> {
      const rows = await query<{ h: string }>(`SELECT lower(trim(tx_hash)) AS h FROM royalty_payments`);
      const inLedger = new Set(rows.map((r) => r.h));
      return [...reported.keys()].filter((h) => !inLedger.has(h));
    }

    function audit(expectQuiescent: boolean): Promise<string[]> {
      return auditSettlement(
        { provider, splitter: deployment.contracts.RoyaltySplitter, get, query: (sql, params) => query(sql, params) },
        { expectQuiescent },
      );
    }

    /** verify-epoch of every epoch whose root the surviving chain accepted (auditSettlement checks the current one): problems found. */
    async function acceptedEpochsRebuild(): Promise<string[]> {
      const problems: string[] = [];
      const logs = await provider.getLogs({
        address: deployment.contracts.RoyaltySplitter,
        topics: [splitterAbi.getEvent('RootAccepted')!.topicHash],
        fromBlock: 0,
      });
      for (const epoch of new Set(logs.map((l) => Number(splitterAbi.parseLog(l)!.args.epoch)))) {
        const report = await verifyEpoch(provider, (await get(`/epochs/${epoch}/inputs`)) as EpochInputs);
        if (!report.match) problems.push(`accepted epoch ${epoch} does not rebuild: ${JSON.stringify(report)}`);
      }
      return problems;
    }

    /** After each restart: reported payments survived on the chain and are in the ledger; nothing lost is; the accepted root holds. */
    async function checkAfterRestart(): Promise<void> {
      for (const p of reported.values()) {
        if (!(await onChain(p.hash)))
          throw new Error(
            `trial ${trial}: payment ${p.hash} (trial ${p.trial}) was reported mined but is gone from the chain`,
          );
      }
      await caughtUp();
      const problems = [...(await audit(false)), ...(await acceptedEpochsRebuild())];
      expect(problems, `trial ${trial}: audit after restart\n${log.join('\n')}`).toEqual([]);
      expect(await fx!.invariantViolations()).toEqual([]);
      const lostInLedger = await query<{ h: string }>(
        `SELECT lower(trim(tx_hash)) AS h FROM royalty_payments WHERE lower(trim(tx_hash)) = ANY($1)`,
        [lost.filter((p) => !reported.has(p.hash)).map((p) => p.hash)],
      );
      expect(lostInLedger, `trial ${trial}: payments the chain lost are in the ledger`).toEqual([]);
    }

    async function epochs(): Promise<{ epoch: number; status: string }[]> {
      return ((await get('/epochs?limit=100')) as { items: { epoch: number; status: string }[] }).items;
    }

    async function settledState() {
      const [row] = await query<{
        unallocated: number;
        open: number;
        max_seq: string | null;
        watermark: string | null;
      }>(
        `SELECT (SELECT count(*)::int FROM royalty_payments WHERE allocation_seq IS NULL) AS unallocated,
              (SELECT count(*)::int FROM outbox_transactions WHERE status IN ('pending', 'signed')) AS open,
              (SELECT max(allocation_seq)::text FROM royalty_payments) AS max_seq,
              (SELECT ledger_watermark::text FROM royalty_epochs ORDER BY epoch DESC LIMIT 1) AS watermark`,
      );
      const [last] = await epochs();
      return { ...row, last };
    }

    // ---- the test -----------------------------------------------------------------------------

    it(`keeps settlement a function of the surviving chain across ${TRIALS} kill -9s of the process group`, async () => {
      const began = Date.now();
      console.log(`settlement-crash: seed ${seed}`);
      await start();

      // Catalogue: several owners, a derived dataset paying its parent an upstream share, runs of two labs.
      const base = await fx!.dataset({ owners: [{ account: account(3), shareBps: 10_000 }] });
      const derived = await fx!.dataset({
        owners: [
          { account: account(4), shareBps: 3_333 },
          { account: account(5), shareBps: 6_667 },
        ],
        parents: [{ dataset: base, upstreamBps: 1_500 }],
      });
      const shared = await fx!.dataset({
        owners: [
          { account: account(6), shareBps: 5_000 },
          { account: account(3), shareBps: 5_000 },
        ],
      });
      for (const [lab, entries] of [
        [
          7,
          [
            { dataset: derived, weight: 7n },
            { dataset: shared, weight: 3n },
          ],
        ],
        [8, [{ dataset: base, weight: 1n }]],
        [
          7,
          [
            { dataset: derived, weight: 1n },
            { dataset: shared, weight: 1n },
            { dataset: base, weight: 1n },
          ],
        ],
        [
          8,
          [
            { dataset: shared, weight: 5n },
            { dataset: derived, weight: 2n },
          ],
        ],
      ] as const) {
        runs.push(await fx!.run({ lab: account(lab), entries: [...entries] }));
      }

      const trialTimes: number[] = [];
      for (trial = 0; trial < TRIALS; trial++) {
        const t0 = Date.now();
        const warpFirst = random() < 0.4;
        const warpDuring = random() < 0.4;
        const rollback = trial % 3 === 1;
        if (warpFirst) await warp(); // a proposed root becomes acceptable: acceptRoot races the kill

        const payments = 1 + Math.floor(random() * 3);
        for (let i = 0; i < payments; i++) await pay(pick(runs), BigInt(1 + Math.floor(random() * 5_000_000_000)));

        const wait = Math.floor(random() * MAX_KILL_DELAY_MS);
        const inFlight =
          random() < 0.25 ? pay(pick(runs), BigInt(1 + Math.floor(random() * 1_000_000_000))) : undefined;
        if (warpDuring) {
          await sleep(Math.floor(wait / 2));
          await warp();
          await sleep(wait - Math.floor(wait / 2));
        } else {
          await sleep(wait);
        }
        const [before] = await epochs().catch(() => [undefined]);
        await killGroup();
        await inFlight; // anvil outlived the kill: the client still sees it mined
        note(
          `${payments}${inFlight ? '+1' : ''} payment(s), killed after ${wait} ms${warpFirst ? ', warped first' : ''}${warpDuring ? ', warped during' : ''}; last epoch then ${before ? `${before.epoch} ${before.status}` : 'unknown'}`,
        );

        if (rollback) await dropBlocks();
        if (random() < 0.2) await warp(); // time passes while the service is down

        await start();
        await checkAfterRestart();
        const [after] = await epochs();
        note(`restarted and checked: last epoch ${after ? `${after.epoch} ${after.status}` : 'none'}`);
        trialTimes.push(Date.now() - t0);
      }

      // Quiescence: the last epoch proposed and accepted, covering every payment.
      const deadline = Date.now() + 120_000;
      for (;;) {
        const s = await settledState();
        if (
          s.unallocated === 0 &&
          s.open === 0 &&
          s.max_seq !== null &&
          s.watermark === s.max_seq &&
          s.last?.status === 'accepted'
        )
          break;
        if (Date.now() > deadline)
          throw new Error(`no quiescence: ${JSON.stringify(s)}\n${log.join('\n')}\n${service!.output().slice(-4000)}`);
        if (s.last?.status === 'proposed') await warp();
        await sleep(400);
      }
      await caughtUp();
      expect([...(await audit(true)), ...(await acceptedEpochsRebuild())], log.join('\n')).toEqual([]);
      expect(await fx!.invariantViolations()).toEqual([]);

      // The ledger holds exactly the surviving payments: Σ net of the chain's RunPaid events.
      const paid = (
        await provider.getLogs({
          address: deployment.contracts.RoyaltySplitter,
          topics: [splitterAbi.getEvent('RunPaid')!.topicHash],
          fromBlock: 0,
          toBlock: 'latest',
        })
      ).map((l) => ({ hash: l.transactionHash.toLowerCase(), args: splitterAbi.parseLog(l)!.args }));
      for (const p of reported.values())
        expect(
          paid.some((e) => e.hash === p.hash),
          `reported payment ${p.hash} on chain`,
        ).toBe(true);
      const netOnChain = paid.reduce((s, e) => s + (e.args.net as bigint), 0n);
      const [ledger] = await query<{ total: string }>(
        `SELECT COALESCE(SUM(amount), 0)::text AS total FROM ledger_entries`,
      );
      expect(BigInt(ledger.total)).toBe(netOnChain);

      // Every account claims with the API's proofs and receives exactly its ledger balance.
      const { PaymentToken, RoyaltySplitter } = deployment.contracts;
      const claimer = new Wallet(LocalChain.devPrivateKey(9), provider);
      const splitter = new Contract(RoyaltySplitter, artifacts.RoyaltySplitter.abi, claimer);
      const token = new Contract(PaymentToken, artifacts.LocalToken.abi, provider);
      const earned = await query<{ account: string; token: string; earned: string }>(
        `SELECT trim(account) AS account, trim(token) AS token, SUM(amount)::text AS earned FROM ledger_entries GROUP BY account, token`,
      );
      expect(earned.length).toBeGreaterThan(0);
      let paidOut = 0n;
      for (const e of earned) {
        const proofs = (await get(`/contributors/${e.account}/proofs`)) as {
          claims: { token: string; cumulative: string; claimable: string; proof: string[] }[];
        };
        const claim = proofs.claims.find((c) => c.token.toLowerCase() === e.token.toLowerCase());
        expect(claim?.cumulative, `${e.account}'s cumulative in the accepted root`).toBe(e.earned);
        const already = (await splitter.claimed(e.account, e.token)) as bigint;
        expect(claim!.claimable).toBe((BigInt(e.earned) - already).toString());
        const balanceBefore = (await token.balanceOf(e.account)) as bigint;
        const receipt = await (await splitter.claim(e.account, e.token, claim!.cumulative, claim!.proof)).wait();
        expect(receipt?.status).toBe(1);
        const received = ((await token.balanceOf(e.account)) as bigint) - balanceBefore;
        expect(received, `${e.account} received`).toBe(BigInt(e.earned) - already);
        paidOut += received;
      }
      expect(paidOut).toBe(netOnChain);
      await caughtUp();
      expect(await audit(true)).toEqual([]);

      // /health gives each check one second and says "down" past it: on a loaded machine a fresh database
      // session or a read of the worker's findings can take longer. Such answers say the machine was slow,
      // not that settlement went wrong; every other non-200 answer is a defect.
      const slow = unhealthy.filter((u) => onlyTimeouts(u.body));
      const wrong = unhealthy.filter((u) => !onlyTimeouts(u.body));
      if (slow.length > 0)
        console.log(`settlement-crash: ${slow.length} /health answer(s) were 503 only for checks past their second`);
      expect(wrong, `non-200 /health answers while the service was up:\n${JSON.stringify(wrong, null, 1)}`).toEqual([]);

      const proposed = (
        await provider.getLogs({
          address: RoyaltySplitter,
          topics: [splitterAbi.getEvent('RootProposed')!.topicHash],
          fromBlock: 0,
        })
      ).length;
      const [{ epochs: built, invalidated }] = await query<{ epochs: number; invalidated: number }>(
        `SELECT count(*)::int AS epochs, count(*) FILTER (WHERE invalidated_at IS NOT NULL)::int AS invalidated FROM royalty_epochs`,
      );
      const accepted = (
        await provider.getLogs({
          address: RoyaltySplitter,
          topics: [splitterAbi.getEvent('RootAccepted')!.topicHash],
          fromBlock: 0,
        })
      ).length;
      console.log(
        [
          `settlement-crash: seed ${seed}, ${TRIALS} kills in ${Date.now() - began} ms (per trial: ${trialTimes.join(', ')} ms)`,
          `${reported.size} payments kept, ${lost.length} lost to rollbacks; ${built} epochs built (${invalidated} invalidated), ` +
            `${proposed} roots proposed and ${accepted} accepted on the surviving chain; claims paid ${paidOut}`,
          ...log,
        ].join('\n'),
      );
      service!.child.kill('SIGTERM');
      expect((await service!.exited).code).toBe(0);
      recordErrors(service!);
      service = undefined;
      // Rollbacks are expected warnings; an error (a failed worker pass, an unexpected exception) is not.
      const errors = [...logged].filter(([, l]) => l.sample.includes('"level":50') || l.sample.includes('"level":60'));
      expect(errors.map(([msg, l]) => `${l.count}× ${msg}`)).toEqual([]);
    }, 540_000);
  },
);
