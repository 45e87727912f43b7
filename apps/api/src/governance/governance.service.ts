import { Inject, Injectable } from '@nestjs/common';
import { Contract, getAddress, ZeroAddress } from 'ethers';
import { normaliseAddress, parseAddress, PROPOSAL_STATES, type Address } from '@upstream/api-contract';
import { artifacts, describeProposalCall, type GovernedContracts } from '@upstream/chain';
import { ChainService } from '../chain/chain.service';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import type {
  AccountVotesDto,
  GovernanceInfoDto,
  LicenseTemplateListDto,
  ProposalDto,
  ProposalPageDto,
} from './governance.dto';
import { GovernanceErrors } from './governance.errors';
import { GovernanceRepository, type ProposalCreatedRow } from './governance.repository';

const UINT256 = /^\d{1,78}$/;

/** A contract call's uint answer (ethers types every answer `any`). */
const uint = (answer: Promise<unknown>): Promise<bigint> => answer as Promise<bigint>;

interface Governance {
  governor: Contract;
  timelock: Contract;
  votes: Contract;
  governorAddress: Address;
  licenseTemplates: Address | null;
  disputeBonds: Address | null;
  contracts: GovernedContracts;
}

/**
 * What the marketplace's governance is doing, for the people who take part: proposals indexed
 * from the Governor's events (final blocks), each with its state, tally and quorum read from the
 * Governor and its actions decoded into words; and an account's voting power. Reads only: voting
 * and proposing are transactions the account signs itself (the CLI or a wallet).
 */
@Injectable()
export class GovernanceService {
  private readonly governance: Governance | undefined;

  constructor(
    private readonly repo: GovernanceRepository,
    chain: ChainService,
    @Inject(RUNTIME) runtime: Runtime,
  ) {
    const { deployment } = runtime.infrastructure;
    const g = deployment.governance;
    if (g)
      this.governance = {
        governor: new Contract(g.governor, artifacts.UpstreamGovernor.abi, chain.provider),
        timelock: new Contract(g.timelock, artifacts.UpstreamTimelock.abi, chain.provider),
        votes: new Contract(g.votes, artifacts.UpstreamVotes.abi, chain.provider),
        governorAddress: parseAddress(g.governor, 'governor'),
        licenseTemplates: g.licenseTemplates ? parseAddress(g.licenseTemplates, 'licenseTemplates') : null,
        disputeBonds: deployment.disputeBonds ?? null,
        contracts: {
          royaltySplitter: deployment.royaltySplitter,
          provenanceRegistry: deployment.provenanceRegistry,
          governor: g.governor,
          timelock: g.timelock,
          licenseTemplates: g.licenseTemplates,
          disputeBonds: deployment.disputeBonds,
        },
      };
  }

  async info(): Promise<GovernanceInfoDto> {
    const g = this.required();
    const [head, delay, period, threshold, quorum, minDelay, supply] = await Promise.all([
      uint(g.governor.clock.staticCall()),
      uint(g.governor.votingDelay.staticCall()),
      uint(g.governor.votingPeriod.staticCall()),
      uint(g.governor.proposalThreshold.staticCall()),
      uint(g.governor['quorumNumerator()'].staticCall()),
      uint(g.timelock.getMinDelay.staticCall()),
      uint(g.votes.totalSupply.staticCall()),
    ]);
    return {
      governor: getAddress(await g.governor.getAddress()),
      timelock: getAddress(await g.timelock.getAddress()),
      votes: getAddress(await g.votes.getAddress()),
      votingDelayBlocks: String(delay),
      votingPeriodBlocks: String(period),
      proposalThreshold: String(threshold),
      quorumPercent: String(quorum),
      timelockDelaySeconds: String(minDelay),
      votesSupply: String(supply),
      currentBlock: String(head),
      licenseTemplates: g.licenseTemplates ? getAddress(g.licenseTemplates) : null,
      disputeBonds: g.disputeBonds ? getAddress(g.disputeBonds) : null,
    };
  }

  /** The license templates governance has approved, as the indexer followed the registry's events. */
  async licenseTemplates(): Promise<LicenseTemplateListDto> {
    const registry = this.required().licenseTemplates;
    if (!registry) throw GovernanceErrors.licenseTemplatesNotDeployed();
    const rows = await this.repo.approvedLicenseTemplates(registry);
    return {
      registry: getAddress(registry),
      items: rows.map((row) => ({
        templateId: row.template_id,
        uri: row.uri,
        approvedAt: row.block_time.toISOString(),
        txHash: row.tx_hash,
      })),
    };
  }

