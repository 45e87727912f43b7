// What a lab signs and sends from its wallet: the EIP-712 LicenseAcceptance and TrainingRun messages
// (built by @upstream/provenance, as the CLI builds them).
// Loaded with the first lab action, not with the catalogue.
import '../polyfills';
import { BrowserProvider, keccak256, toUtf8Bytes } from 'ethers';
import type { CreateLicenseRequest, CreateRunRequest, RunEntryBody } from '@upstream/api-contract';
import {
  buildRunEntriesTree,
  licenseAcceptanceTypedData,
  trainingRunTypedData,
  validateTrainingRun,
  type UpstreamDomain,
} from '@upstream/provenance';
import type { Eip1193Provider } from '../wallet/eip6963';
import type { CheckedManifest, FieldProblem } from './manifest';

const freshNonce = (): bigint =>
  BigInt(
    '0x' + Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''),
  );
const inAnHour = (): bigint => BigInt(Math.floor(Date.now() / 1000) + 3600);

/** The wallet signs the dataset's current terms: the body of POST /licenses. */
export async function signLicense(
  provider: Eip1193Provider,
  account: string,
  domain: UpstreamDomain,
  dataset: { contentRoot: string; termsHash: string },
): Promise<CreateLicenseRequest> {
  const message = {
    datasetId: dataset.contentRoot,
    termsHash: dataset.termsHash,
    licensee: account,
    nonce: freshNonce(),
    deadline: inAnHour(),
  };
  const td = licenseAcceptanceTypedData(domain, message);
  const signer = await new BrowserProvider(provider).getSigner(account);
  const signature = await signer.signTypedData(td.domain, td.types, td.message);
  return { ...message, nonce: message.nonce.toString(), deadline: Number(message.deadline), signature };
}

/** A manifest built into what the lab signs: its entries tree's root and the TrainingRun message. */
export interface PreparedRun {
  entriesRoot: string;
  totalWeight: bigint;
  entries: RunEntryBody[];
  message: Omit<CreateRunRequest, 'lab' | 'signature' | 'entries'>;
}

/**
 * Builds the run's entries tree with the libs (the server checks the same root) and the TrainingRun message;
 * refusals name their field, as the API would. `entries` carry content roots.
 */
export async function prepareRun(
  manifest: CheckedManifest & { entries: { datasetId: string; weight: bigint }[] },
): Promise<{ run: PreparedRun | null; problems: FieldProblem[] }> {
  let tree;
  try {
    tree = await buildRunEntriesTree(manifest.entries);
  } catch (e) {
    const field = (e as { field?: string }).field ?? 'entries';
    return { run: null, problems: [{ field, reason: (e as Error).message }] };
  }
  const runRef =
    manifest.runRef ??
    keccak256(toUtf8Bytes(`${manifest.modelName}|${manifest.modelHash}|${manifest.startedAt}|${manifest.endedAt}`));
  const signed = {
    runRef,
    modelName: manifest.modelName,
    modelHash: manifest.modelHash,
    entriesRoot: tree.root,
    entryCount: BigInt(tree.entries.length),
    weightUnit: manifest.weightUnit,
    startedAt: BigInt(manifest.startedAt),
    endedAt: BigInt(manifest.endedAt),
    nonce: freshNonce(),
    deadline: inAnHour(),
  };
  const problems = validateTrainingRun(signed);
  if (problems.length > 0) return { run: null, problems };
  return {
    run: {
      entriesRoot: tree.root,
      totalWeight: tree.totalWeight,
      entries: tree.entries.map((e) => ({ datasetId: e.datasetId, weight: e.weight.toString() })),
      message: {
        runRef,
        modelName: signed.modelName,
        modelHash: signed.modelHash,
        entriesRoot: signed.entriesRoot,
        entryCount: tree.entries.length,
        weightUnit: signed.weightUnit,
        startedAt: manifest.startedAt,
        endedAt: manifest.endedAt,
        nonce: signed.nonce.toString(),
        deadline: Number(signed.deadline),
      },
    },
    problems: [],
  };
}

/** The wallet signs the TrainingRun manifest (EIP-712): its signature for POST /runs. */
export async function signRun(
  provider: Eip1193Provider,
  account: string,
  domain: UpstreamDomain,
  run: PreparedRun,
): Promise<string> {
  const m = run.message;
  const td = trainingRunTypedData(domain, {
    runRef: m.runRef,
    modelName: m.modelName,
    modelHash: m.modelHash,
    entriesRoot: m.entriesRoot,
    entryCount: BigInt(m.entryCount),
    weightUnit: m.weightUnit,
    startedAt: BigInt(m.startedAt),
    endedAt: BigInt(m.endedAt),
    nonce: BigInt(m.nonce),
    deadline: BigInt(m.deadline),
  });
  const signer = await new BrowserProvider(provider).getSigner(account);
  return signer.signTypedData(td.domain, td.types, td.message);
}
