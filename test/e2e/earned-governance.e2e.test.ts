import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract, toBeHex, Wallet, type ContractRunner } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts } from '@upstream/chain';
import { SettlementService } from '../../apps/api/src/royalties/settlement.service';
import { startTestApp, type TestApp } from '../support/app';
import { CLI_BUILT, runCli } from '../support/cli';
import { RoyaltyFixtures, type FixtureRun } from '../support/royalty-fixtures';

/** Blocks a vote stays open on this chain (anvil mines 50,400 blocks too slowly). */
const VOTING_PERIOD = 20;
const TIMELOCK_DELAY = 172_800;
/** tUSD has 6 decimals, votes 18: one vote per whole token earned. */
const VOTES_PER_UNIT = 10n ** 12n;
const TUSD = 1_000_000n;

/**
 * Governance held by the people who take part: contributors earn votes with their royalties and
 * claim them, one delegates to another, who proposes a fee change from the CLI and votes it through
 * with a signed ballot a relayer submits; it is queued and executed after the timelock, the next
 * payment pays the new fee, and the next epoch still rebuilds from public inputs.
 */
describe.skipIf(!CLI_BUILT)('earned governance: contributors earn votes, delegate, and change the fee', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  let run: FixtureRun;
  let splitter: Contract;
  let votes: Contract;
  let token: string;
  // A and B co-own a dataset 70/30; the lab (7) pays; 5 and 8 are bystanders who queue, execute and relay.
  let A: string, B: string, LAB: string;
  const addr = (i: number) => new Wallet(t.chain.privateKey(i)).address.toLowerCase();
  const cli = (key: number, ...args: string[]) =>
    runCli(['--api', t.baseUrl, ...args], {
      UPSTREAM_PRIVATE_KEY: t.chain.privateKey(key),
      UPSTREAM_RPC_URL: t.chain.rpcUrl,
    });
  const rpc = (method: string, params: unknown[] = []) => t.chain.provider.send(method, params);
  const mine = (blocks: number) => rpc('anvil_mine', [toBeHex(blocks)]);

  const pay = async (payer: ContractRunner, amount: bigint) => {
    const erc20 = new Contract(token, artifacts.LocalToken.abi, payer);
    const paying = new Contract(t.chain.deployment.contracts.RoyaltySplitter, artifacts.RoyaltySplitter.abi, payer);
    await (await erc20.approve(t.chain.deployment.contracts.RoyaltySplitter, amount)).wait();
    return (await (await paying.payRun(run.runId, token, amount)).wait()).hash as string;
  };
  /** Settles the next epoch and waits it through the root delay until it is accepted. */
  const settleAndAccept = async (epoch: number) => {
    await t.tick();
    if (epoch > 1) expect(await t.app.get(SettlementService).settle(true)).toBe(epoch);
    await t.tick();
    await rpc('evm_increaseTime', [61]);
    await mine(1);
    await t.tick();
    await t.tick();
    expect((await t.http.get(`/epochs/${epoch}`).expect(200)).body).toMatchObject({ status: 'accepted' });
  };

  beforeAll(async () => {
    // No founding votes: every vote in this governance is earned.
    t = await startTestApp(
      { EPOCH_INTERVAL_MS: '3600000' },
      { validateResponses: true, chain: { votingPeriodBlocks: VOTING_PERIOD, foundingVotes: 0n } },
    );
    fx = RoyaltyFixtures.connect(t.database.url);
    [A, B, LAB] = [3, 4, 7].map(addr);
    token = t.chain.deployment.contracts.PaymentToken!.toLowerCase();
    splitter = new Contract(
      t.chain.deployment.contracts.RoyaltySplitter,
      artifacts.RoyaltySplitter.abi,
      t.chain.provider,
    );
    votes = new Contract(t.chain.deployment.contracts.UpstreamVotes, artifacts.UpstreamVotes.abi, t.chain.provider);
    const dataset = await fx.dataset({
      owners: [
        { account: A, shareBps: 7_000 },
        { account: B, shareBps: 3_000 },
      ],
    });
    run = await fx.run({ lab: LAB, entries: [{ dataset, weight: 1n }] });
  }, 120_000);
  afterAll(async () => {
    await fx?.close();
    await t?.close();
  });

  it('contributors earn votes with their royalties and claim them with the royalties', async () => {
    expect(await votes.totalSupply()).toBe(0n);
    await pay(t.chain.wallet(7), 1_000n * TUSD); // fee 2.5 %: 975 tUSD net → A 682.5, B 292.5
    await settleAndAccept(1);
    for (const [key, account, earned] of [
      [3, A, 682_500_000n],
      [4, B, 292_500_000n],
    ] as const) {
      const claimed = await cli(key, '--json', 'claim');
      expect(claimed.code, claimed.stderr).toBe(0);
      expect(JSON.parse(claimed.stdout)).toMatchObject({
        claimed: [{ token, amount: earned.toString() }],
        votesMinted: (earned * VOTES_PER_UNIT).toString(),
      });
      expect(await votes.balanceOf(account)).toBe(earned * VOTES_PER_UNIT);
    }
    const mine3 = (await t.http.get(`/accounts/${A}/votes`).expect(200)).body;
    expect(mine3).toMatchObject({
      votes: '0', // not delegated yet: held votes count nowhere
      delegate: null,
      balance: (682_500_000n * VOTES_PER_UNIT).toString(),
      earnedClaimed: (682_500_000n * VOTES_PER_UNIT).toString(),
      earned: [
        {
          epoch: 1,
          accepted: true,
          cumulative: (682_500_000n * VOTES_PER_UNIT).toString(),
          earned: (682_500_000n * VOTES_PER_UNIT).toString(),
        },
      ],
    });
  });

  it('one delegates to the other, who proposes a fee change, votes with a relayed signed ballot, and it is executed after the timelock', async () => {
    expect((await cli(3, 'governance', 'delegate')).code).toBe(0);
    const delegated = await cli(4, 'governance', 'delegate', A);
    expect(delegated.code, delegated.stderr).toBe(0);
    await mine(1);
    const power = (await t.http.get(`/accounts/${A}/votes`).expect(200)).body;
    expect(power.votes).toBe((975_000_000n * VOTES_PER_UNIT).toString());

    const proposed = await cli(3, '--json', 'governance', 'propose', '--fee-bps', '300', '--description', 'Fee to 3 %');
    expect(proposed.code, proposed.stderr).toBe(0);
    const { id } = JSON.parse(proposed.stdout) as { id: string };
    await t.tick();
    const shown = await cli(5, 'governance', 'show', id);
    expect(shown.stdout).toContain('set the protocol fee to 3 % (300 basis points)');

    await mine(2);
    const ballotFile = join(mkdtempSync(join(tmpdir(), 'ballot-')), 'ballot.json');
    const signed = await cli(3, 'governance', 'vote', id, 'for', '--by-sig', '--reason', 'earned', '--out', ballotFile);
    expect(signed.code, signed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(ballotFile, 'utf8'))).toMatchObject({
      proposalId: id,
      support: 'for',
      reason: 'earned',
    });
    const relayed = await cli(8, 'governance', 'relay', ballotFile); // 8 pays the gas, A's votes count
    expect(relayed.code, relayed.stderr).toBe(0);
    const replay = await cli(8, 'governance', 'relay', ballotFile);
    expect(replay.code).not.toBe(0);
    const active = (await t.http.get(`/governance/proposals/${id}`).expect(200)).body;
    expect(active).toMatchObject({
      state: 'active',
      votes: { for: (975_000_000n * VOTES_PER_UNIT).toString(), against: '0', abstain: '0' },
    });

    await mine(VOTING_PERIOD);
    expect((await cli(5, 'governance', 'queue', id)).code).toBe(0);
    const early = await cli(5, 'governance', 'execute', id);
    expect(early.code).not.toBe(0); // the timelock's delay has not passed
    expect(await splitter.feeBps()).toBe(250n);
    await rpc('evm_increaseTime', [TIMELOCK_DELAY]);
    await mine(1);
    const executed = await cli(5, 'governance', 'execute', id);
    expect(executed.code, executed.stderr).toBe(0);
    expect(await splitter.feeBps()).toBe(300n);
    await t.tick();
    expect((await t.http.get(`/governance/proposals/${id}`).expect(200)).body.state).toBe('executed');
  }, 180_000);

  it('the next payment pays the new fee, its votes are earned, and verify-epoch still says MATCH', async () => {
    await pay(t.chain.wallet(7), 100n * TUSD);
    await t.tick();
    const [payment] = (await t.http.get(`/runs/${run.runId}/payments`).expect(200)).body.items.filter(
      (p: { amount: string }) => p.amount === (100n * TUSD).toString(),
    );
    expect(payment).toMatchObject({ fee: (3n * TUSD).toString(), net: (97n * TUSD).toString(), status: 'allocated' });
    await settleAndAccept(2);
    const verified = await cli(5, '--json', 'verify-epoch', '2');
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ epoch: 2, match: true, dataHashMatches: true });
    // A earned 70 % of 97 tUSD more: 67.9 votes in epoch 2, claimable beside the royalties.
    const earned = (await t.http.get(`/accounts/${A}/votes`).expect(200)).body.earned;
    expect(earned[1]).toMatchObject({ epoch: 2, accepted: true, earned: (67_900_000n * VOTES_PER_UNIT).toString() });
    const proofs = (await t.http.get(`/contributors/${A}/proofs`).expect(200)).body;
    expect(proofs.votes).toMatchObject({ claimable: (67_900_000n * VOTES_PER_UNIT).toString() });
  });
});
