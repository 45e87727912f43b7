// @upstream/provenance — what a dataset, a license and a training run *are*, as hashes; browser-safe.
// Owns canonical file entries and path rules, content/run/batch roots and proofs, license-terms hashes and
// EIP-712 messages. Hashing files on disk is Node-only and lives in `@upstream/provenance/node` (src/node/).
// File entries, errors and the content tree: the narrow entry `@upstream/provenance/content` (no ethers), plus the rest.
export * from './content';
export { decodeFileName, quotePath } from './file-entry.normalizer';
export {
  CONTENT_LEAF_TYPES,
  contentLeafHash,
  contentRoot,
  encodeContentLeaf,
  fileProof,
  verifyFileProof,
} from './content-root.tree';
export { contributionMetadataHash, type ContributionMetadata } from './contribution-metadata';
export {
  CONTRIBUTION_TYPES,
  CONTRIBUTION_V1_TYPES,
  CONTRIBUTION_VERSION,
  contributionTypedData,
  LICENSE_ACCEPTANCE_TYPES,
  licenseAcceptanceTypedData,
  recoverSigner,
  TRAINING_RUN_TYPES,
  trainingRunTypedData,
  typedDataPayload,
  upstreamDomain,
  type ContributionMessage,
  type ContributionVersion,
  type LicenseAcceptanceMessage,
  type Owner,
  type Parent,
  type PrimaryType,
  type TrainingRunMessage,
  type TypedData,
  type UpstreamDomain,
} from './eip712.typed-data';
export {
  assertValidContribution,
  assertValidLicenseAcceptance,
  assertValidTrainingRun,
  TOTAL_BPS,
  validateContribution,
  validateDomain,
  validateLicenseAcceptance,
  validateTrainingRun,
  type ValidationOptions,
} from './signed-message.validator';
export {
  canonicalJson,
  checkLicenseDuration,
  licenseTerms,
  licenseTermsHash,
  MAX_LICENSE_DURATION_DAYS,
  type LicenseFee,
  type LicenseTemplate,
  type LicenseTerms,
  type LicenseTermsOptions,
} from './license-terms.templates';
export {
  buildRunEntriesTree,
  RUN_ENTRY_TYPES,
  RunEntriesTree,
  verifyRunEntryProof,
  type RunEntry,
} from './training-run.tree';
export { BATCH_ANCHOR_TYPES, BatchAnchorTree, buildBatchAnchorTree, verifyBatchAnchorProof } from './batch-anchor.tree';
export {
  LICENSING_CHANGE_TYPES,
  licensingChangeTypedData,
  type LicensingChangeMessage,
} from './licensing-change.typed-data';
export { TAKEDOWN_TYPES, takedownTypedData, type TakedownMessage } from './takedown.typed-data';
