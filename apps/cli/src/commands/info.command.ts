import type { Command } from 'commander';
import { ApiClient, globalOptions, output } from '../cli-context';

export function registerInfoCommands(program: Command): void {
  program
    .command('info')
    .description('show the chain and contracts the API runs on')
    .action(async (_options, command: Command) => {
      const opts = globalOptions(command);
      const info = await new ApiClient(opts.api).call('getChain');
      output(opts, info, () =>
        [
          `chain id            ${info.chainId}`,
          `RoyaltySplitter     ${info.royaltySplitter}`,
          `ProvenanceRegistry  ${info.provenanceRegistry}`,
          `payment token       ${info.paymentToken ?? '-'}`,
        ].join('\n'),
      );
    });
}
