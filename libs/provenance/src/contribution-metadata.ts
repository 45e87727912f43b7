import { keccak256, toUtf8Bytes } from 'ethers';
import { canonicalJson } from './license-terms.templates';

/**
 * What the catalogue shows as a contributor's words about a dataset. Signed (as its hash) by
 * Contribution version 2, so nobody can change them after the owners signed.
 */
export interface ContributionMetadata {
  title: string;
  /** '' when the registration has none. */
  description: string;
  /** null for an uploaded dataset. */
  externalUri: string | null;
}

/**
 * keccak256 of the metadata's canonical JSON (UTF-8; keys sorted, no whitespace), e.g.
 * `{"description":"","externalUri":null,"title":"Street cats"}`: the Contribution's `metadataHash`.
 */
export function contributionMetadataHash(metadata: ContributionMetadata): string {
  return keccak256(
    toUtf8Bytes(
      canonicalJson({
        title: metadata.title,
        description: metadata.description,
        externalUri: metadata.externalUri,
      }),
    ),
  );
}
