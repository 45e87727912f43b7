import { Contract, id as keccakText, toBeHex, Wallet } from 'ethers';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, encodeProposal } from '@upstream/chain';
import { startTestApp, type TestApp } from '../support/app';
import { checkPage, launchChromium, overflowsHorizontally } from '../support/browser';
import { injectWallet, type TestWallet } from '../support/browser-wallet';

const VOTING_PERIOD = 20;
const HOLDER_VOTES = 100_000n * 10n ** 18n;
const NEWCOMER_BALANCE = 5_000n * 10n ** 18n;
const HOLDER = 5;
const NEWCOMER = 8;
const FOR = 1n;

// Governance in Chromium over the existing API: a proposal people can read (state, time left, votes,
// quorum, its actions in words) and a holder voting with its wallet through the Governor's castVoteWithReason;
// then a proposal made from a template on the page, voted, queued and executed from the wallet.
describe('web app, governance: read proposals and vote with the wallet (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wallet: TestWallet;
  let governor: Contract;
  let votes: Contract;
  let proposalId: bigint;
  const description = 'Raise the protocol fee to 3 %';
  const pageErrors: string[] = [];
  const address = (i: number) => new Wallet(t.chain.privateKey(i)).address;
  const mine = (blocks: number) => t.chain.provider.send('anvil_mine', [toBeHex(blocks)]);
  const executed = 'Lower the protocol fee to 1.5 %';
  const cardOf = (title: string) =>
    page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
  const proposalCard = () => cardOf(description);

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestApp({}, { chain: { votingPeriodBlocks: VOTING_PERIOD } }),
      launchChromium(),
    ]);
    const c = t.chain.deployment.contracts;
    governor = new Contract(c.UpstreamGovernor, artifacts.UpstreamGovernor.abi, t.chain.provider);
    votes = new Contract(c.UpstreamVotes, artifacts.UpstreamVotes.abi, t.chain.wallet(0));
    // Votes cannot be transferred: the founder mints these from the founding allocation.
    await (await votes.mintFounding(address(HOLDER), HOLDER_VOTES)).wait();
    await (await (votes.connect(t.chain.wallet(HOLDER)) as Contract).delegate(address(HOLDER))).wait();
    await (await votes.mintFounding(address(NEWCOMER), NEWCOMER_BALANCE)).wait();
    const calls = encodeProposal(
      { kind: 'protocol-fee', feeBps: 300 },
      {
        royaltySplitter: c.RoyaltySplitter,
        provenanceRegistry: c.ProvenanceRegistry,
        governor: c.UpstreamGovernor,
        timelock: c.UpstreamTimelock,
      },
    );
    const args = [calls.map((x) => x.target), calls.map((x) => x.value), calls.map((x) => x.calldata)] as const;
    await (await (governor.connect(t.chain.wallet(HOLDER)) as Contract).propose(...args, description)).wait();
    proposalId = (await governor.hashProposal(...args, keccakText(description))) as bigint;
    await t.tick(); // indexes ProposalCreated
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    wallet = await injectWallet(page, { privateKey: t.chain.privateKey(HOLDER), provider: t.chain.provider });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  it('shows the rules and a pending proposal with its action in words, its votes and quorum', async () => {
    await page.goto(`${t.baseUrl}/app/governance`);
    await page.getByRole('heading', { name: 'Governance', level: 1 }).waitFor();
    await page.getByText(`lasts ${VOTING_PERIOD} blocks`).waitFor();
    const card = proposalCard();
    await card.waitFor();
    expect(await card.getByText('pending', { exact: true }).count()).toBe(1);
    await card.getByText('set the protocol fee to 3 % (300 basis points)').waitFor();
    expect(await card.textContent()).toContain('RoyaltySplitter.setFeeBps(uint16)');
    expect(await card.getByTestId('time-left').textContent()).toMatch(/^the vote opens in \d+ block\(s\)/);
    const supply = (await votes.totalSupply()) as bigint;
    expect(await card.textContent()).toContain(
      `0 of ${((supply * 4n) / 100n / 10n ** 18n).toLocaleString('en')} (not reached)`,
    );
    expect(await card.getByRole('button', { name: 'Cast vote' }).count()).toBe(0);
  });

  it('once the vote opens, the holder votes for it with a reason from the wallet; the chain counts it', async () => {
    await mine(2);
    await page.reload();
    await page.getByRole('button', { name: `Connect ${wallet.name}` }).click();
    await page
      .getByTestId('voting-power')
      .getByText(/delegated to yourself/)
      .waitFor();
    const card = proposalCard();
    await card.getByText('active', { exact: true }).waitFor();
    expect(await card.getByTestId('time-left').textContent()).toMatch(/^\d+ block\(s\) left, until block \d+$/);
    await card.getByText('Your votes at the snapshot: 100,000.').waitFor();
    expect(await checkPage(page, 'governance')).toEqual({});
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });

    await card.getByRole('radio', { name: 'for' }).check();
    await card.getByLabel('Reason (optional, public)').fill('fair for the operator');
    await card.getByRole('button', { name: 'Cast vote' }).click();
    const voted = card.getByText(/^Voted in block \d+: 0x[0-9a-f]{64}$/);
    await voted.waitFor({ timeout: 30_000 });
    const hash = ((await voted.textContent()) ?? '').split(': ')[1];
    const receipt = await t.chain.provider.getTransactionReceipt(hash);
    expect(receipt?.status).toBe(1);
    const [cast] = receipt!.logs.map((l) => governor.interface.parseLog(l)).filter((l) => l?.name === 'VoteCast');
    expect(cast?.args.toObject()).toMatchObject({
      proposalId,
      support: FOR,
      weight: HOLDER_VOTES,
      reason: 'fair for the operator',
    });
    expect(await governor.hasVoted(proposalId, address(HOLDER))).toBe(true);
    // The card reads the new tally from the API, which reads the Governor.
    await card.getByText(/^100,000 of [\d,]+ \(reached\)$/).waitFor();
    await card.getByText('You have voted on this proposal.').waitFor();
  });

  it('a second vote is refused by the Governor and shown as failed, with the reason', async () => {
    const card = proposalCard();
    await card.getByRole('radio', { name: 'against' }).check();
    await card.getByRole('button', { name: 'Cast vote' }).click();
    const failed = card.getByRole('alert');
    await failed.waitFor({ timeout: 30_000 });
    expect(await failed.textContent()).toMatch(/^Failed: .*GovernorAlreadyCastVote/);
    // GovernorCountingSimple answers (against, for, abstain): the first vote stands alone.
    expect([...((await governor.proposalVotes(proposalId)) as bigint[])]).toEqual([0n, HOLDER_VOTES, 0n]);
  });

  it('a holder who never delegated is told so, and delegates to itself from the wallet', async () => {
    const other = await context.newPage();
    other.on('pageerror', (error) => pageErrors.push(error.message));
    const newcomer = await injectWallet(other, {
      privateKey: t.chain.privateKey(NEWCOMER),
      provider: t.chain.provider,
    });
    await other.goto(`${t.baseUrl}/app/governance`);
    await other.getByRole('button', { name: `Connect ${newcomer.name}` }).click();
    await other
      .getByTestId('voting-power')
      .getByText(/not delegated: it counts nowhere/)
      .waitFor();
    await other.getByRole('button', { name: 'Delegate to myself' }).click();
    await other.getByText(/^Delegated in block \d+: 0x[0-9a-f]{64}$/).waitFor({ timeout: 30_000 });
    await other
      .getByTestId('voting-power')
      .getByText(/delegated to yourself/)
      .waitFor();
    expect(await votes.delegates(address(NEWCOMER))).toBe(address(NEWCOMER));
    expect(await votes.getVotes(address(NEWCOMER))).toBe(NEWCOMER_BALANCE);
    await other.close();
  });

  it('refuses a template value the splitter could never take, naming the field, before the wallet is asked', async () => {
    await page.reload();
    await page.getByRole('button', { name: `Connect ${wallet.name}` }).click();
    const form = page.getByRole('region', { name: 'Propose a change' });
    await form.getByLabel('Change').selectOption('protocol-fee');
    await form.getByLabel('Fee (basis points, 0–1000)').fill('2500');
    await form.getByLabel('Title').fill('Too much');
    const sentBefore = wallet.requests.filter((r) => r === 'eth_sendTransaction').length;
    await form.getByRole('button', { name: 'Propose' }).click();
    const refusal = form.getByRole('alert').filter({ hasText: 'The proposal is not valid' });
    await refusal.waitFor();
    expect(await refusal.getByRole('listitem').textContent()).toBe(
      'feeBps: must be an integer from 0 to 1000 basis points',
    );
    expect(wallet.requests.filter((r) => r === 'eth_sendTransaction').length).toBe(sentBefore);
  });

  it('proposes from the template, votes, queues and executes it from the page: the splitter takes the new fee', async () => {
    const form = page.getByRole('region', { name: 'Propose a change' });
    await form.getByLabel('Change').selectOption('protocol-fee');
    await form.getByLabel('Fee (basis points, 0–1000)').fill('150');
    await form.getByLabel('Title').fill(executed);
    await form.getByRole('button', { name: 'Propose' }).click();
    const proposed = form.getByText(/^Proposed in block \d+: 0x[0-9a-f]{64}$/);
    await proposed.waitFor({ timeout: 30_000 });
    const hash = ((await proposed.textContent()) ?? '').split(': ')[1];
    const [created] = (await t.chain.provider.getTransactionReceipt(hash))!.logs
      .map((l) => governor.interface.parseLog(l))
      .filter((l) => l?.name === 'ProposalCreated');
    expect(created?.args.description).toBe(executed);
    await t.tick(); // indexes ProposalCreated
    const card = cardOf(executed);
    await card.getByText('set the protocol fee to 1.5 % (150 basis points)').waitFor({ timeout: 15_000 });

    await mine(2);
    await card.getByText('active', { exact: true }).waitFor({ timeout: 15_000 });
    await card.getByRole('button', { name: 'Cast vote' }).click();
    await card.getByText(/^Voted in block \d+: 0x[0-9a-f]{64}$/).waitFor({ timeout: 30_000 });

    await mine(VOTING_PERIOD + 1);
    await card.getByText('succeeded', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await checkPage(page, 'governance-succeeded')).toEqual({});
    await card.getByRole('button', { name: 'Queue in the timelock' }).click();
    await card.getByText(/^Queued in block \d+: 0x[0-9a-f]{64}$/).waitFor({ timeout: 30_000 });
    await card.getByText('queued', { exact: true }).waitFor({ timeout: 15_000 });

    // Executing before the timelock's delay has passed is refused by the timelock, and shown as failed.
    await card.getByRole('button', { name: 'Execute' }).click();
    await card
      .getByRole('alert')
      .getByText(/^Failed: /)
      .waitFor({ timeout: 30_000 });

    const delay = Number((await t.http.get('/governance').expect(200)).body.timelockDelaySeconds);
    await t.chain.provider.send('evm_increaseTime', [toBeHex(delay + 1)]);
    await mine(1);
    await page.reload();
    await page.getByRole('button', { name: `Connect ${wallet.name}` }).click();
    await cardOf(executed).getByRole('button', { name: 'Execute' }).click();
    await cardOf(executed)
      .getByText(/^Executed in block \d+: 0x[0-9a-f]{64}$/)
      .waitFor({ timeout: 30_000 });
    const splitter = new Contract(
      t.chain.deployment.contracts.RoyaltySplitter,
      artifacts.RoyaltySplitter.abi,
      t.chain.provider,
    );
    expect(await splitter.feeBps()).toBe(150n);
    await cardOf(executed).getByText('executed', { exact: true }).waitFor({ timeout: 15_000 });
  });

  it('threw no uncaught error in the page on the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
