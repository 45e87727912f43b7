import type { TypedDataField } from 'ethers';
import type { TypedData, UpstreamDomain } from './eip712.typed-data';
import { TypedDataEncoder } from 'ethers';

/** An owner opening or closing a dataset to new licenses (existing licenses run to their end). */
export interface LicensingChangeMessage {
  /** The dataset's content root. */
  datasetId: string;
  open: boolean;
  nonce: bigint;
  /** Unix seconds. */
  deadline: bigint;
}

export const LICENSING_CHANGE_TYPES: Record<string, TypedDataField[]> = {
  LicensingChange: [
    { name: 'datasetId', type: 'bytes32' },
    { name: 'open', type: 'bool' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

/** Signed with `wallet.signTypedData(td.domain, td.types, td.message)` under the Upstream domain. */
export function licensingChangeTypedData(
  domain: UpstreamDomain,
  message: LicensingChangeMessage,
): TypedData<LicensingChangeMessage> {
  const digest = TypedDataEncoder.hash(domain, LICENSING_CHANGE_TYPES, message);
  // The provenance lib's PrimaryType union does not list this feature-local type; the cast only affects that label.
  return {
    domain,
    types: LICENSING_CHANGE_TYPES,
    primaryType: 'LicensingChange' as TypedData<LicensingChangeMessage>['primaryType'],
    message,
    digest,
  };
}
