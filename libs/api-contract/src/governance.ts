import { shapeOf } from './shape';

/** A Governor proposal's state (OpenZeppelin's `ProposalState`, in lower case). */
export type ProposalStateName =
  'pending' | 'active' | 'canceled' | 'defeated' | 'succeeded' | 'queued' | 'expired' | 'executed';

export const PROPOSAL_STATES: readonly ProposalStateName[] = [
  'pending',
  'active',
  'canceled',
  'defeated',
  'succeeded',
  'queued',
  'expired',
  'executed',
];

/** GET /governance: the contracts that govern the marketplace and their rules now. */
export interface GovernanceInfo {
  governor: string;
  timelock: string;
  votes: string;
  /** Blocks between a proposal and the start of its vote (the snapshot). */
  votingDelayBlocks: string;
  votingPeriodBlocks: string;
  /** Votes (smallest units) an account needs to propose. */
  proposalThreshold: string;
  /** Share of the votes supply that must vote for or abstain. */
  quorumPercent: string;
  /** Seconds a passed proposal waits in the timelock before it can be executed. */
  timelockDelaySeconds: string;
  votesSupply: string;
  currentBlock: string;
  /** The registry of license templates governance approves (null on a deployment without one). */
  licenseTemplates: string | null;
  /** The dispute contract, whose arbiter, timeout and bond tokens governance sets (null on a deployment without one). */
  disputeBonds: string | null;
}

/** A license template governance approved (LicenseTemplateAdded, not since removed). */
export interface ApprovedLicenseTemplate {
  /** keccak256 of the template's canonical terms: a dataset license whose `termsHash` equals it uses it. */
  templateId: string;
  /** Where the terms are published (as the proposal gave it; may be empty). */
  uri: string;
  approvedAt: string;
  txHash: string;
}

/** GET /governance/license-templates: the approved license templates, oldest approval first. */
export interface LicenseTemplateList {
  registry: string;
  items: ApprovedLicenseTemplate[];
}

/** One action of a proposal, decoded into words against the deployment's contracts. */
export interface ProposalAction {
  target: string;
  /** Wei sent with the call (decimal string). */
  value: string;
  calldata: string;
  contract: string | null;
  function: string | null;
  words: string;
}

export interface ProposalTally {
  for: string;
  against: string;
  abstain: string;
}

/** A proposal as indexed from ProposalCreated, with its state and tally read from the Governor. */
export interface Proposal {
  /** The Governor's proposal id (uint256, decimal string). */
  id: string;
  proposer: string;
  description: string;
  state: ProposalStateName;
  snapshotBlock: string;
  deadlineBlock: string;
  /** Blocks until the vote closes (0 once it has). */
  blocksLeft: string;
  /** When a queued proposal can be executed (ISO time), else null. */
  executableAt: string | null;
  votes: ProposalTally;
  /** Votes needed for quorum at the snapshot (smallest units). */
  quorum: string;
  actions: ProposalAction[];
  proposedAt: string;
  txHash: string;
}

export interface ProposalPage {
  items: Proposal[];
  total: number;
  limit: number;
  offset: number;
}

/** GET /accounts/:address/votes: voting power now and where it is delegated. */
export interface AccountVotes {
  account: string;
  /** Votes delegated to the account now (smallest units). */
  votes: string;
  /** The account it delegates its own balance to; null until it delegates (its balance then counts nowhere). */
  delegate: string | null;
  balance: string;
  votesSupply: string;
  /** Earned votes already minted to the account (claimed from epoch roots). */
  earnedClaimed: string;
  /** Votes earned per epoch (epochs not lost to a reorganisation, whose tree has a votes leaf for the account). */
  earned: EpochVotes[];
}

/** An account's votes leaf in one epoch. */
export interface EpochVotes {
  epoch: number;
  /** Whether the epoch's root was accepted on-chain (its votes can be claimed). */
  accepted: boolean;
  /** Cumulative votes in the leaf. */
  cumulative: string;
  /** Votes earned in this epoch: the leaf minus the account's leaf in the epoch before. */
  earned: string;
}

export const GovernanceInfoShape = shapeOf<GovernanceInfo>({
  governor: true,
  timelock: true,
  votes: true,
  votingDelayBlocks: true,
  votingPeriodBlocks: true,
  proposalThreshold: true,
  quorumPercent: true,
  timelockDelaySeconds: true,
  votesSupply: true,
  currentBlock: true,
  licenseTemplates: true,
  disputeBonds: true,
});
export const ApprovedLicenseTemplateShape = shapeOf<ApprovedLicenseTemplate>({
  templateId: true,
  uri: true,
  approvedAt: true,
  txHash: true,
});
export const LicenseTemplateListShape = shapeOf<LicenseTemplateList>({
  registry: true,
  items: 'ApprovedLicenseTemplate',
});
export const ProposalActionShape = shapeOf<ProposalAction>({
  target: true,
  value: true,
  calldata: true,
  contract: true,
  function: true,
  words: true,
});
export const ProposalTallyShape = shapeOf<ProposalTally>({ for: true, against: true, abstain: true });
export const ProposalShape = shapeOf<Proposal>({
  id: true,
  proposer: true,
  description: true,
  state: true,
  snapshotBlock: true,
  deadlineBlock: true,
  blocksLeft: true,
  executableAt: true,
  votes: 'ProposalTally',
  quorum: true,
  actions: 'ProposalAction',
  proposedAt: true,
  txHash: true,
});
export const ProposalPageShape = shapeOf<ProposalPage>({
  items: 'Proposal',
  total: true,
  limit: true,
  offset: true,
});
export const AccountVotesShape = shapeOf<AccountVotes>({
  account: true,
  votes: true,
  delegate: true,
  balance: true,
  votesSupply: true,
  earnedClaimed: true,
  earned: 'EpochVotes',
});
export const EpochVotesShape = shapeOf<EpochVotes>({ epoch: true, accepted: true, cumulative: true, earned: true });
