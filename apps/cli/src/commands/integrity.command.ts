import type { Command } from 'commander';
import { takedownTypedData } from '@upstream/provenance';
import { apiClient, globalOptions, loadSigner, output } from '../cli-context';
import { eip712Domain, freshNonce } from './license.command';

/** `takedown` and `overlaps`: an owner withdrawing a dataset version, and who shares files with a dataset. */
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
}
