import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_FOUNDING_VOTES,
  DEFAULT_FOUNDING_VOTES_CAP,
  deployUpstream,
  ROLES,
  type UpstreamDeployment,
} from '../../libs/chain/src/deploy';
import { createHardhatChain, type HardhatChain } from '../support/hardhat-chain';
import { buildTree, proofFor } from './splitter-fixture';

describe('deployUpstream', () => {
  let chain: HardhatChain;
  let deployment: UpstreamDeployment;
  let deployer: string, operator: string, guardian: string, treasury: string, holder: string;

  beforeAll(async () => {
    chain = await createHardhatChain();
    [deployer, operator, guardian, treasury, holder] = await Promise.all(
      chain.signers.slice(0, 5).map((s) => s.getAddress()),
    );
    // A provider with ethers' default 250 ms cache: explicit nonces must keep the deploy working.
    const cachingProvider = new ethers.BrowserProvider(chain.eip1193);
    const signer = await cachingProvider.getSigner(deployer);
    deployment = await deployUpstream(signer, {
      operator,
      guardian,
      treasury,
      feeBps: 300,
      rootDelaySeconds: 600,
      timelockDelaySeconds: 3_600,
      deployLocalToken: true,
      mintLocalTokensTo: [holder],
    });
    cachingProvider.destroy();
  });
  afterAll(async () => {
    await chain?.close();
  });

  it('returns the chain, the first block and every address', async () => {
    expect(deployment.chainId).toBe(31337);
    expect(deployment.deployedAtBlock).toBe(1);
    for (const address of Object.values(deployment.contracts)) {
      expect(ethers.isAddress(address)).toBe(true);
      expect(await chain.provider.getCode(address!)).not.toBe('0x');
    }
  });

  it('deploys the license template registry after the first contracts (they keep their addresses), before DisputeBonds', async () => {
    const { contracts: c } = deployment;
    const nonces = Array.from({ length: 64 }, (_, n) => ethers.getCreateAddress({ from: deployer, nonce: n }));
    const first = [c.RoyaltySplitter, c.ProvenanceRegistry, c.UpstreamVotes, c.UpstreamTimelock, c.UpstreamGovernor];
    const registry = nonces.indexOf(c.LicenseTemplateRegistry!);
    expect(registry).toBeGreaterThan(Math.max(...first.map((a) => nonces.indexOf(a))));
    expect(registry).toBeLessThan(nonces.indexOf(c.DisputeBonds!));
  });

  it('leaves admin and params roles with the timelock only, and the deployer with nothing', async () => {
    const { contracts: c } = deployment;
    const splitter = await chain.at('RoyaltySplitter', c.RoyaltySplitter);
    const registry = await chain.at('ProvenanceRegistry', c.ProvenanceRegistry);
    const timelock = await chain.at('UpstreamTimelock', c.UpstreamTimelock);
    const templates = await chain.at('LicenseTemplateRegistry', c.LicenseTemplateRegistry!);
    const has = (contract: ethers.Contract, role: string, who: string) => contract.hasRole(role, who);

    expect(await has(splitter, ROLES.DEFAULT_ADMIN_ROLE, c.UpstreamTimelock)).toBe(true);
    expect(await has(splitter, ROLES.PARAMS_ROLE, c.UpstreamTimelock)).toBe(true);
    expect(await has(splitter, ROLES.OPERATOR_ROLE, operator)).toBe(true);
    expect(await has(splitter, ROLES.GUARDIAN_ROLE, guardian)).toBe(true);
    expect(await has(registry, ROLES.DEFAULT_ADMIN_ROLE, c.UpstreamTimelock)).toBe(true);
    expect(await has(registry, ROLES.ANCHORER_ROLE, operator)).toBe(true);
    expect(await has(timelock, ROLES.PROPOSER_ROLE, c.UpstreamGovernor)).toBe(true);
    expect(await has(timelock, ROLES.CANCELLER_ROLE, guardian)).toBe(false);
    expect(await has(timelock, ROLES.EXECUTOR_ROLE, ethers.ZeroAddress)).toBe(true);
    expect(await has(templates, ROLES.DEFAULT_ADMIN_ROLE, c.UpstreamTimelock)).toBe(true);

    for (const [contract, role] of [
      [splitter, ROLES.DEFAULT_ADMIN_ROLE],
      [splitter, ROLES.PARAMS_ROLE],
      [registry, ROLES.DEFAULT_ADMIN_ROLE],
      [timelock, ROLES.DEFAULT_ADMIN_ROLE],
      [timelock, ROLES.PROPOSER_ROLE],
      [templates, ROLES.DEFAULT_ADMIN_ROLE],
    ] as const) {
      expect(await has(contract, role, deployer)).toBe(false);
    }
    expect(await splitter.feeBps()).toBe(300n);
    expect(await splitter.rootDelay()).toBe(600n);
    expect(await timelock.getMinDelay()).toBe(3_600n);
  });

  it('deploys DisputeBonds last, its arbiter, params and admin roles with the timelock, the guardian with nothing', async () => {
    const { contracts: c } = deployment;
    const bonds = await chain.at('DisputeBonds', c.DisputeBonds!);
    const roles = [ROLES.DEFAULT_ADMIN_ROLE, ROLES.PARAMS_ROLE, ROLES.ARBITER_ROLE];
    for (const role of roles) {
      expect(await bonds.hasRole(role, c.UpstreamTimelock)).toBe(true);
      expect(await bonds.hasRole(role, deployer)).toBe(false);
      expect(await bonds.hasRole(role, guardian)).toBe(false);
    }
    expect(await bonds.getRoleAdmin(ROLES.ARBITER_ROLE)).toBe(ROLES.DEFAULT_ADMIN_ROLE);
    expect(await bonds.SPLITTER()).toBe(c.RoyaltySplitter);
    expect(await bonds.disputeTimeout()).toBe(604_800n);
    expect(await bonds.bondToken(c.PaymentToken)).toEqual([true, 10_000_000n]);
    // Deployed after every other contract: the deployer's last contract-creating nonce.
    const addresses = Object.values(c).filter((a): a is string => !!a);
    const nonces = Array.from({ length: 64 }, (_, n) => ethers.getCreateAddress({ from: deployer, nonce: n }));
    const order = addresses.map((a) => nonces.indexOf(a));
    expect(Math.max(...order)).toBe(nonces.indexOf(c.DisputeBonds!));
  });

  it('mints the founding votes to the deployer within a cap only the timelock can shrink', async () => {
    const votes = await chain.at('UpstreamVotes', deployment.contracts.UpstreamVotes);
    expect(await votes.balanceOf(deployer)).toBe(DEFAULT_FOUNDING_VOTES);
    expect(await votes.getVotes(deployer)).toBe(DEFAULT_FOUNDING_VOTES);
    expect(await votes.FOUNDING_CAP()).toBe(DEFAULT_FOUNDING_VOTES_CAP);
    expect(await votes.GOVERNANCE()).toBe(deployment.contracts.UpstreamTimelock);
    expect(await votes.SPLITTER()).toBe(deployment.contracts.RoyaltySplitter);
  });

  it('mints local tokens and the contracts work end to end: pay, post a root, claim', async () => {
    const { contracts: c } = deployment;
    const token = await chain.at('LocalToken', c.PaymentToken!, chain.signers[4]);
    expect(await token.balanceOf(holder)).toBe(1_000_000n * 10n ** 6n);
    const splitter = await chain.at('RoyaltySplitter', c.RoyaltySplitter, chain.signers[4]);
    await (await token.approve(c.RoyaltySplitter, 1_000_000n)).wait();
    await (await splitter.payRun(ethers.id('run'), c.PaymentToken, 1_000_000n)).wait();
    const alice = await chain.signers[6].getAddress();
    const tree = buildTree(chain.chainId, c.RoyaltySplitter, [
      { token: c.PaymentToken!, account: alice, cumulative: 970_000n },
    ]);
    await (
      await (splitter.connect(chain.signers[1]) as ethers.Contract).proposeRoot(tree.root, 1n, ethers.ZeroHash)
    ).wait();
    await chain.increaseTime(600);
    await (await splitter.acceptRoot()).wait();
    await (await splitter.claim(alice, c.PaymentToken, 970_000n, proofFor(tree, c.PaymentToken!, alice).proof)).wait();
    expect(await token.balanceOf(alice)).toBe(970_000n);
  });

  it('refuses bad options before sending anything', async () => {
    await expect(deployUpstream(chain.signers[0], { operator: 'nope', guardian, treasury })).rejects.toThrow(
      /options.operator/,
    );
    await expect(deployUpstream(chain.signers[0], { operator, guardian, treasury, feeBps: 5000 })).rejects.toThrow(
      /feeBps/,
    );
  });
});
