// Earnings per epoch and per dataset, from the public history and epochs: pure, so it is tested without a page.
import type { Epoch, HistoryItem } from '@upstream/api-contract';

/** Epochs whose root never settled anything: their payments wait for a later epoch. */
const NOT_SETTLING = new Set(['vetoed', 'withdrawn', 'failed', 'invalidated']);

export const NEXT_EPOCH = 'next epoch';

export interface EarningsSeries {
  token: string;
  /** x axis: "epoch 1", "epoch 2", …, and NEXT_EPOCH when something waits for one. */
  labels: string[];
  /** One row per dataset (content root), an amount per label, in smallest token units. */
  datasets: { datasetId: string; amounts: bigint[] }[];
  total: bigint;
}

/**
 * Splits one token's ledger entries by the epoch that first settled them and by dataset. An epoch settles the
 * payments indexed up to its basis block, so an entry belongs to the lowest-numbered epoch that settled
 * something and whose basis block is at or after the entry's block; entries past every such epoch wait for
 * the next one.
 */
export function earningsSeries(items: readonly HistoryItem[], epochs: readonly Epoch[], token: string): EarningsSeries {
  const settling = epochs
    .filter((e) => !NOT_SETTLING.has(e.status) && e.basisBlock !== null)
    .sort((a, b) => a.epoch - b.epoch);
  const mine = items.filter((i) => i.token.toLowerCase() === token.toLowerCase());
  const epochOf = (block: number): string => {
    const found = settling.find((e) => (e.basisBlock as number) >= block);
    return found ? `epoch ${found.epoch}` : NEXT_EPOCH;
  };
  const byLabel = new Map<string, Map<string, bigint>>();
  let total = 0n;
  for (const item of mine) {
    const label = epochOf(item.blockNumber);
    const row = byLabel.get(label) ?? new Map<string, bigint>();
    row.set(item.datasetId, (row.get(item.datasetId) ?? 0n) + BigInt(item.amount));
    byLabel.set(label, row);
    total += BigInt(item.amount);
  }
  const labels = [
    ...settling.map((e) => `epoch ${e.epoch}`).filter((l) => byLabel.has(l)),
    ...(byLabel.has(NEXT_EPOCH) ? [NEXT_EPOCH] : []),
  ];
  const datasetIds = [...new Set(mine.map((i) => i.datasetId))].sort();
  return {
    token,
    labels,
    datasets: datasetIds.map((datasetId) => ({
      datasetId,
      amounts: labels.map((l) => byLabel.get(l)?.get(datasetId) ?? 0n),
    })),
    total,
  };
}
