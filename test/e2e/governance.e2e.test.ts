import { Contract, id as keccakText, toBeHex } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, encodeProposal, type GovernedContracts } from '@upstream/chain';
import { startTestApp, type TestApp } from '../support/app';
import { CLI_BUILT, runCli } from '../support/cli';

const FOR = 1;
const AGAINST = 0;
/** Blocks a vote stays open on this test's chain (50,400 by default: anvil mines that many slowly). */
const VOTING_PERIOD = 20;
const HOLDER_VOTES = 100_000n * 10n ** 18n;
const OTHER_VOTES = 30_000n * 10n ** 18n;

/**
 * Governance as its users read it: a fee proposal made on the Governor is listed with its actions
 * in words, its state, tally and quorum follow the vote, the timelock and the execution, and an
 * account's voting power follows its delegation.
 */
describe('governance: proposals people can read, and voting power', () => {
  let t: TestApp;
  let governor: Contract;
  let votes: Contract;
  let splitter: Contract;
  let contracts: GovernedContracts;

  const rpc = (method: string, params: unknown[] = []) => t.chain.provider.send(method, params);
  const mine = (blocks: number) => rpc('anvil_mine', [toBeHex(blocks)]);

  beforeAll(async () => {
    t = await startTestApp({}, { validateResponses: true, chain: { votingPeriodBlocks: VOTING_PERIOD } });
    const c = t.chain.deployment.contracts;
    const deployer = t.chain.wallet(0);
    governor = new Contract(c.UpstreamGovernor, artifacts.UpstreamGovernor.abi, deployer);
    votes = new Contract(c.UpstreamVotes, artifacts.UpstreamVotes.abi, deployer);
    splitter = new Contract(c.RoyaltySplitter, artifacts.RoyaltySplitter.abi, t.chain.provider);
    contracts = {
      royaltySplitter: c.RoyaltySplitter,
      provenanceRegistry: c.ProvenanceRegistry,
      governor: c.UpstreamGovernor,
      timelock: c.UpstreamTimelock,
    };
  }, 120_000);
  afterAll(() => t?.close());

  it('describes the governing contracts and their rules', async () => {
    const res = await t.http.get('/governance').expect(200);
    expect(res.body).toMatchObject({
      governor: t.chain.deployment.contracts.UpstreamGovernor,
      timelock: t.chain.deployment.contracts.UpstreamTimelock,
      votes: t.chain.deployment.contracts.UpstreamVotes,
      votingDelayBlocks: '1',
      votingPeriodBlocks: String(VOTING_PERIOD),
      quorumPercent: '4',
      timelockDelaySeconds: '172800',
      votesSupply: String(await votes.totalSupply()),
    });
  });

  it('shows voting power follow founding votes and a delegation', async () => {
    const holder = await t.chain.wallet(5).getAddress();
    // Votes cannot be transferred: the founder mints these from the founding allocation.
    await (await votes.mintFounding(holder, HOLDER_VOTES)).wait();
    const before = (await t.http.get(`/accounts/${holder.toLowerCase()}/votes`).expect(200)).body;
    expect(before).toMatchObject({ account: holder, votes: '0', delegate: null, balance: HOLDER_VOTES.toString() });
    await (await (votes.connect(t.chain.wallet(5)) as Contract).delegate(holder)).wait();
    const after = (await t.http.get(`/accounts/${holder}/votes`).expect(200)).body;
    expect(after).toMatchObject({ votes: HOLDER_VOTES.toString(), delegate: holder });
    // A second holder, to vote against. The deployer's key is also the service's operator key, so
    // everything after the worker's first pass is sent from these two accounts.
    const other = await t.chain.wallet(6).getAddress();
    await (await votes.mintFounding(other, OTHER_VOTES)).wait();
    await (await (votes.connect(t.chain.wallet(6)) as Contract).delegate(other)).wait();
    const refused = await t.http.get('/accounts/0x1234/votes').expect(400);
    expect(refused.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'address' }] });
  });

  it('follows a fee proposal from its vote through the timelock to its execution', async () => {
    const calls = encodeProposal({ kind: 'protocol-fee', feeBps: 300 }, contracts);
    const args = [calls.map((c) => c.target), calls.map((c) => c.value), calls.map((c) => c.calldata)] as const;
    const description = 'Raise the protocol fee to 3 %';
    const holder = governor.connect(t.chain.wallet(5)) as Contract;
    const other = governor.connect(t.chain.wallet(6)) as Contract;
    await (await holder.propose(...args, description)).wait();
    const proposalId = (await governor.hashProposal(...args, keccakText(description))) as bigint;
    await t.tick();

    const page = (await t.http.get('/governance/proposals').expect(200)).body;
    expect(page).toMatchObject({ total: 1, limit: 100, offset: 0 });
    expect(page.items[0]).toMatchObject({
      id: proposalId.toString(),
      proposer: await t.chain.wallet(5).getAddress(),
      description,
      state: 'pending',
      votes: { for: '0', against: '0', abstain: '0' },
      executableAt: null,
      actions: [
        {
          target: t.chain.deployment.contracts.RoyaltySplitter,
          value: '0',
          contract: 'RoyaltySplitter',
          function: 'setFeeBps(uint16)',
          words: 'set the protocol fee to 3 % (300 basis points)',
        },
      ],
    });

    await mine(2);
    await (await holder.castVote(proposalId, FOR)).wait();
    await (await other.castVoteWithReason(proposalId, AGAINST, 'too high')).wait();
    const active = (await t.http.get(`/governance/proposals/${proposalId}`).expect(200)).body;
    const supply = (await votes.totalSupply()) as bigint;
    expect(active).toMatchObject({
      state: 'active',
      votes: { for: HOLDER_VOTES.toString(), against: OTHER_VOTES.toString(), abstain: '0' },
      quorum: ((supply * 4n) / 100n).toString(),
    });
    expect(Number(active.blocksLeft)).toBeGreaterThan(10);

    await mine(VOTING_PERIOD);
    expect((await t.http.get(`/governance/proposals/${proposalId}`).expect(200)).body).toMatchObject({
      state: 'succeeded',
      blocksLeft: '0',
    });
    await (await holder.queue(...args, keccakText(description))).wait();
    const queued = (await t.http.get(`/governance/proposals/${proposalId}`).expect(200)).body;
    expect(queued.state).toBe('queued');
    const head = await t.chain.provider.getBlock('latest');
    expect(Date.parse(queued.executableAt as string) / 1000).toBe(head!.timestamp + 172_800);
    // Not before the timelock's delay.
    await expect(holder.execute.staticCall(...args, keccakText(description))).rejects.toThrow();

    await rpc('evm_increaseTime', [172_800]);
    await mine(1);
    await (await holder.execute(...args, keccakText(description))).wait();
    expect(await splitter.feeBps()).toBe(300n);
    expect((await t.http.get(`/governance/proposals/${proposalId}`).expect(200)).body.state).toBe('executed');
  }, 120_000);

  it('lets holders propose, vote, queue and execute from the CLI, which shows the actions in words', async () => {
    expect(CLI_BUILT, 'the CLI runs from dist/: npm run build first').toBe(true);
    const cli = (key: number, ...args: string[]) =>
      runCli(['--api', t.baseUrl, ...args], {
        UPSTREAM_PRIVATE_KEY: t.chain.privateKey(key),
        UPSTREAM_RPC_URL: t.chain.rpcUrl,
      });
    const twoChanges = await cli(5, 'governance', 'propose', '--fee-bps', '1', '--quorum', '5', '--description', 'x');
    expect(twoChanges.code).not.toBe(0);
    expect(twoChanges.stderr).toContain('name exactly one change');
    const tooHigh = await cli(5, 'governance', 'propose', '--fee-bps', '1001', '--description', 'x');
    expect(tooHigh.code).not.toBe(0);
    expect(tooHigh.stderr).toContain('feeBps');

    const proposed = await cli(
      5,
      '--json',
      'governance',
      'propose',
      '--root-delay',
      '120',
      '--description',
      'Faster roots',
    );
    expect(proposed.code, proposed.stderr).toBe(0);
    const { id } = JSON.parse(proposed.stdout) as { id: string };
    await t.tick();
    const shown = await cli(5, 'governance', 'show', id);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('PENDING');
    expect(shown.stdout).toContain('1. set the root delay to 2 minutes (120 s)');

    await mine(2);
    expect((await cli(5, 'governance', 'vote', id, 'for')).code).toBe(0);
    const abstained = await cli(6, 'governance', 'vote', id, 'abstain', '--reason', 'no view');
    expect(abstained.code, abstained.stderr).toBe(0);
    const bad = await cli(6, 'governance', 'vote', id, 'maybe');
    expect(bad.stderr).toContain('for, against or abstain');
    await mine(VOTING_PERIOD);
    const listed = JSON.parse((await cli(5, '--json', 'governance', 'proposals')).stdout) as {
      items: { id: string; state: string; votes: object }[];
    };
    expect(listed.items.find((p) => p.id === id)).toMatchObject({
      state: 'succeeded',
      votes: { for: HOLDER_VOTES.toString(), against: '0', abstain: OTHER_VOTES.toString() },
    });
    expect((await cli(6, 'governance', 'queue', id)).code).toBe(0);
    await rpc('evm_increaseTime', [172_800]);
    await mine(1);
    const executed = await cli(6, 'governance', 'execute', id);
    expect(executed.code, executed.stderr).toBe(0);
    expect(await splitter.rootDelay()).toBe(120n);
    const mine5 = await cli(5, 'governance', 'votes');
    expect(mine5.stdout).toContain(`${HOLDER_VOTES} votes`);
  }, 180_000);

  it('names a malformed or unknown proposal id', async () => {
    const malformed = await t.http.get('/governance/proposals/abc').expect(400);
    expect(malformed.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'id' }] });
    const unknown = await t.http.get('/governance/proposals/12345').expect(404);
    expect(unknown.body).toMatchObject({ error: 'PROPOSAL_NOT_FOUND', details: [{ field: 'id' }] });
  });
});
