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
  /**
   * keccak256 of the canonical JSON of what the catalogue shows as the contributor's words
   * (`contributionMetadataHash`). Signed from Contribution version 2 on; absent in version 1.
   */
  metadataHash?: string;
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

/** Contribution version 1 (the first records): content, owners, lineage and terms, without the shown metadata. */
export const CONTRIBUTION_V1_TYPES: Types = {
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

/** Contribution version 2: version 1 plus `metadataHash`, so what the catalogue shows is signed too. */
export const CONTRIBUTION_TYPES: Types = {
  ...CONTRIBUTION_V1_TYPES,
  Contribution: [
    { name: 'contentRoot', type: 'bytes32' },
    { name: 'metadataHash', type: 'bytes32' },
    ...CONTRIBUTION_V1_TYPES.Contribution.slice(1),
  ],
};

/** The version new registrations sign; records keep the version they were signed under. */
export const CONTRIBUTION_VERSION = 2;
export type ContributionVersion = 1 | 2;

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

/**
 * The Contribution to sign or check under `version`: 2 needs `metadataHash`, 1 must not carry one
 * (old records verify exactly as they were signed). Without `version`, a message with a
 * `metadataHash` is version 2 and one without is version 1; signers and the server name the
 * version they mean (CONTRIBUTION_VERSION for new registrations).
 */
export function contributionTypedData(
  domain: UpstreamDomain,
  message: ContributionMessage,
  version: ContributionVersion = message.metadataHash === undefined ? 1 : 2,
): TypedData<ContributionMessage> {
  if (version === 1) {
    if (message.metadataHash !== undefined)
      throw new TypeError('a version 1 Contribution has no metadataHash; sign version 2 to cover the metadata');
    return typedData(domain, CONTRIBUTION_V1_TYPES, 'Contribution', message);
  }
  if (message.metadataHash === undefined)
    throw new TypeError(
      'a version 2 Contribution needs metadataHash (contributionMetadataHash of title, description, externalUri)',
    );
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
