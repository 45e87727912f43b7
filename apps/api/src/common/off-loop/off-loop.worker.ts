/**
 * Worker-thread entry (piscina, `OffLoopPool`): each named export is a task. A task that reads a
 * request body gets its bytes and parses them here, so neither the JSON.parse of a long list nor
 * its checks run on the event loop. The work itself lives in pure functions beside the feature
 * that owns it; this file only names them.
 */
export { contributionTask, proveFileTask, registrationOfBody } from '../../contributions/datasets/file-list/file-list';
export { missingDigestsOfBody } from '../../contributions/blobs/missing-digests';
export { runEntriesOfBody } from '../../runs/run-entries.validator';
