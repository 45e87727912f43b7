import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocatePayment, type DatasetNode } from '@upstream/royalties';
import { startTestApp, type TestApp } from '../support/app';
import { insertDatasetsBulk } from '../support/catalogue-fixtures';
import { payRunWith } from '../support/chain';
import { RoyaltyFixtures, type FixtureDataset } from '../support/royalty-fixtures';

/**
 * A run larger than one batch of the streamed allocation (10,000 entries a batch), with lineage
 * inside and outside the run: the ledger rows the service writes batch by batch are exactly what the
 * in-memory allocation of the same data gives, in the same order of (dataset, account).
 */
describe('a payment over 25,003 entries is allocated in batches, exactly as in memory', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  const addr = (i: number) => new Wallet(t.chain.privateKey(i)).address.toLowerCase();

  beforeAll(async () => {
    t = await startTestApp({ EPOCH_INTERVAL_MS: '3600000' });
    fx = RoyaltyFixtures.connect(t.database.url);
  });
  afterAll(async () => {
    await fx?.close();
    await t?.close();
  });

  it('writes the in-memory allocation’s shares, in batches, for a run with a derived entry and an ancestor outside it', async () => {
    const [owner, A, B, P, LAB] = [2, 3, 4, 6, 7].map(addr);
    const bulk = await insertDatasetsBulk(t.database.url, 25_000, owner, 'streamed-allocation');
    const [{ id: firstUuid }] = await fx.query<{ id: string }>(`SELECT id FROM datasets WHERE content_root = $1`, [
      bulk[0],
    ]);
    // The parent is outside the run; `derived` is an entry derived from it and from a run entry (bulk[0]).
    const parent = await fx.dataset({ owners: [{ account: P, shareBps: 10_000 }] });
    const derived = await fx.dataset({
      owners: [
        { account: A, shareBps: 6_000 },
        { account: B, shareBps: 4_000 },
      ],
      parents: [
        { dataset: parent, upstreamBps: 1_000 },
        { dataset: { id: firstUuid, contentRoot: bulk[0] }, upstreamBps: 500 },
      ],
    });
    const twin = await fx.dataset({ owners: [{ account: B, shareBps: 10_000 }] });
    const pairs = await fx.query<{ id: string; content_root: string }>(
      `SELECT id, content_root FROM datasets WHERE content_root = ANY($1::text[])`,
      [bulk],
    );
    const entries: { dataset: FixtureDataset; weight: bigint }[] = [
      ...pairs.map((r, i) => ({ dataset: { id: r.id, contentRoot: r.content_root }, weight: BigInt(1 + (i % 97)) })),
      { dataset: derived, weight: 5_000n },
      { dataset: twin, weight: 3n },
    ];
    const run = await fx.run({ lab: LAB, entries });

    const amount = 999_999_999_989n; // the test wallet holds 10^12
    await payRunWith(t.chain.deployment, t.chain.wallet(7), run.runId, amount);
    await t.tick();

    const [payment] = await fx.query<{ id: string; net: string; status: string | null }>(
      `SELECT id, net::text, allocation_error AS status FROM royalty_payments WHERE run_id = $1`,
      [run.runId],
    );
    expect(payment.status).toBeNull();
    const rows = await fx.query<{ content_root: string; account: string; amount: string }>(
      `SELECT d.content_root, le.account, le.amount::text FROM ledger_entries le JOIN datasets d ON d.id = le.dataset_id
       WHERE le.payment_id = $1 ORDER BY d.content_root COLLATE "C", le.account`,
      [payment.id],
    );

    const datasets = new Map<string, DatasetNode>(
      bulk.map((root) => [root, { owners: [{ account: owner, shareBps: 10_000 }], parents: [] }]),
    );
    datasets.set(parent.contentRoot, { owners: [{ account: P, shareBps: 10_000 }], parents: [] });
    datasets.set(twin.contentRoot, { owners: [{ account: B, shareBps: 10_000 }], parents: [] });
    datasets.set(derived.contentRoot, {
      owners: [
        { account: A, shareBps: 6_000 },
        { account: B, shareBps: 4_000 },
      ],
      parents: [
        { datasetId: parent.contentRoot, upstreamBps: 1_000 },
        { datasetId: bulk[0], upstreamBps: 500 },
      ],
    });
    const expected = allocatePayment({
      amount,
      net: BigInt(payment.net),
      entries: entries.map((e) => ({ datasetId: e.dataset.contentRoot, weight: e.weight })),
      datasets,
    }).shares;
    expect(rows.length).toBe(25_004); // every entry's owner, both owners of `derived`, and its parent outside the run
    expect(rows.map((r) => [r.content_root, r.account, BigInt(r.amount)])).toEqual(
      expected.map((s) => [s.datasetId, s.account, s.amount]),
    );
    expect(await fx.invariantViolations()).toEqual([]);
  }, 600_000);
});
