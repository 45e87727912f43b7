import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatabaseAvailability,
  TIMEOUTS_BEFORE_DOWN,
} from '../../../apps/api/src/common/dependencies/database-availability';
import type { Runtime } from '../../../apps/api/src/runtime/runtime';
import { freePort } from '../../support/ports';

const availabilityOf = (databaseUrl: string) =>
  new DatabaseAvailability({ infrastructure: { databaseUrl } } as unknown as Runtime);

describe('DatabaseAvailability: refusals count at once, a lone slow probe does not', () => {
  /** Accepts connections and never answers: a PostgreSQL too slow (or too far) to greet in time. */
  let silent: net.Server;
  const sockets = new Set<net.Socket>();
  beforeAll(async () => {
    silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it(`says down only after ${TIMEOUTS_BEFORE_DOWN} probes in a row time out`, async () => {
    const { port } = silent.address() as net.AddressInfo;
    const availability = availabilityOf(`postgres://u:p@127.0.0.1:${port}/db`);
    for (let i = 1; i < TIMEOUTS_BEFORE_DOWN; i++) expect((await availability.probe()).up).toBe(true);
    const state = await availability.probe();
    expect(state).toMatchObject({ up: false, reason: expect.stringMatching(/timeout/i) as string });
    // Once down, a further timeout keeps it down.
    expect((await availability.probe()).up).toBe(false);
    expect(availability.knownDown()?.up).toBe(false);
  });

  it('says down at the first refused connection', async () => {
    const availability = availabilityOf(`postgres://u:p@127.0.0.1:${await freePort()}/db`);
    const state = await availability.probe();
    expect(state.up).toBe(false);
    expect(state.up === false && state.reason).toMatch(/refused/i);
  });
});
