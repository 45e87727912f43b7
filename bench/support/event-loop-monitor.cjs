// Preloaded into the service by bench:hostile (NODE_OPTIONS=--require): every 100 ms, appends the
// longest event-loop delay of that window (perf_hooks.monitorEventLoopDelay, 10 ms resolution) to
// EVENT_LOOP_LOG as `epochMs maxDelayMs`. Bench-only: the service itself carries no monitor.
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { appendFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');

const file = process.env.EVENT_LOOP_LOG;
if (file && isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  setInterval(() => {
    appendFileSync(file, `${Date.now()} ${(histogram.max / 1e6).toFixed(1)}\n`);
    histogram.reset();
  }, 100).unref();
}
