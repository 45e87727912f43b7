// The Governor's and the votes token's functions the Governance page uses, through the connected wallet
// (OpenZeppelin's IGovernor and IVotes). Loaded with the first wallet action on that page.
import { BrowserProvider, Contract, id } from 'ethers';
import { sendCall, type SentTransaction } from '../transactions/send-call';
import type { Eip1193Provider } from '../wallet/eip6963';

const GOVERNOR_ABI = [
  'function castVote(uint256 proposalId, uint8 support) returns (uint256)',
  'function castVoteWithReason(uint256 proposalId, uint8 support, string reason) returns (uint256)',
  'function hasVoted(uint256 proposalId, address account) view returns (bool)',
  'function getVotes(address account, uint256 timepoint) view returns (uint256)',
  'function propose(address[] targets, uint256[] values, bytes[] calldatas, string description) returns (uint256)',
  'function queue(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) returns (uint256)',
  'function execute(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) payable returns (uint256)',
  // Refusals worth naming to a voter.
  'error GovernorAlreadyCastVote(address voter)',
  'error GovernorUnexpectedProposalState(uint256 proposalId, uint8 current, bytes32 expectedStates)',
  'error GovernorNonexistentProposal(uint256 proposalId)',
  'error GovernorInsufficientProposerVotes(address proposer, uint256 votes, uint256 threshold)',
  'error GovernorRestrictedProposer(address proposer)',
  'error TimelockUnexpectedOperationState(bytes32 operationId, bytes32 expectedStates)',
  'error TimelockUnexpectedPredecessor(bytes32 predecessorId)',
  'error FailedCall()',
];
const VOTES_ABI = ['function delegate(address delegatee)'];

/** OpenZeppelin's GovernorCountingSimple: 0 against, 1 for, 2 abstain. */
export const SUPPORT = { against: 0, for: 1, abstain: 2 } as const;
export type Support = keyof typeof SUPPORT;

/** What the account can do on a proposal: whether it voted, and its votes at the proposal's snapshot. */
export async function voterStatus(
  provider: Eip1193Provider,
  governor: string,
  proposalId: string,
  account: string,
  snapshotBlock: string,
  currentBlock: bigint,
): Promise<{ voted: boolean; weight: bigint | null }> {
  const contract = new Contract(governor, GOVERNOR_ABI, new BrowserProvider(provider));
  const voted = (await contract.hasVoted(BigInt(proposalId), account)) as boolean;
  // Votes at the snapshot are known once the snapshot block is in the past.
  const weight =
    BigInt(snapshotBlock) < currentBlock ? ((await contract.getVotes(account, BigInt(snapshotBlock))) as bigint) : null;
  return { voted, weight };
}

/**
 * Sends `fn(args)` to `target` from the account's wallet, tried first as a call so that a refusal is decoded
 * against the contract's errors before the wallet asks; `onSent` hears the hash at once.
 */
async function sendChecked(
  provider: Eip1193Provider,
  account: string,
  target: string,
  abi: string[],
  fn: string,
  args: unknown[],
  onSent: (hash: string) => void,
): Promise<SentTransaction> {
  const signer = await new BrowserProvider(provider).getSigner(account);
  const contract = new Contract(target, abi, signer);
  await contract.getFunction(fn).staticCall(...args);
  return sendCall(provider, account, { to: target, data: contract.interface.encodeFunctionData(fn, args) }, onSent);
}

/** Casts the account's vote (`castVoteWithReason` when a reason is given, else `castVote`). */
export function castVote(
  provider: Eip1193Provider,
  account: string,
  governor: string,
  proposalId: string,
  support: Support,
  reason: string,
  onSent: (hash: string) => void,
): Promise<SentTransaction> {
  const [fn, args] = reason
    ? ['castVoteWithReason', [BigInt(proposalId), SUPPORT[support], reason]]
    : ['castVote', [BigInt(proposalId), SUPPORT[support]]];
  return sendChecked(provider, account, governor, GOVERNOR_ABI, fn, args, onSent);
}

/** Delegates the account's own balance to itself, so it counts as votes from the next proposal on. */
export function delegateToSelf(
  provider: Eip1193Provider,
  account: string,
  votesToken: string,
  onSent: (hash: string) => void,
): Promise<SentTransaction> {
  return sendChecked(provider, account, votesToken, VOTES_ABI, 'delegate', [account], onSent);
}

/** A proposal's actions as the Governor takes them: targets, values and calldatas. */
export interface ProposalActions {
  targets: string[];
  values: bigint[];
  calldatas: string[];
}

export function actionsOf(calls: { target: string; value: bigint | string; calldata: string }[]): ProposalActions {
  return {
    targets: calls.map((c) => c.target),
    values: calls.map((c) => BigInt(c.value)),
    calldatas: calls.map((c) => c.calldata),
  };
}

/**
 * A proposal's life in the Governor, from the wallet: `propose` the actions with their description (its first
 * line is the title), `queue` a succeeded one in the timelock, `execute` a queued one whose delay has passed
 * (the last two name the proposal by its actions and the description's hash, as the Governor does).
 */
export function proposalStep(
  step: 'propose' | 'queue' | 'execute',
  provider: Eip1193Provider,
  account: string,
  governor: string,
  actions: ProposalActions,
  description: string,
  onSent: (hash: string) => void,
): Promise<SentTransaction> {
  const args = [actions.targets, actions.values, actions.calldatas, step === 'propose' ? description : id(description)];
  return sendChecked(provider, account, governor, GOVERNOR_ABI, step, args, onSent);
}