  /**
   * Which of these terms hashes are approved license templates now (one query however many are asked);
   * none on a deployment without governance or a registry.
   */
  async approvedTemplateIds(termsHashes: readonly string[]): Promise<ReadonlySet<string>> {
    const registry = this.governance?.licenseTemplates;
    if (!registry || termsHashes.length === 0) return new Set();
    const rows = await this.repo.approvedLicenseTemplates(registry, [...new Set(termsHashes)]);
    return new Set(rows.map((row) => row.template_id));
  }

  async proposals(limit = 100, offset = 0): Promise<ProposalPageDto> {
    const g = this.required();
    const { rows, total } = await this.repo.proposals(g.governorAddress, limit, offset);
    const head = await uint(g.governor.clock.staticCall());
    return { items: await Promise.all(rows.map((row) => this.toProposal(g, row, head))), total, limit, offset };
  }

  async proposal(id: string): Promise<ProposalDto> {
    const g = this.required();
    if (!UINT256.test(id)) throw GovernanceErrors.invalid('id', 'must be a proposal id: a uint256 in decimal');
    const row = await this.repo.proposal(g.governorAddress, BigInt(id).toString());
    if (!row) throw GovernanceErrors.proposalNotFound(id);
    return this.toProposal(g, row, await uint(g.governor.clock.staticCall()));
  }

  async votesOf(address: string): Promise<AccountVotesDto> {
    const g = this.required();
    const account = normaliseAddress(address);
    if (!account) throw GovernanceErrors.invalid('address', 'must be 0x followed by 40 hex digits');
    const [votes, delegate, balance, supply, earnedClaimed, leaves] = await Promise.all([
      uint(g.votes.getVotes.staticCall(account)),
      g.votes.delegates.staticCall(account) as Promise<string>,
      uint(g.votes.balanceOf.staticCall(account)),
      uint(g.votes.totalSupply.staticCall()),
      uint(g.votes.earnedClaimed.staticCall(account)),
      this.repo.earnedVotes((await g.votes.getAddress()).toLowerCase(), account),
    ]);
    let previous = 0n;
    const earned = leaves.map((leaf) => {
      const cumulative = BigInt(leaf.cumulative);
      const delta = cumulative > previous ? cumulative - previous : 0n;
      previous = cumulative;
      return { epoch: leaf.epoch, accepted: leaf.accepted, cumulative: leaf.cumulative, earned: delta.toString() };
    });
    return {
      account: getAddress(account),
      votes: String(votes),
      delegate: delegate === ZeroAddress ? null : getAddress(delegate),
      balance: String(balance),
      votesSupply: String(supply),
      earnedClaimed: String(earnedClaimed),
      earned,
    };
  }

  private required(): Governance {
    if (!this.governance) throw GovernanceErrors.notDeployed();
    return this.governance;
  }

  private async toProposal(g: Governance, row: ProposalCreatedRow, head: bigint): Promise<ProposalDto> {
    const { args } = row;
    const id = BigInt(args.proposalId);
    const [state, tally, snapshot, deadline, eta] = await Promise.all([
      g.governor.state.staticCall(id) as Promise<bigint>,
      g.governor.proposalVotes.staticCall(id) as Promise<[bigint, bigint, bigint]>,
      g.governor.proposalSnapshot.staticCall(id) as Promise<bigint>,
      g.governor.proposalDeadline.staticCall(id) as Promise<bigint>,
      g.governor.proposalEta.staticCall(id) as Promise<bigint>,
    ]);
    // The Governor answers quorum only for a past timepoint: before the snapshot, the latest past block's.
    const quorum = (await g.governor.quorum.staticCall(snapshot < head ? snapshot : head - 1n)) as bigint;
    const [against, forVotes, abstain] = tally;
    return {
      id: id.toString(),
      proposer: getAddress(args.proposer),
      description: args.description,
      state: PROPOSAL_STATES[Number(state)],
      snapshotBlock: snapshot.toString(),
      deadlineBlock: deadline.toString(),
      blocksLeft: (deadline > head ? deadline - head : 0n).toString(),
      executableAt: eta > 0n ? new Date(Number(eta) * 1000).toISOString() : null,
      votes: { for: forVotes.toString(), against: against.toString(), abstain: abstain.toString() },
      quorum: quorum.toString(),
      actions: args.targets.map((target, i) => {
        const call = { target, value: BigInt(args.values[i] ?? '0'), calldata: args.calldatas[i] ?? '0x' };
        const described = describeProposalCall(call, g.contracts);
        return {
          target: getAddress(target),
          value: call.value.toString(),
          calldata: call.calldata,
          contract: described.contract,
          function: described.function,
          words: described.words,
        };
      }),
      proposedAt: row.block_time.toISOString(),
      txHash: row.tx_hash,
    };
  }
}
