import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { closeConnectionsAfterAnswers } from '../../../apps/api/src/common/http/close-connections';

describe('closeConnectionsAfterAnswers: a graceful shutdown that a keep-alive poller cannot hold open', () => {
  it('lets server.close() finish although a polling client had a request in flight when it began', async () => {
    const server = http.createServer((_req, res) => void sleep(100).then(() => res.end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true });
    let inFlight = false;
    let answered = 0;
    let polling = true;
    // A health checker on one kept-alive connection: asks every 250 ms, well within keepAliveTimeout (5 s).
    const poller = (async () => {
      while (polling) {
        inFlight = true;
        const ok = await new Promise<boolean>((resolve) =>
          http
            .get({ port, host: '127.0.0.1', agent }, (res) => {
              res.resume();
              res.on('end', () => resolve(true));
            })
            .on('error', () => resolve(false)),
        );
        inFlight = false;
        if (ok) answered++;
        await sleep(250);
      }
    })();
    while (!(inFlight && answered >= 2)) await sleep(5);

    const began = Date.now();
    closeConnectionsAfterAnswers(server);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const outcome = await Promise.race([closed.then(() => 'closed'), sleep(4_000).then(() => 'still open')]);
    polling = false;
    await poller;
    agent.destroy();
    server.closeAllConnections();
    expect(outcome).toBe('closed');
    expect(Date.now() - began).toBeLessThan(4_000);
  });
});
