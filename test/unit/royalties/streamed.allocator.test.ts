import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  allocatePayment,
  PaymentAllocator,
  RoyaltyError,
  RunAllocator,
  runEntryNodes,
  runPasses,
  streamPasses,
  type AllocatedBatch,
  type AllocationInput,
  type DatasetNode,
  type Passes,
  type RunEntryNode,
  type Share,
} from '@upstream/royalties';
import { addr, dagInputOf, id } from '../../support/royalty-arbitraries';

/** Up to 150 datasets: more than 64 entries takes the weight split's sort, not its max scan. */
const dagInput = dagInputOf(150);

/** The graph's datasets reached through parents from the entries: all a streamed allocation is given besides the entries. */
function ancestorsOf(input: AllocationInput): Map<string, DatasetNode> {
  const graph = new Map(Object.entries(input.datasets as Record<string, DatasetNode>));
  const out = new Map<string, DatasetNode>();
  const queue = input.entries.flatMap((e) => graph.get(e.datasetId)!.parents.map((p) => p.datasetId));
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (out.has(next)) continue;
    out.set(next, graph.get(next)!);
    queue.push(...graph.get(next)!.parents.map((p) => p.datasetId));
  }
  return out;
}

/** Reads the entries in batches of the given sizes (cycled), afresh for each pass; the weigh pass without datasets. */
const reader = (entries: readonly RunEntryNode[], sizes: readonly number[]) =>
  async function* read(pass: 'count' | 'weigh' | 'emit'): AsyncGenerator<RunEntryNode[]> {
    let at = 0;
    for (let k = 0; at < entries.length; k++) {
      const size = sizes[k % sizes.length];
      const batch = entries.slice(at, at + size);
      yield pass === 'weigh' ? batch.map((e) => ({ ...e, dataset: undefined })) : batch;
      at += size;
    }
  };

async function collect<T>(passes: Passes<T>, read: Parameters<typeof streamPasses>[1]): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of streamPasses(passes, read)) out.push(batch);
  return out;
}

const batchSizes = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 5 }).map((xs) => [...xs, 7]);

