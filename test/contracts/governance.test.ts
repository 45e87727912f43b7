import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ballotTypedData, checkBallot, relayCallData } from '../../libs/chain/src/governance/ballot';
import { deployUpstream, ROLES, type UpstreamDeployment } from '../../libs/chain/src/deploy';
import { createHardhatChain, type HardhatChain } from '../support/hardhat-chain';
import { buildTree, expectRevert, proofFor, type Allocation } from './splitter-fixture';

const TIMELOCK_DELAY = 3_600;
const ROOT_DELAY = 600;
const VOTING_DELAY = 1;
const VOTING_PERIOD = 10;
const UPV = 10n ** 18n;
// GovernorCountingSimple: 0 against, 1 for, 2 abstain. IGovernor.ProposalState: 4 Succeeded, 5 Queued, 7 Executed.
const FOR = 1;

describe('governance with earned votes: propose -> vote -> queue -> execute through the timelock', () => {
  let chain: HardhatChain;
  let d: UpstreamDeployment;
  let governor: ethers.Contract;
  let timelock: ethers.Contract;
  let splitter: ethers.Contract;
  let votes: ethers.Contract;
  let operator: ethers.Signer, guardian: ethers.Signer, alice: ethers.Signer, bob: ethers.Signer;
  let carol: ethers.Signer, dave: ethers.Signer;
  let epoch = 0n;

  const as = (c: ethers.Contract, s: ethers.Signer) => c.connect(s) as ethers.Contract;
  const addr = (s: ethers.Signer) => s.getAddress();

  /** Posts a root whose leaves are votes leaves (token = the votes contract) and waits it in. */
  const postVotes = async (earned: [ethers.Signer, bigint][]) => {
    const allocations: Allocation[] = [];
    for (const [who, cumulative] of earned) {
      allocations.push({ token: d.contracts.UpstreamVotes, account: await addr(who), cumulative });
    }
    const tree = buildTree(chain.chainId, d.contracts.RoyaltySplitter, allocations);
    epoch += 1n;
    await (await as(splitter, operator).proposeRoot(tree.root, epoch, ethers.ZeroHash)).wait();
    await chain.increaseTime(ROOT_DELAY);
    await (await splitter.acceptRoot()).wait();
    return async (who: ethers.Signer) => {
      const { cumulative, proof } = proofFor(tree, d.contracts.UpstreamVotes, await addr(who));
      await (await votes.claimVotes(await addr(who), cumulative, proof)).wait();
    };
  };

  beforeAll(async () => {
    chain = await createHardhatChain();
    [, operator, guardian, , , , alice, bob, carol, dave] = chain.signers;
    d = await deployUpstream(chain.signers[0], {
      operator: await addr(operator),
      guardian: await addr(guardian),
      treasury: await chain.signers[3].getAddress(),
      feeBps: 250,
      rootDelaySeconds: ROOT_DELAY,
      timelockDelaySeconds: TIMELOCK_DELAY,
      votingDelayBlocks: VOTING_DELAY,
      votingPeriodBlocks: VOTING_PERIOD,
      foundingVotes: 10n * UPV,
      foundingVotesCap: 50n * UPV,
      proposalThresholdVotes: 5n * UPV,
    });
    governor = await chain.at('UpstreamGovernor', d.contracts.UpstreamGovernor);
    timelock = await chain.at('UpstreamTimelock', d.contracts.UpstreamTimelock);
    splitter = await chain.at('RoyaltySplitter', d.contracts.RoyaltySplitter);
    votes = await chain.at('UpstreamVotes', d.contracts.UpstreamVotes);

    // Contributors earn votes through an epoch root and claim them.
    const claim = await postVotes([
      [alice, 60n * UPV],
      [bob, 30n * UPV],
      [carol, 2n * UPV],
    ]);
    for (const who of [alice, bob, carol]) {
      await claim(who);
      await (await as(votes, who).delegate(await addr(who))).wait();
    }
    await chain.mine(1);
  });
  afterAll(async () => {
    await chain?.close();
  });

  it('counts earned votes: founding 10 (capped at 50) plus 92 earned', async () => {
    expect(await votes.totalSupply()).toBe(102n * UPV);
    expect(await votes.FOUNDING_CAP()).toBe(50n * UPV);
    expect(await votes.getVotes(await addr(alice))).toBe(60n * UPV);
  });

  it('refuses to move votes: no transfer, no transferFrom', async () => {
    await expectRevert(
      as(votes, alice).transfer(await addr(dave), UPV),
      votes.interface,
      'UpstreamVotesNonTransferable',
    );
    await (await as(votes, alice).approve(await addr(dave), UPV)).wait();
    await expectRevert(
      as(votes, dave).transferFrom(await addr(alice), await addr(dave), UPV),
      votes.interface,
      'UpstreamVotesNonTransferable',
    );
  });

  it('refuses a proposal from an account below the threshold', async () => {
    await expectRevert(
      as(governor, carol).propose(
        [d.contracts.RoyaltySplitter],
        [0n],
        [splitter.interface.encodeFunctionData('setFeeBps', [0])],
        'Zero fee',
      ),
      governor.interface,
      'GovernorInsufficientProposerVotes',
    );
  });

  it('refuses the guardian any role, on the splitter and on the timelock', async () => {
    const me = await addr(guardian);
    for (const role of [ROLES.DEFAULT_ADMIN_ROLE, ROLES.PARAMS_ROLE, ROLES.OPERATOR_ROLE]) {
      await expectRevert(
        as(splitter, guardian).grantRole(role, me),
        splitter.interface,
        'AccessControlUnauthorizedAccount',
      );
    }
    for (const role of [ROLES.PROPOSER_ROLE, ROLES.CANCELLER_ROLE, ROLES.EXECUTOR_ROLE]) {
      await expectRevert(
        as(timelock, guardian).grantRole(role, me),
        timelock.interface,
        'AccessControlUnauthorizedAccount',
      );
    }
    expect(await timelock.hasRole(ROLES.CANCELLER_ROLE, me)).toBe(false);
  });

  it('changes the fee and replaces the guardian after the vote and the delay; late power, the guardian and an early execute change nothing', async () => {
    const newGuardian = await chain.signers[11].getAddress();
    const oldGuardian = await addr(guardian);
    const targets = [d.contracts.RoyaltySplitter, d.contracts.RoyaltySplitter, d.contracts.RoyaltySplitter];
    const values = [0n, 0n, 0n];
    const calldatas = [
      splitter.interface.encodeFunctionData('setFeeBps', [300]),
      splitter.interface.encodeFunctionData('grantRole', [ROLES.GUARDIAN_ROLE, newGuardian]),
      splitter.interface.encodeFunctionData('revokeRole', [ROLES.GUARDIAN_ROLE, oldGuardian]),
    ];
    const description = 'Fee to 3%, and a new guardian';
    const descriptionHash = ethers.id(description);

    const receipt: ethers.TransactionReceipt = await (
      await as(governor, alice).propose(targets, values, calldatas, description)
    ).wait();
    const proposalId = governor.interface.parseLog(
      receipt.logs.find((l) => l.address === d.contracts.UpstreamGovernor)!,
    )!.args.proposalId;
    const snapshot = await governor.proposalSnapshot(proposalId);

    // After the snapshot, dave earns votes and alice earns more: neither counts for this proposal.
    await chain.mine(VOTING_DELAY + 1);
    const claim = await postVotes([
      [alice, 500n * UPV],
      [dave, 1_000n * UPV],
    ]);
    await claim(alice);
    await claim(dave);
    await (await as(votes, dave).delegate(await addr(dave))).wait();
    expect(await votes.getVotes(await addr(dave))).toBe(1_000n * UPV);
    expect(await votes.getPastVotes(await addr(dave), snapshot)).toBe(0n);

    await (await as(governor, dave).castVote(proposalId, 0)).wait(); // against, with no weight at the snapshot
    await (await as(governor, alice).castVote(proposalId, FOR)).wait();
    // bob votes by signature (no gas); a relayer submits it; a replay or a forged voter is refused
    const unsigned = {
      governor: d.contracts.UpstreamGovernor,
      chainId: Number(chain.chainId),
      proposalId: proposalId.toString(),
      support: 'for' as const,
      voter: await addr(bob),
      nonce: String(await governor.nonces(await addr(bob))),
      reason: 'earned, not bought',
    };
    const typed = ballotTypedData(unsigned);
    const ballot = checkBallot({
      kind: 'upstream-ballot',
      ...unsigned,
      signature: await bob.signTypedData(typed.domain, typed.types, typed.message),
    });
    expect(() => checkBallot({ ...ballot, voter: ballot.governor })).toThrow(/not signed by ballot.voter/);
    expect(() => checkBallot({ ...ballot, support: 'against' })).toThrow(/not signed by ballot.voter/);
    const relayer = chain.signers[12];
    await (await relayer.sendTransaction(relayCallData(ballot))).wait();
    expect(await governor.hasVoted(proposalId, await addr(bob))).toBe(true);
    await expectRevert(relayer.sendTransaction(relayCallData(ballot)), governor.interface, 'GovernorInvalidSignature');
    const [against, forVotes] = await governor.proposalVotes(proposalId);
    expect(against).toBe(0n);
    expect(forVotes).toBe(90n * UPV);

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
    // the guardian cannot cancel its own replacement, and its pause does not stop it
    // GovernorTimelockControl's salt: bytes20(governor) ^ descriptionHash
    const salt = ethers.toBeHex(
      BigInt(ethers.zeroPadBytes(d.contracts.UpstreamGovernor, 32)) ^ BigInt(descriptionHash),
      32,
    );
    const operationId = await timelock.hashOperationBatch(targets, values, calldatas, ethers.ZeroHash, salt);
    expect(await timelock.isOperationPending(operationId)).toBe(true);
    await expectRevert(
      as(timelock, guardian).cancel(operationId),
      timelock.interface,
      'AccessControlUnauthorizedAccount',
    );
    await (await as(splitter, guardian).pause()).wait();
    expect(await splitter.feeBps()).toBe(250n);

    await chain.increaseTime(TIMELOCK_DELAY);
    await (await governor.execute(targets, values, calldatas, descriptionHash)).wait();
    expect(await governor.state(proposalId)).toBe(7n);
    expect(await splitter.feeBps()).toBe(300n);
    expect(await splitter.hasRole(ROLES.GUARDIAN_ROLE, newGuardian)).toBe(true);
    expect(await splitter.hasRole(ROLES.GUARDIAN_ROLE, oldGuardian)).toBe(false);
    await expectRevert(as(splitter, guardian).unpause(), splitter.interface, 'AccessControlUnauthorizedAccount');
    await (await as(splitter, chain.signers[11]).unpause()).wait();
  });
});
