// The Governor's and the votes token's functions the Governance page uses, through the connected wallet
// (OpenZeppelin's IGovernor and IVotes). Loaded with the first wallet action on that page.
import { BrowserProvider, Contract } from 'ethers';
import type { Eip1193Provider } from '../wallet/eip6963';

const GOVERNOR_ABI = [
  'function castVote(uint256 proposalId, uint8 support) returns (uint256)',
  'function castVoteWithReason(uint256 proposalId, uint8 support, string reason) returns (uint256)',
  'function hasVoted(uint256 proposalId, address account) view returns (bool)',
  'function getVotes(address account, uint256 timepoint) view returns (uint256)',
  // Refusals worth naming to a voter.
  'error GovernorAlreadyCastVote(address voter)',
  'error GovernorUnexpectedProposalState(uint256 proposalId, uint8 current, bytes32 expectedStates)',
  'error GovernorNonexistentProposal(uint256 proposalId)',
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
 * Casts the account's vote from its wallet (`castVoteWithReason` when a reason is given, else `castVote`);
 * `onSent` hears the hash at once. A reverted vote throws, naming its hash.
 */
export async function castVote(
  provider: Eip1193Provider,
  account: string,
  governor: string,
  proposalId: string,
  support: Support,
  reason: string,
  onSent: (hash: string) => void,
): Promise<{ hash: string; block: number }> {
  const signer = await new BrowserProvider(provider).getSigner(account);
  const contract = new Contract(governor, GOVERNOR_ABI, signer);
  // Tried first as a call, so a refusal is decoded against the Governor's errors before the wallet asks.
  await (reason
    ? contract.castVoteWithReason.staticCall(BigInt(proposalId), SUPPORT[support], reason)
    : contract.castVote.staticCall(BigInt(proposalId), SUPPORT[support]));
  const sent = (await (reason
    ? contract.castVoteWithReason(BigInt(proposalId), SUPPORT[support], reason)
    : contract.castVote(BigInt(proposalId), SUPPORT[support]))) as {
    hash: string;
    wait(): Promise<{ status: number | null; blockNumber: number } | null>;
  };
  onSent(sent.hash);
  const receipt = await sent.wait();
  if (!receipt || receipt.status !== 1) throw Object.assign(new Error('the vote reverted'), { hash: sent.hash });
  return { hash: sent.hash, block: receipt.blockNumber };
}

/** Delegates the account's own balance to itself, so it counts as votes from the next proposal on. */
export async function delegateToSelf(
  provider: Eip1193Provider,
  account: string,
  votesToken: string,
  onSent: (hash: string) => void,
): Promise<{ hash: string; block: number }> {
  const signer = await new BrowserProvider(provider).getSigner(account);
  const sent = (await new Contract(votesToken, VOTES_ABI, signer).delegate(account)) as {
    hash: string;
    wait(): Promise<{ status: number | null; blockNumber: number } | null>;
  };
  onSent(sent.hash);
  const receipt = await sent.wait();
  if (!receipt || receipt.status !== 1) throw Object.assign(new Error('the delegation reverted'), { hash: sent.hash });
  return { hash: sent.hash, block: receipt.blockNumber };
}

/** A wallet's refusal or a revert as people read it: ethers' short message, or the custom error's name. */
export function reasonOf(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string; revert?: { name?: string } };
  if (e.revert?.name) return `${e.shortMessage ?? 'reverted'} (${e.revert.name})`;
  return e.shortMessage ?? e.message ?? String(error);
}
