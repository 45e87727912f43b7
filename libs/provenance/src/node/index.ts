// @upstream/provenance/node — the Node-only half: streaming SHA-256 of files and the dataset folder walk.
// Everything here may use node:fs, node:crypto and streams; the browser-safe half is `@upstream/provenance`.
export { Sha256PassThrough, sha256File, sha256Stream, type Sha256Result } from './sha256.hasher';
export {
  hashPath,
  listPath,
  type HashPathOptions,
  type HashPathResult,
  type HashProgress,
  type ListedFile,
  type PathListing,
} from './path.hasher';
