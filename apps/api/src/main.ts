import 'reflect-metadata';
import pino from 'pino';
import { ConfigError, loadConfig } from './config/app-config';
import { closeConnectionsAfterAnswers } from './common/http/close-connections';
import { ShutdownTrace } from './common/shutdown/shutdown-trace';
import { createApp } from './create-app';
import { startInfrastructure } from './runtime/infrastructure';

/**
 * `npm start`: validate config, start (or connect to) PostgreSQL and the
 * chain, serve the API, and on SIGTERM/SIGINT drain requests and stop every
 * child process before exiting.
 *
 * `npm start` (and `npm run start:worker`) runs this with `--max-semi-space-size=4 --heap-growing-percent=50
 * --memory-saver-mode`, and `MALLOC_MMAP_THRESHOLD_=4194304` in its environment
 * (package.json cannot hold the comment; test/support/service-process.ts reads
 * both from the `start` script, so process tests and benchmarks run the same). On a 24 GiB
 * machine V8 otherwise sizes the young generation at 64–128 MiB and lets the
 * old generation grow to ~4× its live size (~45 MiB here) before collecting:
 * ~200 MiB RSS right after start-up.
 * The old generation needs some room to grow, though: at 30 % its slack after a
 * mark-compact (~12 MiB) is no more than the young generation, so V8 starts the
 * next marking at once and a big upload ran ~50 back-to-back mark-compacts
 * (half the service's CPU). Measured with `npm run bench:upload` (bench/results/
 * upload.json has the figures): idle ~145 MiB, peak under 200 MiB, one mark-compact
 * per 2 GiB upload. Uploads also trigger minor GCs themselves (see
 * common/memory/body-buffer-collector.ts). The old generation's maximum
 * is not capped: big manifests still fit.
 *
 * `--memory-saver-mode` (V8's memory saver: its GCs reduce memory, and free the
 * pages they empty instead of pooling them). V8 13 otherwise keeps emptied heap
 * pages resident in a page pool, and an ended worker thread's whole heap for 8 s
 * more: after a 100,000-file registration ~60 MiB of the worker's pages stayed
 * in RSS, and `--trace-gc` showed 26–46 MB pooled beside a 46 MB heap. Measured
 * with `npm run bench:hostile` (back to back, load 5–9): peak RSS 270–278 MiB
 * with it, 299–311 without; idle 151–165, was 163–170; the event-loop figures
 * alike within the noise (12 mark-compacts and 45 scavenges of 5 ms or more
 * over the run, was 8 and 91). `npm run bench:upload` (1 GiB, load 9–11): the
 * same service CPU per phase (PUT 1.8–2.0 s user) and peak RSS 198–201 MiB,
 * was 200–210.
 *
 * `MALLOC_MMAP_THRESHOLD_=4194304` (glibc, read once when the process starts):
 * allocations of 4 MiB or more get their own mapping, returned to the system
 * when freed. glibc's default threshold (128 KiB) rises to the size of any
 * such mapping freed, up to 32 MiB: once a 10 MB request body had been freed,
 * every body, response and node-postgres buffer below that came from the
 * heap, which kept them (its trim threshold rises to twice as much) and grew
 * from case to case. `npm run bench:hostile` (load ~5.5): the event loop's
 * glibc heap grew from 11 to 54 MiB over the run; with the setting the RSS
 * falls back between cases (197 MiB after the last, was 251) and the peak
 * was 252.5 MiB, was 273. Smaller pieces (64 KiB socket reads, 1 MiB blob
 * reads) stay on the heap, as before.
 */
async function main(): Promise<void> {
  const log = pino({ level: process.env.LOG_LEVEL || 'info' });
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      log.fatal({ problems: error.problems }, error.message);
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const infrastructure = await startInfrastructure(config, (message) => log.info(message)).catch((error: Error) => {
    log.fatal({ err: error }, `cannot start: ${error.message}`);
    process.stderr.write(`cannot start: ${error.message}\n`);
    process.exit(1);
  });

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info(`${signal} received: draining requests and stopping`);
    let phase = 'closing the HTTP server and the modules (requests in flight, the worker pass under way)';
    const force = setTimeout(() => {
      const hooks = app?.get(ShutdownTrace, { strict: false }).pending() ?? [];
      log.error(
        { phase, unfinishedHooks: hooks, activeResources: process.getActiveResourcesInfo() },
        `shutdown took longer than SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs} ms) while ${phase}` +
          (hooks.length > 0 ? ` (unfinished: ${hooks.join(', ')})` : '') +
          '; stopping PostgreSQL and the chain and exiting',
      );
      infrastructure.signalChildren();
      process.exit(1);
    }, config.shutdownTimeoutMs);
    try {
      if (app && config.workerMode !== 'only') closeConnectionsAfterAnswers(app.getHttpServer());
      await app?.close();
    } finally {
      phase = 'stopping PostgreSQL and the chain';
      await infrastructure.stop();
      clearTimeout(force);
      log.info('stopped');
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    app = await createApp({ config, infrastructure });
    if (config.workerMode === 'only') {
      await app.init();
      log.info('worker running on its own (WORKER_MODE=only); no HTTP listener');
      return;
    }
    await app.listen(config.port, config.host);
  } catch (error) {
    log.fatal({ err: error }, `cannot start: ${(error as Error).message}`);
    await infrastructure.stop();
    process.exit(1);
  }
  log.info(`Upstream API listening on http://${config.host}:${config.port} (OpenAPI at /docs)`);
}

void main();
