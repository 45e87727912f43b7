import { SingleBar } from 'cli-progress';

export interface Progress {
  add(delta: number): void;
  stop(): void;
}

const MIB = 1024 * 1024;

/** A bytes progress bar (done/total, rate, ETA) on stderr; silent when stderr is not a terminal or output is JSON. */
export function bytesProgress(label: string, totalBytes: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return { add: () => undefined, stop: () => undefined };
  const started = Date.now();
  let done = 0;
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label.padEnd(9)} {bar} {percentage}% | {doneMiB}/{totalMiB} MiB | {rate} MiB/s | ETA {eta_formatted}`,
    hideCursor: true,
    etaBuffer: 50,
  });
  const fields = () => ({
    doneMiB: (done / MIB).toFixed(1),
    totalMiB: (totalBytes / MIB).toFixed(1),
    rate: (done / MIB / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(1),
  });
  bar.start(Math.max(totalBytes, 1), 0, fields());
  return {
    add(delta: number) {
      done += delta;
      bar.update(done, fields());
    },
    stop() {
      bar.update(Math.max(totalBytes, 1), fields());
      bar.stop();
    },
  };
}
