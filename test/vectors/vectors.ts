// Known-answer vectors shared by the unit and property tests (and cited by docs/reference/allocation.md and merkle-leaves.md): the JSON is
// the source of truth, with the hand arithmetic in each `why`; this file only decodes it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Allocation, AllocationInput, DatasetNode } from '@upstream/royalties';

/** A list in the JSON: literal, `{ repeat: [value, times] }` or `{ concat: [list, …] }`. */
type ListSpec = string[] | { repeat: [string, number] } | { concat: ListSpec[] };

function expand(spec: ListSpec): string[] {
  if (Array.isArray(spec)) return spec;
  if ('repeat' in spec) return Array.from({ length: spec.repeat[1] }, () => spec.repeat[0]);
  return spec.concat.flatMap(expand);
}

interface RawAllocationVector {
  name: string;
  why: string;
  input: {
    amount: string;
    feeBps: number;
    entries: { datasetId: string; weight: string }[];
    datasets: Record<string, DatasetNode>;
  };
  fee: string;
  net: string;
  shares: { datasetId: string; account: string; amount: string }[];
  byAccount: { account: string; amount: string }[];
  datasets: { datasetId: string; fromRun: string; fromChildren: string; toParents: string; toOwners: string }[];
}

interface RawVectors {
  splitLargestRemainder: { total: string; weights: ListSpec; parts: ListSpec; why: string }[];
  splitBps: { total: string; bps: number[]; parts: string[]; why: string }[];
  allocate: RawAllocationVector[];
}

const raw = JSON.parse(readFileSync(join(__dirname, 'allocation.vectors.json'), 'utf8')) as RawVectors;

export const splitVectors = raw.splitLargestRemainder.map((v) => ({
  total: BigInt(v.total),
  weights: expand(v.weights).map(BigInt),
  parts: expand(v.parts).map(BigInt),
  why: v.why,
}));

export const bpsVectors = raw.splitBps.map((v) => ({
  total: BigInt(v.total),
  bps: v.bps,
  parts: v.parts.map(BigInt),
  why: v.why,
}));

export const allocationVectors: { name: string; why: string; input: AllocationInput; expected: Allocation }[] =
  raw.allocate.map((v) => ({
    name: v.name,
    why: v.why,
    input: {
      amount: BigInt(v.input.amount),
      feeBps: v.input.feeBps,
      entries: v.input.entries.map((e) => ({ datasetId: e.datasetId, weight: BigInt(e.weight) })),
      datasets: v.input.datasets,
    },
    expected: {
      amount: BigInt(v.input.amount),
      fee: BigInt(v.fee),
      net: BigInt(v.net),
      shares: v.shares.map((s) => ({ account: s.account, amount: BigInt(s.amount), datasetId: s.datasetId })),
      byAccount: v.byAccount.map((a) => ({ account: a.account, amount: BigInt(a.amount) })),
      datasets: v.datasets.map((d) => ({
        datasetId: d.datasetId,
        fromRun: BigInt(d.fromRun),
        fromChildren: BigInt(d.fromChildren),
        toParents: BigInt(d.toParents),
        toOwners: BigInt(d.toOwners),
      })),
    },
  }));

/** A string in the JSON: literal, `{ repeat: [text, times] }` or `{ concat: [part, …] }`. */
type TextSpec = string | { repeat: [string, number] } | { concat: TextSpec[] };

function text(spec: TextSpec): string {
  if (typeof spec === 'string') return spec;
  if ('repeat' in spec) return spec.repeat[0].repeat(spec.repeat[1]);
  return spec.concat.map(text).join('');
}

interface RawProvenanceVectors {
  paths: {
    accepted: { input: TextSpec; output: TextSpec; why: string }[];
    refused: { input: TextSpec; reason: string; why: string }[];
  };
  contentRoots: {
    why: string;
    files: { path: string; size: string; sha256: string }[];
    root: string;
    proofs: Record<string, string[]>;
  }[];
}

const provenance = JSON.parse(readFileSync(join(__dirname, 'provenance.vectors.json'), 'utf8')) as RawProvenanceVectors;

/** normalizeEntryPath: what it returns for each accepted input. */
export const acceptedPathVectors = provenance.paths.accepted.map((v) => ({
  input: text(v.input),
  output: text(v.output),
  why: v.why,
}));

/** normalizeEntryPath: the reason it refuses each input with (INVALID_PATH, field path). */
export const refusedPathVectors = provenance.paths.refused.map((v) => ({
  input: text(v.input),
  reason: v.reason,
  why: v.why,
}));

/** Content roots and proofs of small datasets, as OpenZeppelin's StandardMerkleTree computes them. */
export const contentRootVectors = provenance.contentRoots.map((v) => ({
  why: v.why,
  files: v.files.map((f) => ({ path: f.path, size: BigInt(f.size), sha256: f.sha256 })),
  root: v.root,
  proofs: v.proofs,
}));
