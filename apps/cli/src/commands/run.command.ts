import { readFile } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { keccak256, toUtf8Bytes } from 'ethers';
import { buildRunEntriesTree, trainingRunTypedData } from '@upstream/provenance';
import { apiClient, ApiClient, globalOptions, loadSigner, output } from '../cli-context';
import { registerAuditCommands } from './audit.command';
import { DEFAULT_RPC, eip712Domain, freshNonce, payWith, registerLicenseCommands } from './license.command';

/**
 * What `upstream run record` reads. Times are unix seconds or ISO dates; weights decimal strings or integers;
 * datasets by content root or uuid.
 */
export interface ManifestFile {
  modelName: string;
  modelHash: string;
  runRef?: string;
  weightUnit: 'tokens' | 'bytes' | 'samples';
  startedAt: number | string;
  endedAt: number | string;
  entries: { datasetId: string; weight: string | number }[];
}

const CHUNK = 50_000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const seconds = (value: number | string, field: string): number => {
  const s = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value) / 1000;
  if (!Number.isSafeInteger(Math.floor(s)) || s < 0)
    throw new Error(`manifest ${field} must be unix seconds or an ISO date`);
  return Math.floor(s);
};

function entriesProgress(total: number, enabled: boolean) {
  if (!enabled || !process.stderr.isTTY) return { update: (_n: number) => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'entries   {bar} {percentage}% | {value}/{total} | ETA {eta_formatted}',
    hideCursor: true,
  });
  bar.start(total, 0);
  return { update: (n: number) => bar.update(n), stop: () => bar.stop() };
}

/** `upstream run record|pay`, plus `upstream license`, `upstream provenance` and `upstream runs`. */
export function registerRunCommands(program: Command): void {
  registerLicenseCommands(program);
  registerAuditCommands(program);
  const run = program.command('run').description('record a training run manifest and pay its royalties');

  run
    .command('record <manifest>')
    .description(
      'sign a run manifest (JSON: modelName, modelHash, runRef?, weightUnit, startedAt, endedAt, entries[{datasetId (content root or uuid), weight}]) and upload it',
    )
    .option('--nonce <n>', 'manifest nonce (default: random)')
    .option('--keystore <file>', 'encrypted JSON keystore (password in UPSTREAM_KEYSTORE_PASSWORD)')
    .action(async (file: string, options: { nonce?: string; keystore?: string }, command: Command) => {
      const opts = globalOptions(command);
      const api = apiClient(opts.api, options);
      const wallet = await loadSigner(options);
      const manifest = JSON.parse(await readFile(file, 'utf8')) as ManifestFile;
      if (!Array.isArray(manifest.entries) || manifest.entries.length === 0)
        throw new Error('manifest entries must be a non-empty list');
      const entries = await Promise.all(
        manifest.entries.map(async (e, i) => {
          if (!/^\d+$/.test(String(e.weight)))
            throw new Error(`manifest entries[${i}].weight must be a positive integer`);
          // A dataset may be named by uuid, as everywhere; the signed tree holds its content root.
          const datasetId = UUID_RE.test(String(e.datasetId))
            ? (await api.call('getDataset', { params: { id: String(e.datasetId) } })).contentRoot
            : String(e.datasetId);
          // buildRunEntriesTree checks and lowercases each datasetId (the tree's hashing rule); chunks are sent from its entries.
          return { datasetId, weight: BigInt(e.weight) };
        }),
      );
      const tree = await buildRunEntriesTree(entries);
      const startedAt = seconds(manifest.startedAt, 'startedAt');
      const endedAt = seconds(manifest.endedAt, 'endedAt');
      const message = {
        runRef:
          manifest.runRef ??
          keccak256(toUtf8Bytes(`${manifest.modelName}|${manifest.modelHash}|${startedAt}|${endedAt}`)),
        modelName: manifest.modelName,
        modelHash: manifest.modelHash,
        entriesRoot: tree.root,
        entryCount: BigInt(entries.length),
        weightUnit: manifest.weightUnit,
        startedAt: BigInt(startedAt),
        endedAt: BigInt(endedAt),
        nonce: options.nonce ? BigInt(options.nonce) : freshNonce(),
        deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
      };
      const td = trainingRunTypedData(await eip712Domain(api), message);
      const signature = await wallet.signTypedData(td.domain, td.types, td.message);
      const chunk = (offset: number) =>
        tree.entries
          .slice(offset, offset + CHUNK)
          .map((e) => ({ datasetId: e.datasetId, weight: e.weight.toString() }));
      const progress = entriesProgress(entries.length, !opts.json);
      let upload = await api.call('createRun', {
        body: {
          ...message,
          lab: wallet.address,
          entryCount: entries.length,
          startedAt,
          endedAt,
          nonce: message.nonce.toString(),
          deadline: Number(message.deadline),
          signature,
          entries: chunk(0),
        },
      });
      progress.update(upload.received);
      try {
        for (
          let offset = upload.received;
          upload.status === 'open' && offset < entries.length;
          offset = upload.received
        ) {
          upload = await api.call('addRunEntries', {
            params: { id: upload.id },
            body: { offset, entries: chunk(offset) },
          });
          progress.update(upload.received);
        }
        if (upload.status === 'open') upload = await api.call('commitRun', { params: { id: upload.id } });
      } finally {
        progress.stop();
      }
      output(opts, upload, () =>
        [
          `run recorded: ${upload.id}`,
          `runId        ${upload.runId}   (pay with: upstream run pay ${upload.runId} --amount <units>)`,
          `entries      ${upload.entryCount}, total weight ${upload.run?.totalWeight} ${manifest.weightUnit}`,
          `entriesRoot  ${upload.run?.entriesRoot}`,
          `anchor       ${upload.run?.anchor.state}`,
        ].join('\n'),
      );
    });

  run
    .command('pay <runId>')
    .description('pay royalties for a run: ERC-20 approve + RoyaltySplitter.payRun(runId, token, amount)')
    .requiredOption('--amount <units>', 'amount in the token’s smallest units')
    .option('--token <address>', 'ERC-20 token (default: the deployment’s PaymentToken)')
    .option('--rpc <url>', 'JSON-RPC endpoint (UPSTREAM_RPC_URL)', DEFAULT_RPC)
    .option('--keystore <file>', 'encrypted JSON keystore (password in UPSTREAM_KEYSTORE_PASSWORD)')
    .action(
      async (
        runId: string,
        options: { amount: string; token?: string; rpc: string; keystore?: string },
        command: Command,
      ) => {
        const opts = globalOptions(command);
        const api = new ApiClient(opts.api);
        const wallet = await loadSigner(options, options.rpc);
        const payment = await api.call('getRunPayment', {
          params: { id: runId },
          query: { amount: options.amount, token: options.token },
        });
        const txs = await payWith(wallet, payment);
        output(opts, { ...payment, ...txs }, () =>
          [
            `paid ${payment.amount} of ${payment.token} for run ${payment.runId}`,
            `approve ${txs.approveTx}`,
            `payRun  ${txs.payTx}`,
          ].join('\n'),
        );
      },
    );
}
