import { Wallet, type ContractRunner } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cumulativeLeaves, EPOCH_LEAF_TYPES, type EpochInputs } from '@upstream/royalties';
import { verifyEpoch, verifyEpochLines, type EpochHeader } from '../../apps/cli/src/commands/royalties.command';
import { payRunWith } from '../support/chain';
import { startTestApp, type TestApp } from '../support/app';
import { RoyaltyFixtures, type FixtureDataset, type FixtureRun } from '../support/royalty-fixtures';

/**
 * An epoch stores only the balances that changed since the epoch before it (a pair that left the tree:
 * a 0), while its tree, its leaves and verify-epoch still cover every cumulative balance.
 */
describe('epoch snapshots store only the balances that changed', () => {
  let t: TestApp;
  let fx: RoyaltyFixtures;
  let runAB: FixtureRun;
  let runC: FixtureRun;
  let runD: FixtureRun;
  const owners: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };
  let token: string;
  let votes: string;

  const send = (method: string, params: unknown[] = []) => t.chain.provider.send(method, params);
  const wallet = (i: number) => new Wallet(t.chain.privateKey(i), t.chain.provider);

  async function pay(run: FixtureRun, amount: bigint, payer: ContractRunner = wallet(8)): Promise<void> {
    await payRunWith(t.chain.deployment, payer, run.runId, amount);
  }

  /** Pays, lets the worker build and propose the epoch, and accepts its root after the delay. */
  async function settleAccepted(run: FixtureRun, amount: bigint): Promise<number> {
    await pay(run, amount);
    await t.tick();
    await send('evm_increaseTime', [61]);
    await send('evm_mine');
    await t.tick();
    await t.tick();
    const [latest] = (await t.http.get('/epochs?limit=1').expect(200)).body.items as {
      epoch: number;
      status: string;
    }[];
    expect(latest.status).toBe('accepted');
    return latest.epoch;
  }

  /** The rows the epoch stored, as `account=cumulative` (payment-token rows and votes rows apart). */
  async function stored(epoch: number): Promise<{ royalties: string[]; votes: string[] }> {
    const rows = await fx.query<{ token: string; account: string; cumulative: string }>(
      `SELECT token, account, cumulative::text FROM epoch_balances WHERE epoch = $1 ORDER BY token, account`,
      [epoch],
    );
    const name = (account: string) => Object.entries(owners).find(([, a]) => a === account)?.[0] ?? account;
    const of = (tk: string) =>
      rows
        .filter((r) => r.token === tk)
        .map((r) => `${name(r.account)}=${r.cumulative}`)
        .sort();
    return { royalties: of(token), votes: of(votes) };
  }

  async function leaves(epoch: number): Promise<string[]> {
    const body = (await t.http.get(`/epochs/${epoch}/leaves?limit=100`).expect(200)).body as {
      total: number;
      items: { token: string; account: string; cumulative: string }[];
    };
    expect(body.items).toHaveLength(body.total);
    // The same leaves streamed as NDJSON, after a header line; they rebuild the epoch's root.
    const streamed = await fetch(`${t.baseUrl}/epochs/${epoch}/leaves.ndjson`);
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const [header, ...lines] = (await streamed.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual(body.items);
    const tree = await cumulativeLeaves(
      t.chain.deployment.chainId,
      t.chain.deployment.contracts.RoyaltySplitter,
      body.items.map((l) => ({ ...l, cumulative: BigInt(l.cumulative) })),
    );
    expect(header).toEqual({ epoch, root: tree.root, leafEncoding: [...EPOCH_LEAF_TYPES], total: body.total });
    const name = (account: string) => Object.entries(owners).find(([, a]) => a === account)?.[0] ?? account;
    return body.items
      .filter((l) => l.token === token)
      .map((l) => `${name(l.account)}=${l.cumulative}`)
      .sort();
  }

  /** verify-epoch over the JSON inputs and over the NDJSON stream: the same report, and a MATCH. */
  async function verified(epoch: number): Promise<boolean> {
    const inputs = (await t.http.get(`/epochs/${epoch}/inputs`).expect(200)).body as EpochInputs;
    const fromJson = await verifyEpoch(t.chain.provider, inputs);
    const stream = await fetch(`${t.baseUrl}/epochs/${epoch}/inputs.ndjson`);
    expect(stream.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const [first, ...rest] = (await stream.text()).trimEnd().split('\n');
    const header = (JSON.parse(first) as { epoch: EpochHeader }).epoch;
    const { payments, datasets, ...fields } = inputs;
    expect(header).toEqual({ ...fields, payments: payments.length });
    expect(rest).toHaveLength(Object.keys(datasets).length + payments.reduce((n, p) => n + 1 + p.entries.length, 0));
    const fromLines = await verifyEpochLines(t.chain.provider, header, rest);
    expect(fromLines).toEqual(fromJson);
    // The lineage comes first: a dataset line after a payment's would be left out of the allocation, so it is refused.
    const firstPayment = rest.findIndex((line) => line.startsWith('{"payment"'));
    const moved = [...rest.slice(1, firstPayment + 1), rest[0], ...rest.slice(firstPayment + 1)];
    await expect(verifyEpochLines(t.chain.provider, header, moved)).rejects.toThrow(
      'inputs: a dataset line after the first payment',
    );
    return fromJson.match;
  }

  beforeAll(async () => {
    t = await startTestApp({ EPOCH_INTERVAL_MS: '0', ANCHOR_INTERVAL_MS: '3600000' });
    fx = RoyaltyFixtures.connect(t.database.url);
    token = t.chain.deployment.contracts.PaymentToken!.toLowerCase();
    votes = t.chain.deployment.contracts.UpstreamVotes.toLowerCase();
    const datasets: Partial<Record<keyof typeof owners, FixtureDataset>> = {};
    for (const [i, key] of (['a', 'b', 'c', 'd'] as const).entries()) {
      owners[key] = new Wallet(t.chain.privateKey(3 + i)).address.toLowerCase();
      datasets[key] = await fx.dataset({ owners: [{ account: owners[key], shareBps: 10_000 }] });
    }
    const lab = new Wallet(t.chain.privateKey(8)).address;
    runAB = await fx.run({
      lab,
      entries: [
        { dataset: datasets.a!, weight: 1n },
        { dataset: datasets.b!, weight: 3n },
      ],
    });
    runC = await fx.run({ lab, entries: [{ dataset: datasets.c!, weight: 1n }] });
    runD = await fx.run({ lab, entries: [{ dataset: datasets.d!, weight: 1n }] });
    await t.tick(); // index the deployment
  });
  it('answers 404 for the streamed leaves of an epoch that does not exist', async () => {
    const res = await t.http.get('/epochs/99/leaves.ndjson').expect(404);
    expect(res.body).toMatchObject({
      error: 'EPOCH_NOT_FOUND',
      details: [{ field: 'epoch', reason: 'no epoch 99 has been settled' }],
    });
  });

  afterAll(async () => {
    await fx?.close();
    await t?.close();
  });

  it('stores every balance in the first epoch, then only those a later payment changed', async () => {
    // 2.5 % protocol fee: 40,000 pays 39,000 net, 9,750 to a and 29,250 to b.
    expect(await settleAccepted(runAB, 40_000n)).toBe(1);
    expect((await stored(1)).royalties).toEqual(['a=9750', 'b=29250']);

    // Only c is paid: epoch 2 stores c alone (and c's votes leaf), yet its tree covers a, b and c.
    expect(await settleAccepted(runC, 10_000n)).toBe(2);
    const epoch2 = await stored(2);
    expect(epoch2.royalties).toEqual(['c=9750']);
    expect(epoch2.votes).toHaveLength(1);
    expect(await leaves(2)).toEqual(['a=9750', 'b=29250', 'c=9750']);
    expect(await verified(2)).toBe(true);

    // a and b are paid again: c is inherited from epoch 2, not stored.
    expect(await settleAccepted(runAB, 4_000n)).toBe(3);
    expect((await stored(3)).royalties).toEqual(['a=10725', 'b=32175']);
    expect(await leaves(3)).toEqual(['a=10725', 'b=32175', 'c=9750']);
    expect(await verified(3)).toBe(true);

    // Balances, proofs and votes read the leaves in force, not the rows of one epoch.
    const balance = (await t.http.get(`/contributors/${owners.c}/balances`).expect(200)).body.balances[0];
    expect(balance).toMatchObject({ earned: '9750', inCurrentRoot: '9750', claimable: '9750', pending: '0' });
    const proofs = (await t.http.get(`/contributors/${owners.c}/proofs`).expect(200)).body;
    expect(proofs).toMatchObject({ epoch: 3, claims: [expect.objectContaining({ cumulative: '9750' })] });
  });

  it('stores a 0 for a balance a rollback removed, and leaves it out of the tree and its streamed leaves', async () => {
    const snapshot: string = await send('evm_snapshot');
    await pay(runD, 20_000n);
    await t.tick(); // epoch 4 built on the payment to d
    expect((await stored(4)).royalties).toEqual(['d=19500']);

    // The chain loses the payment (and the proposal); epoch 4 is invalidated and epoch 5 rebuilt from what remains.
    const head = await t.chain.provider.getBlockNumber();
    await send('evm_revert', [snapshot]);
    await send('anvil_mine', [`0x${(head - (await t.chain.provider.getBlockNumber()) + 2).toString(16)}`]);
    await t.tick();
    await t.tick();
    const [latest] = (await t.http.get('/epochs?limit=1').expect(200)).body.items as { epoch: number }[];
    expect(latest.epoch).toBe(5);
    expect((await stored(5)).royalties).toEqual(['d=0']);
    expect(await leaves(5)).toEqual(['a=10725', 'b=32175', 'c=9750']);
    expect(await verified(5)).toBe(true);
  });
});
