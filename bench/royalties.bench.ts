// Royalty benchmarks: one payment over a 1,000,000-entry run, a 1,000,000-account epoch
// tree, and StandardMerkleTree.of on 100,000 of the same leaves. Prints one JSON object.
import { writeBenchResult } from './support/results';
import { fork } from 'node:child_process';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import {
  allocate,
  cumulativeLeaves,
  EPOCH_LEAF_TYPES,
  type CumulativeBalance,
  type DatasetNode,
  type RunEntryWeight,
} from '@upstream/royalties';

const RUN_ENTRIES = 1_000_000;
const BASE_DATASETS = 10_000;
const TREE_ACCOUNTS = 1_000_000;
const OZ_LEAVES = 100_000;
const CHAIN_ID = 31337n;
const SPLITTER = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512';
const TOKEN = '0x5fbdb2315678afecb367f032d93f642f64180aa3';

const id = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const addr = (n: number) => '0x' + (n * 2654435761).toString(16).padStart(40, '0');
const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/** xorshift32: reproducible inputs across runs. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function runInput(): { entries: RunEntryWeight[]; datasets: Map<string, DatasetNode> } {
  const random = rng(42);
  const datasets = new Map<string, DatasetNode>();
  const shares = [[10_000], [6_000, 4_000], [5_000, 3_000, 2_000]];
  const owners = (seed: number) =>
    shares[Math.floor(random() * 3)].map((shareBps, k) => ({ account: addr(seed * 3 + k + 1), shareBps }));
  for (let b = 0; b < BASE_DATASETS; b++)
    datasets.set(id(RUN_ENTRIES + b + 1), { owners: owners(RUN_ENTRIES + b), parents: [] });
  const entries: RunEntryWeight[] = new Array(RUN_ENTRIES);
  for (let i = 0; i < RUN_ENTRIES; i++) {
    const parents =
      random() < 0.2
        ? [
            {
              datasetId: id(RUN_ENTRIES + 1 + Math.floor(random() * BASE_DATASETS)),
              upstreamBps: 500 + Math.floor(random() * 2000),
            },
          ]
        : [];
    datasets.set(id(i + 1), { owners: owners(i), parents });
    entries[i] = { datasetId: id(i + 1), weight: BigInt(1 + Math.floor(random() * 5_000_000)) };
  }
  return { entries, datasets };
}

function balances(count: number): CumulativeBalance[] {
  const random = rng(7);
  return Array.from({ length: count }, (_, i) => ({
    account: addr(i + 1),
    token: TOKEN,
    cumulative: BigInt(Math.floor(random() * 1e15)) * 1_000_003n,
  }));
}

type Part = 'allocate' | 'tree' | 'oz';

async function measure(part: Part): Promise<Record<string, unknown>> {
  if (part === 'allocate') {
    const { entries, datasets } = runInput();
    const amount = 10n ** 27n + 7n;
    const started = performance.now();
    const result = allocate({ amount, feeBps: 250, entries, datasets });
    const seconds = (performance.now() - started) / 1000;
    const exact = result.fee + result.shares.reduce((s, x) => s + x.amount, 0n) === amount;
    return {
      seconds,
      peakRssMiB: mib(process.resourceUsage().maxRSS),
      entries: RUN_ENTRIES,
      shares: result.shares.length,
      accounts: result.byAccount.length,
      exact,
    };
  }
  if (part === 'tree') {
    const rows = balances(TREE_ACCOUNTS);
    const started = performance.now();
    const tree = await cumulativeLeaves(CHAIN_ID, SPLITTER, rows);
    const seconds = (performance.now() - started) / 1000;
    const subset = await cumulativeLeaves(CHAIN_ID, SPLITTER, rows.slice(0, OZ_LEAVES));
    return {
      seconds,
      peakRssMiB: mib(process.resourceUsage().maxRSS),
      leaves: tree.length,
      root: tree.root,
      root100k: subset.root,
    };
  }
  const rows = balances(OZ_LEAVES).map((b) => [CHAIN_ID, SPLITTER, b.token, b.account, b.cumulative]);
  const started = performance.now();
  const tree = StandardMerkleTree.of(rows, [...EPOCH_LEAF_TYPES]);
  return {
    seconds: (performance.now() - started) / 1000,
    peakRssMiB: mib(process.resourceUsage().maxRSS),
    root: tree.root,
  };
}

/** Each part in its own process so each peak RSS is its own. */
function inChild(part: Part): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--part', part], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m) => resolve(m as Record<string, unknown>));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`${part} bench exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const partArg = process.argv.indexOf('--part');
  if (partArg >= 0) {
    const result = await measure(process.argv[partArg + 1] as Part);
    process.send!(result, () => process.exit(0));
    return;
  }
  const allocation = await inChild('allocate');
  const tree = await inChild('tree');
  const oz = await inChild('oz');
  const treeSeconds = tree.seconds as number;
  const ozSeconds = oz.seconds as number;
  const result = {
    machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
    allocate1M: {
      seconds: round(allocation.seconds as number),
      peakRssMiB: allocation.peakRssMiB,
      entries: allocation.entries,
      shares: allocation.shares,
      accounts: allocation.accounts,
      exact: allocation.exact,
    },
    tree1M: { seconds: round(treeSeconds), peakRssMiB: tree.peakRssMiB, leaves: tree.leaves },
    openZeppelin100k: { seconds: round(ozSeconds), peakRssMiB: oz.peakRssMiB },
    rootsMatch: tree.root100k === oz.root,
    speedupVsOpenZeppelin: round(ozSeconds / OZ_LEAVES / (treeSeconds / TREE_ACCOUNTS)),
    targets: { tree1MSecondsMax: 10, speedupMin: 20 },
  };
  writeBenchResult('royalties', result);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
