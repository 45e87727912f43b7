import { describe, expect, it } from 'vitest';
import type { Epoch, HistoryItem } from '@upstream/api-contract';
import { earningsSeries, NEXT_EPOCH } from '../../../apps/web/src/earnings/earnings-series';

const TOKEN = '0x' + 'aa'.repeat(20);
const OTHER = '0x' + 'bb'.repeat(20);
const A = '0x' + '0a'.repeat(32);
const B = '0x' + '0b'.repeat(32);

const item = (datasetId: string, amount: bigint, blockNumber: number, token = TOKEN): HistoryItem => ({
  paymentId: `${blockNumber}`,
  runId: '0x' + '11'.repeat(32),
  source: 'run',
  datasetId,
  token,
  amount: amount.toString(),
  txHash: '0x' + '22'.repeat(32),
  blockNumber,
  paidAt: '2026-11-30T00:00:00Z',
});
const epoch = (n: number, status: string, basisBlock: number | null): Epoch =>
  ({ epoch: n, status, basisBlock }) as Epoch;

// The earnings chart puts each ledger entry in the epoch that first settled it, and per dataset.
describe('web app: earnings per epoch and dataset', () => {
  it('puts an entry in the first settling epoch whose basis block covers it, the rest in the next epoch', () => {
    const items = [item(A, 5n, 10), item(B, 7n, 10), item(A, 3n, 25), item(A, 100n, 40), item(B, 1n, 10, OTHER)];
    // Epoch 2 was vetoed: what it held waits for epoch 3.
    const epochs = [epoch(3, 'accepted', 30), epoch(1, 'superseded', 12), epoch(2, 'vetoed', 28)];
    const series = earningsSeries(items, epochs, TOKEN);
    expect(series.labels).toEqual(['epoch 1', 'epoch 3', NEXT_EPOCH]);
    expect(series.datasets).toEqual([
      { datasetId: A, amounts: [5n, 3n, 100n] },
      { datasetId: B, amounts: [7n, 0n, 0n] },
    ]);
    expect(series.total).toBe(115n);
  });

  it('sums exactly: every entry of the token is counted once', () => {
    const items = Array.from({ length: 200 }, (_, i) => item(i % 2 ? A : B, BigInt(i) * 10n ** 30n, i));
    const series = earningsSeries(items, [epoch(1, 'accepted', 50), epoch(2, 'proposed', 120)], TOKEN);
    const charted = series.datasets.flatMap((d) => d.amounts).reduce((s, a) => s + a, 0n);
    expect(charted).toBe(items.reduce((s, i) => s + BigInt(i.amount), 0n));
    expect(series.labels).toEqual(['epoch 1', 'epoch 2', NEXT_EPOCH]);
  });

  it('has no bars for a token without entries, and no epoch column without entries', () => {
    expect(earningsSeries([item(A, 1n, 5)], [epoch(1, 'accepted', 9), epoch(2, 'accepted', 20)], OTHER)).toEqual({
      token: OTHER,
      labels: [],
      datasets: [],
      total: 0n,
    });
    expect(earningsSeries([item(A, 1n, 5)], [epoch(1, 'accepted', 9), epoch(2, 'accepted', 20)], TOKEN).labels).toEqual(
      ['epoch 1'],
    );
  });
});
