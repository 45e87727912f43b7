import { TypedDataEncoder, verifyTypedData, type TypedDataField } from 'ethers';

/** EIP-712 domain: verifyingContract is the ProvenanceRegistry address. */
export interface UpstreamDomain {
  name: 'Upstream';
  version: '1';
  chainId: bigint | number;
  verifyingContract: string;
}

export function upstreamDomain(chainId: bigint | number, verifyingContract: string): UpstreamDomain {
  return { name: 'Upstream', version: '1', chainId, verifyingContract };
}

export interface Owner {
  account: string;
  shareBps: number;
}

export interface Parent {
  /** The parent dataset's content root. */
  datasetId: string;
  upstreamBps: number;
}

export interface ContributionMessage {
  contentRoot: string;
  owners: Owner[];
  parents: Parent[];
  licenseTermsHash: string;
  nonce: bigint;
  /** Unix seconds. */
  deadline: bigint;
}

export interface TrainingRunMessage {
  runRef: string;
  modelName: string;
  modelHash: string;
  /** Root of the run's `(bytes32 datasetId, uint256 weight)` entries tree. */
  entriesRoot: string;
  entryCount: bigint;
  /** What a weight counts: 'tokens', 'bytes' or 'samples'. */
  weightUnit: string;
  startedAt: bigint;
  endedAt: bigint;
  nonce: bigint;
  deadline: bigint;
}

export interface LicenseAcceptanceMessage {
  datasetId: string;
  termsHash: string;
  licensee: string;
  nonce: bigint;
  deadline: bigint;
}

type Types = Record<string, TypedDataField[]>;

export const CONTRIBUTION_TYPES: Types = {
  Contribution: [
    { name: 'contentRoot', type: 'bytes32' },
    { name: 'owners', type: 'Owner[]' },
    { name: 'parents', type: 'Parent[]' },
    { name: 'licenseTermsHash', type: 'bytes32' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
  Owner: [
    { name: 'account', type: 'address' },
    { name: 'shareBps', type: 'uint16' },
  ],
  Parent: [
    { name: 'datasetId', type: 'bytes32' },
    { name: 'upstreamBps', type: 'uint16' },
  ],
};

export const TRAINING_RUN_TYPES: Types = {
  TrainingRun: [
    { name: 'runRef', type: 'bytes32' },
    { name: 'modelName', type: 'string' },
    { name: 'modelHash', type: 'bytes32' },
    { name: 'entriesRoot', type: 'bytes32' },
    { name: 'entryCount', type: 'uint256' },
    { name: 'weightUnit', type: 'string' },
    { name: 'startedAt', type: 'uint64' },
    { name: 'endedAt', type: 'uint64' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

export const LICENSE_ACCEPTANCE_TYPES: Types = {
  LicenseAcceptance: [
    { name: 'datasetId', type: 'bytes32' },
    { name: 'termsHash', type: 'bytes32' },
    { name: 'licensee', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

export type PrimaryType = 'Contribution' | 'TrainingRun' | 'LicenseAcceptance';

/**
 * Everything needed to sign (`wallet.signTypedData(domain, types, message)`) or to check a
 * signature. `types` omits EIP712Domain, as ethers wants; `digest` is the EIP-712 hash.
 */
export interface TypedData<M> {
  domain: UpstreamDomain;
  types: Types;
  primaryType: PrimaryType;
  message: M;
  digest: string;
}

function typedData<M extends object>(
  domain: UpstreamDomain,
  types: Types,
  primaryType: PrimaryType,
  message: M,
): TypedData<M> {
  const digest = TypedDataEncoder.hash(domain, types, message as Record<string, unknown>);
  return { domain, types, primaryType, message, digest };
}

export function contributionTypedData(
  domain: UpstreamDomain,
  message: ContributionMessage,
): TypedData<ContributionMessage> {
  return typedData(domain, CONTRIBUTION_TYPES, 'Contribution', message);
}

export function trainingRunTypedData(
  domain: UpstreamDomain,
  message: TrainingRunMessage,
): TypedData<TrainingRunMessage> {
  return typedData(domain, TRAINING_RUN_TYPES, 'TrainingRun', message);
}

export function licenseAcceptanceTypedData(
  domain: UpstreamDomain,
  message: LicenseAcceptanceMessage,
): TypedData<LicenseAcceptanceMessage> {
  return typedData(domain, LICENSE_ACCEPTANCE_TYPES, 'LicenseAcceptance', message);
}

/** JSON-RPC `eth_signTypedData_v4` payload (with EIP712Domain), for browser wallets. */
export function typedDataPayload<M extends object>(td: TypedData<M>): unknown {
  return TypedDataEncoder.getPayload(td.domain, td.types, td.message as Record<string, unknown>);
}

/** Checksummed address that signed `td`; compare it with the expected signer. Throws on a malformed signature. */
export function recoverSigner<M extends object>(td: TypedData<M>, signature: string): string {
  return verifyTypedData(td.domain, td.types, td.message as Record<string, unknown>, signature);
}
