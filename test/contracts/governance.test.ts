import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployUpstream, type UpstreamDeployment } from '../../libs/chain/src/deploy';
import { createHardhatChain, type HardhatChain } from '../support/hardhat-chain';
import { expectRevert } from './splitter-fixture';

const TIMELOCK_DELAY = 3_600;
const VOTING_DELAY = 1;
const VOTING_PERIOD = 10;
// GovernorCountingSimple: 0 against, 1 for, 2 abstain. IGovernor.ProposalState: 4 Succeeded, 5 Queued, 7 Executed.
const FOR = 1;

describe('governance: a fee change goes propose -> vote -> queue -> execute through the timelock', () => {
  let chain: HardhatChain;
  let d: UpstreamDeployment;
  let governor: ethers.Contract;
  let timelock: ethers.Contract;
  let splitter: ethers.Contract;

  beforeAll(async () => {
    chain = await createHardhatChain();
    const [deployer, operator, guardian, treasury] = await Promise.all(
      chain.signers.slice(0, 4).map((s) => s.getAddress()),
    );
    d = await deployUpstream(chain.signers[0], {
      operator,
      guardian,
      treasury,
      feeBps: 250,
      timelockDelaySeconds: TIMELOCK_DELAY,
      votingDelayBlocks: VOTING_DELAY,
      votingPeriodBlocks: VOTING_PERIOD,
    });
    governor = await chain.at('UpstreamGovernor', d.contracts.UpstreamGovernor);
    timelock = await chain.at('UpstreamTimelock', d.contracts.UpstreamTimelock);
    splitter = await chain.at('RoyaltySplitter', d.contracts.RoyaltySplitter);
    expect(deployer).toBeTruthy();
  });
  afterAll(async () => {
    await chain?.close();
  });

  it('changes the fee only after the vote passed and the timelock delay elapsed', async () => {
    // the deployer holds every vote but no longer any role: a direct change is refused
    await expectRevert(splitter.setFeeBps(500), splitter.interface, 'AccessControlUnauthorizedAccount');

    const targets = [d.contracts.RoyaltySplitter];
    const values = [0n];
    const calldatas = [splitter.interface.encodeFunctionData('setFeeBps', [500])];
    const description = 'Raise the protocol fee to 5%';
    const descriptionHash = ethers.id(description);

    const receipt: ethers.TransactionReceipt = await (
      await governor.propose(targets, values, calldatas, description)
    ).wait();
    const proposalId = governor.interface.parseLog(
      receipt.logs.find((l) => l.address === d.contracts.UpstreamGovernor)!,
    )!.args.proposalId;

    await chain.mine(VOTING_DELAY + 1);
    await (await governor.castVote(proposalId, FOR)).wait();
    await chain.mine(VOTING_PERIOD + 1);
    expect(await governor.state(proposalId)).toBe(4n);

    await (await governor.queue(targets, values, calldatas, descriptionHash)).wait();
    expect(await governor.state(proposalId)).toBe(5n);

    // executing before the timelock delay reverts in the timelock
    await expectRevert(
      governor.execute(targets, values, calldatas, descriptionHash),
      timelock.interface,
      'TimelockUnexpectedOperationState',
    );
    expect(await splitter.feeBps()).toBe(250n);

    await chain.increaseTime(TIMELOCK_DELAY);
    await (await governor.execute(targets, values, calldatas, descriptionHash)).wait();
    expect(await governor.state(proposalId)).toBe(7n);
    expect(await splitter.feeBps()).toBe(500n);
  });
});
