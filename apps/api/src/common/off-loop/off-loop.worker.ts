/**
 * Worker-thread entry (piscina, `OffLoopPool`): each named export is a task. A task that reads a
 * request body gets its bytes and parses them here, so neither the JSON.parse of a long list nor
 * its checks run on the event loop. The work itself lives in pure functions beside the feature
 * that owns it; this file only names them.
 */
import { registrationOfBody as registration } from '../../contributions/datasets/file-list/file-list';
import { setPriority } from 'node:os';
import { movedResult, releaseBytes } from './moved-result';
import type { contributionTask as checkContribution } from '../../contributions/datasets/file-list/contribution-check';

/**
 * The nice value of a worker thread (Linux; 0 is the event loop's): when both want a core, the
 * event loop gets it, so a long task here cannot delay the answers to other requests, only itself.
 */
const WORKER_NICE = 10;

// On Linux a nice value is per thread (setpriority of the calling thread); elsewhere it would lower the whole process.
// Lowering one's priority is always allowed; should a sandbox refuse it, the thread runs as before.
if (process.platform === 'linux')
  try {
    setPriority(WORKER_NICE);
  } catch {
    /* left at the process's priority */
  }

export { proveFileTask } from '../../contributions/datasets/file-list/file-list';
export { missingDigestsOfBody } from '../../contributions/blobs/missing-digests';
export { runEntriesOfBody, runEntriesTreeOf } from '../../runs/run-entries.validator';

/**
 * A registration body's lists: the body's bytes are freed once parsed, and the file columns (~10 MB
 * for 100,000 files) are moved back, not copied.
 */
export async function registrationOfBody(raw: Uint8Array): ReturnType<typeof registration> {
  return movedResult(await registration(raw, () => releaseBytes(raw)));
}

/**
 * A long Contribution's check: its module (EIP-712 through ethers, ~27 MiB of RSS in a thread) is
 * loaded on the first such task only, so a thread that parses a file list or a digest list never has it.
 */
export async function contributionTask(
  ...args: Parameters<typeof checkContribution>
): Promise<ReturnType<typeof checkContribution>> {
  const { contributionTask: check } = await import('../../contributions/datasets/file-list/contribution-check.js');
  return check(...args);
}
