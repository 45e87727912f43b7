import type { Command } from 'commander';
import { takedownTypedData } from '@upstream/provenance';
import { apiClient, globalOptions, loadSigner, output } from '../cli-context';
import { eip712Domain, freshNonce } from './license.command';

/**
 * `takedown`, `overlaps` and `similar`: an owner withdrawing a dataset version, who shares files with a
 * dataset, and which datasets are near-duplicates of it.
 */
export function registerIntegrityCommands(program: Command): void {
  program
    .command('takedown <datasetId>')
    .description(
      'withdraw a dataset version you own (uuid or content root) with a signed EIP-712 Takedown: no new licenses, no more deliveries; runs that used it keep their record and royalties',
    )
    .requiredOption('--reason <text>', 'why (signed, and shown on the dataset and in every refusal)')
    .option('--delete-bytes', 'also delete its bytes from the blob store (those no other live dataset holds)')
    .option('--keystore <file>', 'encrypted JSON keystore (password in UPSTREAM_KEYSTORE_PASSWORD)')
    .action(
      async (
        datasetRef: string,
        options: { reason: string; deleteBytes?: boolean; keystore?: string },
        command: Command,
      ) => {
        const opts = globalOptions(command);
        const api = apiClient(opts.api, options);
        const wallet = await loadSigner(options);
        const dataset = await api.call('getDataset', { params: { id: datasetRef } });
        const message = {
          datasetId: dataset.contentRoot,
          reason: options.reason,
          deleteBytes: options.deleteBytes ?? false,
          nonce: freshNonce(),
          deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
        };
        const td = takedownTypedData(await eip712Domain(api), message);
        const signature = await wallet.signTypedData(td.domain, td.types, td.message);
        const takedown = await api.call('takeDownDataset', {
          params: { id: dataset.id },
          body: {
            reason: message.reason,
            deleteBytes: message.deleteBytes,
            signer: wallet.address,
            nonce: message.nonce.toString(),
            deadline: Number(message.deadline),
            signature,
          },
        });
        output(opts, takedown, () =>
          [
            `dataset ${takedown.datasetId} taken down at ${takedown.takenDownAt}`,
            `reason  ${takedown.reason}`,
            takedown.bytesDeletedAt
              ? `bytes   ${takedown.blobsDeleted} blob(s) deleted at ${takedown.bytesDeletedAt}; ${takedown.blobsKept} kept (held by other live datasets)`
              : 'bytes   kept (not delivered)',
          ].join('\n'),
        );
      },
    );

  program
    .command('overlaps <datasetId>')
    .description('datasets sharing files (by SHA-256) with this one: those it overlapped when registered, or --later')
    .option('--later', 'datasets registered since that overlap it')
    .option('--limit <n>', 'how many', '100')
    .action(async (datasetRef: string, options: { later?: boolean; limit: string }, command: Command) => {
      const opts = globalOptions(command);
      const page = await apiClient(opts.api).call('listDatasetOverlaps', {
        params: { id: datasetRef },
        query: { direction: options.later ? 'later' : 'earlier', limit: Number(options.limit) },
      });
      output(opts, page, () =>
        page.items.length === 0
          ? `no ${page.direction} overlaps`
          : page.items
              .map(
                (o) =>
                  `${o.datasetId}  ${o.relation.padEnd(10)} ${o.sharedFiles} file(s), ${o.sharedBytes} bytes (${Math.round(o.fraction * 1000) / 10} %)  ${o.title}`,
              )
              .join('\n'),
      );
    });

  program
    .command('similar <datasetId>')
    .description(
      'near-duplicate datasets (MinHash of text, perceptual hash of images) with their estimated similarity: those it resembles, or --later',
    )
    .option('--later', 'datasets registered since that resemble it')
    .option('--limit <n>', 'how many', '100')
    .action(async (datasetRef: string, options: { later?: boolean; limit: string }, command: Command) => {
      const opts = globalOptions(command);
      const page = await apiClient(opts.api).call('listSimilarDatasets', {
        params: { id: datasetRef },
        query: { direction: options.later ? 'later' : 'earlier', limit: Number(options.limit) },
      });
      output(opts, page, () => {
        if (page.status === 'no-bytes') return 'registered by hashes alone: no bytes here to compare';
        if (page.status === 'pending')
          return 'not compared yet: the worker reads its bytes after upload (try again shortly)';
        const head = `compared ${page.signedFiles} text/image file(s), ${page.signedBytes} bytes, at ${page.checkedAt}; flagged at similarity ≥ ${page.threshold}`;
        if (page.items.length === 0) return `${head}\nno ${page.direction} near-duplicates`;
        return [
          head,
          ...page.items.map(
            (s) =>
              `${s.datasetId}  ${(Math.round(s.similarity * 1000) / 10).toFixed(1).padStart(5)} %  ${s.relation.padEnd(10)} ${s.matchedFiles} file(s)  ${s.title}`,
          ),
        ].join('\n');
      });
    });
}
