import { ApiProperty } from '@nestjs/swagger';
import {
  PROPOSAL_STATES,
  type AccountVotes,
  type ApprovedLicenseTemplate,
  type LicenseTemplateList,
  type EpochVotes,
  type GovernanceInfo,
  type Proposal,
  type ProposalAction,
  type ProposalPage,
  type ProposalStateName,
  type ProposalTally,
} from '@upstream/api-contract';

const ADDRESS = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const UINT = (description: string, example = '0') => ({ type: String, example, description });

export class GovernanceInfoDto implements GovernanceInfo {
  @ApiProperty({ example: ADDRESS }) governor!: string;
  @ApiProperty({ example: ADDRESS }) timelock!: string;
  @ApiProperty({ example: ADDRESS, description: 'The ERC20Votes token' }) votes!: string;
  @ApiProperty(UINT('Blocks between a proposal and the start of its vote (the snapshot)', '1'))
  votingDelayBlocks!: string;
  @ApiProperty(UINT('Blocks a vote stays open', '50400')) votingPeriodBlocks!: string;
  @ApiProperty(UINT('Votes (smallest units) an account needs to propose')) proposalThreshold!: string;
  @ApiProperty(UINT('Share of the votes supply, in percent, that must vote for or abstain', '4'))
  quorumPercent!: string;
  @ApiProperty(UINT('Seconds a passed proposal waits in the timelock', '172800')) timelockDelaySeconds!: string;
  @ApiProperty(UINT('Votes token supply (smallest units)')) votesSupply!: string;
  @ApiProperty(UINT('The chain head the figures were read at')) currentBlock!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: ADDRESS,
    description: 'The registry of license templates governance approves (null on a deployment without one)',
  })
  licenseTemplates!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: ADDRESS,
    description:
      'The dispute contract, whose arbiter, timeout and bond tokens governance sets (null on a deployment without one)',
  })
  disputeBonds!: string | null;
}

export class ApprovedLicenseTemplateDto implements ApprovedLicenseTemplate {
  @ApiProperty({
    example: '0x3f1c4c2a9d1e3b6f0c7a8e5d2b9f4a6c1e0d7b3a5f8c2e9d4b6a1f0c3e7d5b9a',
    description: "keccak256 of the template's canonical terms: a dataset license with this termsHash uses it",
  })
  templateId!: string;
  @ApiProperty({ example: 'https://example.org/licenses/research-only', description: 'Where the terms are published' })
  uri!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-30T12:00:00.000Z' }) approvedAt!: string;
  @ApiProperty({ example: '0x9c0f8d7e6b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d' }) txHash!: string;
}

export class LicenseTemplateListDto implements LicenseTemplateList {
  @ApiProperty({ example: ADDRESS }) registry!: string;
  @ApiProperty({ type: [ApprovedLicenseTemplateDto] }) items!: ApprovedLicenseTemplateDto[];
}

export class ProposalActionDto implements ProposalAction {
  @ApiProperty({ example: ADDRESS }) target!: string;
  @ApiProperty(UINT('Wei sent with the call')) value!: string;
  @ApiProperty({ example: '0x6f1d6e13000000000000000000000000000000000000000000000000000000000000012c' })
  calldata!: string;
  @ApiProperty({ type: String, nullable: true, example: 'RoyaltySplitter' }) contract!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'setFeeBps(uint16)' }) function!: string | null;
  @ApiProperty({ example: 'set the protocol fee to 3 % (300 basis points)' }) words!: string;
}

export class ProposalTallyDto implements ProposalTally {
  @ApiProperty(UINT('Votes for (smallest units)')) for!: string;
  @ApiProperty(UINT('Votes against')) against!: string;
  @ApiProperty(UINT('Abstentions (they count towards quorum)')) abstain!: string;
}

export class ProposalDto implements Proposal {
  @ApiProperty(UINT('The Governor’s proposal id (uint256)', '1234')) id!: string;
  @ApiProperty({ example: ADDRESS }) proposer!: string;
  @ApiProperty({ example: 'Raise the protocol fee to 3 %' }) description!: string;
  @ApiProperty({ enum: PROPOSAL_STATES, example: 'active' }) state!: ProposalStateName;
  @ApiProperty(UINT('Block whose voting power counts')) snapshotBlock!: string;
  @ApiProperty(UINT('Last block of the vote')) deadlineBlock!: string;
  @ApiProperty(UINT('Blocks until the vote closes (0 once it has)')) blocksLeft!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When a queued proposal can be executed',
  })
  executableAt!: string | null;
  @ApiProperty({ type: ProposalTallyDto }) votes!: ProposalTallyDto;
  @ApiProperty(UINT('Votes for and abstaining needed at the snapshot')) quorum!: string;
  @ApiProperty({ type: [ProposalActionDto] }) actions!: ProposalActionDto[];
  @ApiProperty({ type: String, format: 'date-time' }) proposedAt!: string;
  @ApiProperty({ example: '0x' + 'ab'.repeat(32) }) txHash!: string;
}

export class ProposalPageDto implements ProposalPage {
  @ApiProperty({ type: [ProposalDto] }) items!: ProposalDto[];
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
}

export class EpochVotesDto implements EpochVotes {
  @ApiProperty({ example: 3 }) epoch!: number;
  @ApiProperty({ example: true, description: 'The root was accepted on-chain: these votes can be claimed' })
  accepted!: boolean;
  @ApiProperty(UINT('Cumulative votes in the leaf')) cumulative!: string;
  @ApiProperty(UINT("Votes earned in this epoch (the leaf minus the account's leaf in the epoch before)"))
  earned!: string;
}

export class AccountVotesDto implements AccountVotes {
  @ApiProperty({ example: ADDRESS }) account!: string;
  @ApiProperty(UINT('Votes delegated to the account now (smallest units)')) votes!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: ADDRESS,
    description: 'Where its own balance is delegated; null until it delegates (its balance then counts nowhere)',
  })
  delegate!: string | null;
  @ApiProperty(UINT('Votes tokens it holds')) balance!: string;
  @ApiProperty(UINT('Votes token supply')) votesSupply!: string;
  @ApiProperty(UINT('Earned votes minted to the account so far (claimed from epoch roots)')) earnedClaimed!: string;
  @ApiProperty({ type: [EpochVotesDto], description: 'Votes earned per epoch, oldest first' })
  earned!: EpochVotesDto[];
}
