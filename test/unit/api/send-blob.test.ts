import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAddress } from '@upstream/api-contract';
import type {
  DeliveryAccessService,
  DeliveryPermit,
} from '../../../apps/api/src/access/delivery/delivery-access.service';
import type { DeliveryReceipt } from '../../../apps/api/src/access/delivery/delivery.repository';
import type { BlobsService } from '../../../apps/api/src/contributions/blobs/blobs.service';
import { sendBlob } from '../../../apps/api/src/contributions/blobs/send-blob';

const SHA = 'ab'.repeat(32);
const BYTES = Buffer.alloc(1500, 7);
const PERMIT: DeliveryPermit = {
  account: parseAddress('0x90f79bf6eb2c4f870365e785982e1f101e93b906', 'account'),
  datasetId: 'd',
  licenseId: null,
  via: 'session',
  public: false,
};

/**
 * sendBlob behind a real HTTP server, with a store whose stream the test drives: `hand(n)` pushes the
 * next n bytes, `end()` ends it. Receipts land in `receipts`.
 */
async function serve() {
  const receipts: DeliveryReceipt[] = [];
  let current: Readable | undefined;
  let offset = 0;
  const blobs = {
    find: () => Promise.resolve({ sha256: SHA, size: BigInt(BYTES.length), storedAt: new Date(0) }),
    redirectUrl: () => Promise.resolve(undefined),
    read: () => {
      offset = 0;
      current = new Readable({ read() {} });
      return current;
    },
  } as unknown as BlobsService;
  const delivery = { record: (r: DeliveryReceipt) => receipts.push(r) } as unknown as DeliveryAccessService;
  const app = express();
  app.get('/blob', (req, res, next) => void sendBlob(blobs, SHA, req, res, PERMIT, delivery).catch(next));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const streamed = async () => {
    while (!current) await sleep(5);
    return current;
  };
  return {
    receipts,
    server,
    async hand(n: number) {
      const stream = await streamed();
      stream.push(BYTES.subarray(offset, offset + n));
      offset += n;
    },
    async end() {
      (await streamed()).push(null);
    },
    /** GETs the blob; closes the connection as soon as `closeAfter` bytes of the body have arrived. */
    get(closeAfter: number, headers: http.OutgoingHttpHeaders = {}) {
      return new Promise<number>((resolve, reject) => {
        const req = http.get({ port, host: '127.0.0.1', path: '/blob', headers, agent: false }, (res) => {
          let got = 0;
          res.on('data', (chunk: Buffer) => {
            got += chunk.length;
            if (got >= closeAfter) {
              req.destroy();
              resolve(got);
            }
          });
          res.on('end', () => resolve(got));
        });
        req.on('error', reject);
      });
    },
  };
}

async function settled(condition: () => boolean) {
  for (let waited = 0; waited < 2_000 && !condition(); waited += 10) await sleep(10);
}

describe('sendBlob: a receipt for every delivery, none for a download broken off', () => {
  let server: http.Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('records a delivery when the client has every byte and closes before the store’s stream has ended', async () => {
    const s = await serve();
    server = s.server;
    const got = s.get(BYTES.length);
    await s.hand(BYTES.length);
    expect(await got).toBe(BYTES.length);
    await settled(() => s.receipts.length > 0);
    expect(s.receipts).toEqual([expect.objectContaining({ sha256: SHA, firstByte: 0, bytes: BYTES.length })]);
    await s.end(); // late, after the client has gone: still one receipt
    await sleep(50);
    expect(s.receipts).toHaveLength(1);
  });

  it('records a range the same way, with its first byte and length', async () => {
    const s = await serve();
    server = s.server;
    const got = s.get(10, { range: 'bytes=10-19' });
    await s.hand(10);
    expect(await got).toBe(10);
    await settled(() => s.receipts.length > 0);
    expect(s.receipts).toEqual([expect.objectContaining({ firstByte: 10, bytes: 10 })]);
  });

  it('records nothing when the client breaks off part way', async () => {
    const s = await serve();
    server = s.server;
    const got = s.get(500);
    await s.hand(500);
    expect(await got).toBe(500);
    await sleep(200);
    expect(s.receipts).toEqual([]);
  });

  it('records a download that ends normally once', async () => {
    const s = await serve();
    server = s.server;
    const got = s.get(Number.MAX_SAFE_INTEGER);
    await s.hand(BYTES.length);
    await s.end();
    expect(await got).toBe(BYTES.length);
    await settled(() => s.receipts.length > 0);
    await sleep(50);
    expect(s.receipts).toHaveLength(1);
  });
});