describe('allocation in passes over streamed entries', () => {
  it('gives the in-memory allocation: the same shares and flows in the same order, for any batching', async () => {
    await fc.assert(
      fc.asyncProperty(dagInput, batchSizes, async (input, sizes) => {
        const expected = allocate(input);
        const allocator = new RunAllocator({
          amount: input.amount,
          feeBps: input.feeBps,
          ancestors: ancestorsOf(input),
        });
        const batches: AllocatedBatch[] = await collect(
          allocator,
          reader(runEntryNodes(input.entries, input.datasets), sizes),
        );
        expect(batches.flatMap((b) => b.shares)).toEqual(expected.shares);
        expect(batches.flatMap((b) => b.datasets)).toEqual(expected.datasets);
        expect([allocator.fee, allocator.net]).toEqual([expected.fee, expected.net]);
      }),
      { numRuns: process.env.UPSTREAM_MUTATION_RUN ? 40 : 150 },
    );
  });

  it('runPasses over entries held in memory gives the same shares in batches of any size as in one', () => {
    fc.assert(
      fc.property(dagInput, fc.integer({ min: 1, max: 40 }), (input, size) => {
        const entries = runEntryNodes(input.entries, input.datasets);
        const passes = (batchSize?: number) => [
          ...runPasses(
            new RunAllocator({ amount: input.amount, feeBps: input.feeBps, ancestors: ancestorsOf(input) }),
            entries,
            batchSize,
          ),
        ];
        const batched = passes(size);
        expect(batched.flatMap((b) => b.shares)).toEqual(allocate(input).shares);
        expect(batched).toHaveLength(Math.ceil(entries.length / size) + 1);
        expect(passes()).toHaveLength(2);
      }),
      { numRuns: process.env.UPSTREAM_MUTATION_RUN ? 40 : 100 },
    );
  });

  it('gives the in-memory payment allocation, per-run fees merged in (summed where a pair repeats), each dataset in one batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        dagInput,
        batchSizes,
        fc.bigInt({ min: 0n, max: 10n ** 20n }),
        fc.array(fc.tuple(fc.nat(), fc.bigInt({ min: 1n, max: 10n ** 19n })), { maxLength: 3 }),
        async (input, sizes, extra, rawFees) => {
          const graph = input.datasets as Record<string, DatasetNode>;
          const ids = Object.keys(graph).sort();
          const seen = new Set<string>();
          const runFees = rawFees
            .map(([k, amount]) => ({ datasetId: ids[k % ids.length], amount }))
            .filter((f) => !seen.has(f.datasetId) && seen.add(f.datasetId));
          const amount = runFees.reduce((s, f) => s + f.amount, 0n) + extra;
          const net = amount - amount / 40n;
          const expected = allocatePayment({ amount, net, entries: input.entries, runFees, datasets: graph });
          // The fees' datasets and their ancestors, and the entries' ancestors: here, the whole graph.
          const datasets = new Map(Object.entries(graph));
          const allocator = new PaymentAllocator({ amount, net, runFees, datasets });
          const entries = allocator.readsEntries ? runEntryNodes(input.entries, graph) : [];
          const batches = await collect(allocator, reader(entries, sizes));
          const shares = batches.flat();
          expect(shares).toEqual(expected.shares);
          // Every share of a dataset in one batch (the dispute rule sums a dataset's shares).
          const batchOf = new Map<string, number>();
          batches.forEach((batch, k) =>
            batch.forEach((s) => {
              expect(batchOf.get(s.datasetId) ?? k).toBe(k);
              batchOf.set(s.datasetId, k);
            }),
          );
          expect(shares.reduce((s, x) => s + x.amount, 0n)).toBe(net);
        },
      ),
      { numRuns: process.env.UPSTREAM_MUTATION_RUN ? 40 : 150 },
    );
  });

  describe('refusals and misuse', () => {
    const node = (account: number, parents: DatasetNode['parents'] = []): DatasetNode => ({
      owners: [{ account: addr(account), shareBps: 10_000 }],
      parents,
    });
    const entry = (n: number, weight = 1n, dataset: DatasetNode | undefined = node(n)): RunEntryNode => ({
      datasetId: id(n),
      weight,
      dataset,
    });
    const run = (entries: RunEntryNode[], ancestors: Map<string, DatasetNode> = new Map()) =>
      collect(new RunAllocator({ amount: 1_000n, feeBps: 0, ancestors }), reader(entries, [2]));
    const refusal = async (entries: RunEntryNode[], ancestors?: Map<string, DatasetNode>) => {
      const error: unknown = await run(entries, ancestors).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RoyaltyError);
      return { code: (error as RoyaltyError).code, field: (error as RoyaltyError).field };
    };

    it('refuses an empty run, a repeated entry, a bad id, a zero weight, an unknown dataset, naming the entry by position', async () => {
      expect(await refusal([])).toEqual({ code: 'EMPTY_RUN', field: 'entries' });
      expect(await refusal([entry(1), entry(2), entry(2)])).toEqual({ code: 'DUPLICATE_ENTRY', field: 'entries' });
      expect(await refusal([entry(1), { ...entry(2), datasetId: '0x12' }])).toEqual({
        code: 'INVALID_DATASET_ID',
        field: 'entries[1].datasetId',
      });
      expect(await refusal([entry(1), entry(2), entry(3, 0n)])).toEqual({
        code: 'ZERO_WEIGHT',
        field: 'entries[2].weight',
      });
      expect(await refusal([entry(1), { ...entry(2), dataset: undefined }])).toEqual({
        code: 'UNKNOWN_DATASET',
        field: `datasets[${id(2)}]`,
      });
    });

    it('refuses an ancestor missing from `ancestors` and a lineage cycle through entries, before emitting anything', async () => {
      expect(await refusal([entry(1, 1n, node(1, [{ datasetId: id(9), upstreamBps: 100 }]))])).toEqual({
        code: 'UNKNOWN_DATASET',
        field: `datasets[${id(9)}]`,
      });
      const one = node(1, [{ datasetId: id(2), upstreamBps: 100 }]);
      const two = node(2, [{ datasetId: id(1), upstreamBps: 100 }]);
      expect(
        await refusal(
          [entry(1, 1n, one), entry(2, 1n, two), entry(3)],
          new Map([
            [id(1), one],
            [id(2), two],
          ]),
        ),
      ).toEqual({ code: 'LINEAGE_CYCLE', field: `datasets[${id(1)}].parents` });
    });

    it('gives an ancestor that is also an entry both what the run and its children pass up', async () => {
      const child = node(2, [{ datasetId: id(1), upstreamBps: 5_000 }]);
      const shares = (await run([entry(1), entry(2, 1n, child), entry(3)], new Map([[id(1), node(1)]]))).flatMap(
        (b) => b.shares,
      );
      // 1,000 over three entries of weight 1: 334 (the spare unit to the smallest id), 333, 333; 2 passes half up to 1.
      expect(shares.map((s: Share) => [s.account, s.amount])).toEqual([
        [addr(1), 334n + 167n],
        [addr(2), 166n],
        [addr(3), 333n],
      ]);
    });

    it('throws (a caller mistake, not a refusal) on entries out of order, entries that change between passes and passes out of turn', async () => {
      await expect(run([entry(2), entry(1)])).rejects.toThrow(/datasetId order/);
      const allocator = new RunAllocator({ amount: 10n, feeBps: 0, ancestors: new Map() });
      allocator.count([entry(1), entry(2)]);
      expect(() => allocator.weigh([entry(1)])).toThrow(/weigh called during count/);
      allocator.endCount();
      allocator.weigh([entry(1)]);
      expect(() => allocator.endWeigh()).toThrow(/changed between passes \(2 counted, 1 read\)/);
      const heavier = new RunAllocator({ amount: 10n, feeBps: 0, ancestors: new Map() });
      heavier.count([entry(1), entry(2)]);
      heavier.endCount();
      heavier.weigh([entry(1), entry(2, 2n)]);
      expect(() => heavier.endWeigh()).toThrow(/changed between passes/);
      const done = new RunAllocator({ amount: 10n, feeBps: 0, ancestors: new Map() });
      await collect(done, reader([entry(1)], [1]));
      expect(() => done.end()).toThrow(/emit called during done/);
    });
  });
});
