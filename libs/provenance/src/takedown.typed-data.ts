import type { TypedDataField } from 'ethers';
import type { TypedData, UpstreamDomain } from './eip712.typed-data';
import { TypedDataEncoder } from 'ethers';

/**
 * An owner withdrawing a dataset version (issue 15): no new licenses, no more deliveries; runs that
 * used it keep their record and royalties. With `deleteBytes`, the bytes no other live dataset holds
 * are deleted from the blob store.
 */
export interface TakedownMessage {
  /** The dataset's content root. */
  datasetId: string;
  /** Why, in the owner's words: shown on the dataset and in every refusal that names the takedown. */
  reason: string;
  deleteBytes: boolean;
  nonce: bigint;
  /** Unix seconds. */
  deadline: bigint;
}

export const TAKEDOWN_TYPES: Record<string, TypedDataField[]> = {
  Takedown: [
    { name: 'datasetId', type: 'bytes32' },
    { name: 'reason', type: 'string' },
    { name: 'deleteBytes', type: 'bool' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

/** Signed with `wallet.signTypedData(td.domain, td.types, td.message)` under the Upstream domain. */
export function takedownTypedData(domain: UpstreamDomain, message: TakedownMessage): TypedData<TakedownMessage> {
  const digest = TypedDataEncoder.hash(domain, TAKEDOWN_TYPES, message);
  // The provenance lib's PrimaryType union does not list this feature-local type; the cast only affects that label.
  return {
    domain,
    types: TAKEDOWN_TYPES,
    primaryType: 'Takedown' as TypedData<TakedownMessage>['primaryType'],
    message,
    digest,
  };
}
