import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's `gc()` as `--expose-gc` defines it. */
type Gc = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/** Received bytes between two minor collections. */
const EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Frees consumed request-body buffers promptly.
 *
 * Node copies every piece of a request body the HTTP parser hands over into a new Buffer
 * (up to 64 KiB, one per socket read) whose bytes live outside V8's heap. A streamed upload
 * allocates little else, so V8's young generation does not fill and no minor GC runs: dead
 * buffers pile up until the external-memory limit starts a full mark-compact of the whole
 * heap. Measured with a 2 GiB PUT /blobs: ~50 mark-compacts, ~6 s of service CPU, 430–470 MB/s
 * and a 222 MiB peak RSS; with a minor GC every 16 MiB received (each well under a
 * millisecond, the young generation being nearly empty): 1–2 mark-compacts, ~3 s of CPU,
 * 650–750 MB/s and a 160–185 MiB peak; every 8 MiB: the same speed, peak 155–162 MiB
 * (every 4 MiB gains nothing more).
 *
 * Uploads report the bytes they have consumed with `consumed()`; all uploads share one count.
 * Downloads report theirs too (`LocalBlobStore.read`): each file read is a fresh 1 MiB buffer
 * outside the heap, dead once sent, and a download allocates little else either. Measured with
 * `npm run bench:download` (256 MiB in 8 files, fetched 6 times; the uploads before them peak at
 * 189–198 MiB): the service's peak RSS while downloading went from 258 to 211–222 MiB, and its
 * CPU from 0.76 to 0.43–0.58 s per download (a busy 2-core machine: single runs, noisy).
 * JSON bodies report theirs (`common/body/json-body-parser.ts`): each piece copied into the body's
 * one buffer, or dropped after a refusal. Without it `npm run bench:hostile`'s two 400,000-file
 * bodies left ~30 MiB of them pending, and glibc's main heap kept its 44 MiB afterwards (28 with it).
 */
export class BodyBufferCollector {
  static readonly shared = new BodyBufferCollector(loadGc());
  private sinceLast = 0;

  constructor(private readonly gc: Gc | undefined) {}

  /** `bytes` more were taken from a request body (or sent from a blob); runs a minor GC every 8 MiB. */
  consumed(bytes: number): void {
    this.sinceLast += bytes;
    if (this.sinceLast < EVERY_BYTES) return;
    this.sinceLast = 0;
    this.gc?.({ type: 'minor' });
  }
}

/** `gc` from `--expose-gc` when the process was started with it, else enabled now for a fresh context (where V8 installs it). */
function loadGc(): Gc | undefined {
  const exposed = (globalThis as { gc?: Gc }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as Gc;
    setFlagsFromString('--no-expose-gc'); // contexts created later do not get it
    return gc;
  } catch {
    return undefined; // an embedder that refuses: uploads still work, with V8's own timing
  }
}
