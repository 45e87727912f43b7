import type { Server } from 'node:http';

/** How often idle kept-alive connections are looked for while the server drains. */
const IDLE_SWEEP_MS = 100;

/**
 * For a graceful shutdown: from now on every answer closes its connection, and connections left idle
 * are closed as they become so. Node's `server.close()` closes the connections idle at that moment
 * only; a keep-alive client (a load balancer's health check, a poller) whose request was in flight
 * then, and who asks again before `keepAliveTimeout`, is answered on the same connection for ever,
 * and `close()` never returns. Call before closing the server; it stops by itself once the server has.
 */
export function closeConnectionsAfterAnswers(server: Server): void {
  server.prependListener('request', (_req, res) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  });
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  sweep.unref();
  server.once('close', () => clearInterval(sweep));
}
