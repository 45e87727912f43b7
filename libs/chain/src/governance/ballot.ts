// Votes signed off-line (EIP-712 ballots) that anyone can relay to the Governor with
// castVoteBySig, so a voter needs a key but no gas. The Governor checks the signature and
// consumes the voter's nonce; the relayer only pays for the transaction.
import { getAddress, Interface, Signature, verifyTypedData, type TypedDataDomain, type TypedDataField } from 'ethers';
import { UpstreamGovernor } from '../generated/artifacts';

export const BALLOT_SUPPORT = { against: 0, for: 1, abstain: 2 } as const;
export type BallotSupport = keyof typeof BALLOT_SUPPORT;

/** A signed vote, as the CLI writes it and a relayer submits it. */
export interface SignedBallot {
  kind: 'upstream-ballot';
  governor: string;
  chainId: number;
  proposalId: string;
  support: BallotSupport;
  voter: string;
  /** The voter's Governor nonce the signature commits to (a ballot is valid once). */
  nonce: string;
  /** Present: an ExtendedBallot with this reason (and empty params). */
  reason?: string;
  signature: string;
}

const BALLOT: Record<string, TypedDataField[]> = {
  Ballot: [
    { name: 'proposalId', type: 'uint256' },
    { name: 'support', type: 'uint8' },
    { name: 'voter', type: 'address' },
    { name: 'nonce', type: 'uint256' },
  ],
};
const EXTENDED_BALLOT: Record<string, TypedDataField[]> = {
  ExtendedBallot: [...BALLOT.Ballot, { name: 'reason', type: 'string' }, { name: 'params', type: 'bytes' }],
};

/** The Governor's EIP-712 domain (name "UpstreamGovernor", version "1"). */
export function governorDomain(governor: string, chainId: number | bigint): TypedDataDomain {
  return { name: 'UpstreamGovernor', version: '1', chainId, verifyingContract: getAddress(governor) };
}

/** The typed data a voter signs for `ballot` (everything but the signature). */
export function ballotTypedData(ballot: Omit<SignedBallot, 'signature' | 'kind'>) {
  const base = {
    proposalId: BigInt(ballot.proposalId),
    support: BALLOT_SUPPORT[ballot.support],
    voter: getAddress(ballot.voter),
    nonce: BigInt(ballot.nonce),
  };
  return ballot.reason === undefined
    ? { domain: governorDomain(ballot.governor, ballot.chainId), types: BALLOT, message: base }
    : {
        domain: governorDomain(ballot.governor, ballot.chainId),
        types: EXTENDED_BALLOT,
        message: { ...base, reason: ballot.reason, params: '0x' },
      };
}

/**
 * Checks a ballot read from a file before a relayer spends gas on it: the fields are well formed
 * and the signature is the voter's. Throws naming the field.
 */
export function checkBallot(value: unknown): SignedBallot {
  const b = value as Partial<SignedBallot> | null;
  if (!b || typeof b !== 'object' || b.kind !== 'upstream-ballot') throw new Error('ballot: not an upstream ballot');
  for (const field of ['governor', 'voter'] as const) {
    if (typeof b[field] !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(b[field]))
      throw new Error(`ballot.${field}: not an address`);
  }
  for (const field of ['proposalId', 'nonce'] as const) {
    if (typeof b[field] !== 'string' || !/^\d{1,78}$/.test(b[field]))
      throw new Error(`ballot.${field}: not a non-negative integer`);
  }
  if (!Number.isSafeInteger(b.chainId)) throw new Error('ballot.chainId: not an integer');
  if (typeof b.support !== 'string' || !(b.support in BALLOT_SUPPORT))
    throw new Error('ballot.support: not for, against or abstain');
  if (b.reason !== undefined && typeof b.reason !== 'string') throw new Error('ballot.reason: not a string');
  if (typeof b.signature !== 'string') throw new Error('ballot.signature: missing');
  try {
    Signature.from(b.signature);
  } catch {
    throw new Error('ballot.signature: not a 65-byte signature');
  }
  const ballot = b as SignedBallot;
  const { domain, types, message } = ballotTypedData(ballot);
  if (getAddress(verifyTypedData(domain, types, message, ballot.signature)) !== getAddress(ballot.voter))
    throw new Error('ballot.signature: not signed by ballot.voter for this governor, chain, proposal and nonce');
  return ballot;
}

const governorAbi = new Interface(UpstreamGovernor.abi);

/** The Governor call that casts `ballot` (castVoteBySig, or castVoteWithReasonAndParamsBySig with a reason). */
export function relayCallData(ballot: SignedBallot): { to: string; data: string } {
  const support = BALLOT_SUPPORT[ballot.support];
  const data =
    ballot.reason === undefined
      ? governorAbi.encodeFunctionData('castVoteBySig', [ballot.proposalId, support, ballot.voter, ballot.signature])
      : governorAbi.encodeFunctionData('castVoteWithReasonAndParamsBySig', [
          ballot.proposalId,
          support,
          ballot.voter,
          ballot.reason,
          '0x',
          ballot.signature,
        ]);
  return { to: getAddress(ballot.governor), data };
}
