import { Contract, toBeHex } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, ROLES } from '@upstream/chain';
import { licenseTerms, licenseTermsHash } from '@upstream/provenance';
import { startTestApp, type TestApp } from '../support/app';
import { insertDataset, type FixtureDataset } from '../support/catalogue-fixtures';
import { CLI_BUILT, runCli } from '../support/cli';

/** Blocks a vote stays open on this test's chain (50,400 by default: anvil mines that many slowly). */
const VOTING_PERIOD = 20;
const TIMELOCK_DELAY = 172_800;
const RESEARCH_ONLY = licenseTermsHash(licenseTerms('research-only'));
const OPEN_TRAINING = licenseTermsHash(licenseTerms('open-training'));

/**
 * Governance keeps the list of approved license templates: a holder proposes from the CLI to
 * approve a template (by name or terms hash), votes it through, queues and executes it after the
 * timelock; the API lists it, a dataset whose license `termsHash` is an approved template says so
 * (`approvedTemplate`, in its detail and in the catalogue), and a later proposal withdraws the approval.
 */
describe.skipIf(!CLI_BUILT)('license templates: approved by governance, listed by the API', () => {
  let t: TestApp;
  let registry: Contract;
  /** research-only and open-training terms, and research-only terms with a duration (no template's). */
  let research: FixtureDataset, open: FixtureDataset, researchFor30Days: FixtureDataset;
  const rpc = (method: string, params: unknown[] = []) => t.chain.provider.send(method, params);
  const mine = (blocks: number) => rpc('anvil_mine', [toBeHex(blocks)]);
  const cli = (...args: string[]) =>
    runCli(['--api', t.baseUrl, ...args], {
      UPSTREAM_PRIVATE_KEY: t.chain.privateKey(5),
      UPSTREAM_RPC_URL: t.chain.rpcUrl,
    });

  /** Proposes each change (CLI flags), votes for all, waits the vote and the timelock out, executes. */
  const enact = async (...changes: string[][]) => {
    const ids: string[] = [];
    for (const [i, flags] of changes.entries()) {
      const proposed = await cli(
        '--json',
        'governance',
        'propose',
        ...flags,
        '--description',
        `change ${i}: ${flags[0]}`,
      );
      expect(proposed.code, proposed.stderr).toBe(0);
      ids.push((JSON.parse(proposed.stdout) as { id: string }).id);
    }
    await t.tick(); // queue and execute read the proposal's actions from the API
    await mine(2);
    for (const id of ids) {
      const voted = await cli('governance', 'vote', id, 'for');
      expect(voted.code, voted.stderr).toBe(0);
    }
    await mine(VOTING_PERIOD);
    for (const id of ids) {
      const queued = await cli('governance', 'queue', id);
      expect(queued.code, queued.stderr).toBe(0);
    }
    await rpc('evm_increaseTime', [TIMELOCK_DELAY]);
    await mine(1);
    for (const id of ids) {
      const executed = await cli('governance', 'execute', id);
      expect(executed.code, executed.stderr).toBe(0);
    }
    await t.tick();
    return ids;
  };

  /** Each dataset's `approvedTemplate`, as its detail and the catalogue say it (they must agree). */
  const approved = async () => {
    const catalogue = (await t.http.get('/datasets?limit=100').expect(200)).body.items as {
      id: string;
      license: { approvedTemplate: boolean };
    }[];
    const shown: Record<string, boolean> = {};
    for (const [name, d] of Object.entries({ research, open, researchFor30Days })) {
      const detail = (await t.http.get(`/datasets/${d.id}`).expect(200)).body;
      expect(catalogue.find((item) => item.id === d.id)?.license.approvedTemplate, name).toBe(
        detail.license.approvedTemplate,
      );
      shown[name] = detail.license.approvedTemplate;
    }
    return shown;
  };

  beforeAll(async () => {
    t = await startTestApp({}, { validateResponses: true, chain: { votingPeriodBlocks: VOTING_PERIOD } });
    const c = t.chain.deployment.contracts;
    registry = new Contract(c.LicenseTemplateRegistry!, artifacts.LicenseTemplateRegistry.abi, t.chain.provider);
    // Account 5 holds enough founding votes to pass proposals alone (the deployer's key is the operator's).
    const votes = new Contract(c.UpstreamVotes, artifacts.UpstreamVotes.abi, t.chain.wallet(0));
    const holder = await t.chain.wallet(5).getAddress();
    await (await votes.mintFounding(holder, 200_000n * 10n ** 18n)).wait();
    await (await (votes.connect(t.chain.wallet(5)) as Contract).delegate(holder)).wait();
    research = await insertDataset(t.database.url, { template: 'research-only', title: 'Research notes' });
    open = await insertDataset(t.database.url, { template: 'open-training', title: 'Open notes' });
    researchFor30Days = await insertDataset(t.database.url, {
      template: 'research-only',
      title: 'Research notes, 30 days',
      extraTerms: { durationDays: 30 },
    });
  }, 120_000);
  afterAll(() => t?.close());

  it('names the registry, governed by the timelock alone, and lists nothing before governance approves', async () => {
    const info = (await t.http.get('/governance').expect(200)).body;
    expect(info.licenseTemplates).toBe(t.chain.deployment.contracts.LicenseTemplateRegistry);
    expect(await registry.hasRole(toBeHex(0, 32), t.chain.deployment.contracts.UpstreamTimelock)).toBe(true);
    expect(await registry.hasRole(toBeHex(0, 32), await t.chain.wallet(0).getAddress())).toBe(false);
    const empty = (await t.http.get('/governance/license-templates').expect(200)).body;
    expect(empty).toEqual({ registry: info.licenseTemplates, items: [] });
    expect(await approved()).toEqual({ research: false, open: false, researchFor30Days: false });
  });

  it('approves templates voted through, with their terms URI, and shows the proposal in words', async () => {
    const [first] = await enact(
      ['--add-license-template', 'research-only', '--terms-uri', 'https://example.org/research-only'],
      ['--add-license-template', OPEN_TRAINING],
    );
    const shown = await cli('governance', 'show', first);
    expect(shown.stdout).toContain(
      `approve the license template ${RESEARCH_ONLY} (terms at https://example.org/research-only)`,
    );
    expect(await registry.isApproved(RESEARCH_ONLY)).toBe(true);
    const list = (await t.http.get('/governance/license-templates').expect(200)).body;
    expect(list.items).toMatchObject([
      { templateId: RESEARCH_ONLY, uri: 'https://example.org/research-only' },
      { templateId: OPEN_TRAINING, uri: '' },
    ]);
    expect(list.items[0].txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const listed = await cli('governance', 'license-templates');
    expect(listed.stdout).toContain(`${RESEARCH_ONLY}  approved`);
    expect(research.termsHash).toBe(RESEARCH_ONLY);
    // Terms with a duration hash otherwise: they are not the approved research-only template.
    expect(await approved()).toEqual({ research: true, open: true, researchFor30Days: false });
  }, 120_000);

  it('withdraws an approval voted through, and lists only what is still approved', async () => {
    const [id] = await enact(['--remove-license-template', RESEARCH_ONLY]);
    expect((await t.http.get(`/governance/proposals/${id}`).expect(200)).body.actions[0].words).toBe(
      `withdraw the approval of the license template ${RESEARCH_ONLY}`,
    );
    expect(await registry.isApproved(RESEARCH_ONLY)).toBe(false);
    const list = (await t.http.get('/governance/license-templates').expect(200)).body;
    expect(list.items.map((i: { templateId: string }) => i.templateId)).toEqual([OPEN_TRAINING]);
    expect(await approved()).toEqual({ research: false, open: true, researchFor30Days: false });
  }, 120_000);

  it('grants the dispute arbiter voted through (the arbiter template), shown in words', async () => {
    const disputeBonds = t.chain.deployment.contracts.DisputeBonds!;
    expect((await t.http.get('/governance').expect(200)).body.disputeBonds).toBe(disputeBonds);
    const bonds = new Contract(disputeBonds, artifacts.DisputeBonds.abi, t.chain.provider);
    const multisig = await t.chain.wallet(7).getAddress();
    expect(await bonds.hasRole(ROLES.ARBITER_ROLE, multisig)).toBe(false);

    const [id] = await enact(['--add-arbiter', multisig]);

    expect(await bonds.hasRole(ROLES.ARBITER_ROLE, multisig)).toBe(true);
    expect((await t.http.get(`/governance/proposals/${id}`).expect(200)).body.actions[0].words).toBe(
      `let ${multisig} uphold and reject disputes (grant ARBITER_ROLE on DisputeBonds)`,
    );
  }, 120_000);

  it('refuses a proposal naming neither a terms hash nor a known template, before sending anything', async () => {
    const refused = await cli('governance', 'propose', '--add-license-template', 'cc-by', '--description', 'x');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--add-license-template: "cc-by" is neither a terms hash');
  });
});
