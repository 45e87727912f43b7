// @upstream/provenance/content — file entries, their canonical order and the content tree, without
// the EIP-712 messages (and so without ethers): what a worker thread needs to check a file list.
export {
  ProvenanceError,
  ProvenanceValidationError,
  type FieldError,
  type ProvenanceErrorCode,
} from './provenance.errors';
export {
  canonicalEntries,
  canonicalOrder,
  comparePaths,
  normalizeEntryPath,
  normalizeFileEntry,
  type FileEntry,
  type FileEntryInput,
} from './file-entry.normalizer';
export { buildContentTree, ContentTree, contentTreeOfCanonical } from './content-root.tree';
