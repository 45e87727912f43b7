import type { Command } from 'commander';
import type { RunPaymentTotal, RunProvenance } from '@upstream/api-contract';
import { ApiClient, globalOptions, output } from '../cli-context';

const paidText = (paid: RunPaymentTotal[]) =>
  paid.length === 0 ? 'unpaid' : paid.map((p) => `${p.amount} (net ${p.net}) of ${p.token}`).join(', ');

function provenanceText(p: RunProvenance): string {
  const { run } = p;
  const lines = [
    `run ${run.runId}  model ${run.modelName} ${run.modelHash}`,
    `lab ${run.lab}  ${run.entryCount} datasets, ${run.totalWeight} ${run.weightUnit}  paid: ${paidText(run.paid)}`,
    `anchor ${run.anchor.state}${run.anchor.anchor ? ` in tx ${run.anchor.anchor.txHash}` : ''}`,
  ];
  for (const e of p.entries) {
    const owners = e.owners.map((o) => `${o.account} ${o.shareBps / 100}%`).join(', ');
    const license = e.licenses[0] ? `${e.licenses[0].status} license ${e.licenses[0].id}` : 'no license';
    lines.push(`  ${e.datasetId}  ${e.weight.padStart(12)}  ${e.title}  [${owners}]  ${license}`);
  }
  if (p.entries.length < p.total) lines.push(`  … ${p.total - p.entries.length} more (use --limit/--offset or --json)`);
  return lines.join('\n');
}

/** `upstream provenance` and `upstream runs`: the public audit views. */
export function registerAuditCommands(program: Command): void {
  program
    .command('provenance')
    .description(
      'which data trained a model (--model <hash>) or a run (--run <id>): datasets, weights, owners, licenses, proofs',
    )
    .option('--model <hash>', 'model / checkpoint hash (bytes32)')
    .option('--run <id>', 'run id (uuid) or runId (bytes32)')
    .option('--croissant', 'print the run’s dataset list as Croissant JSON-LD (with --run)')
    .option('--limit <n>', 'entries per run', '100')
    .option('--offset <n>', 'first entry (with --run)', '0')
    .action(
      async (
        options: { model?: string; run?: string; croissant?: boolean; limit: string; offset: string },
        command: Command,
      ) => {
        const opts = globalOptions(command);
        const api = new ApiClient(opts.api);
        if (!!options.model === !!options.run) throw new Error('give exactly one of --model <hash> or --run <id>');
        if (options.croissant) {
          if (!options.run) throw new Error('--croissant needs --run <id>');
          const doc = await api.call('getRunCroissant', {
            params: { id: options.run },
            query: { limit: options.limit, offset: options.offset },
          });
          process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
          return;
        }
        if (options.run) {
          const p = await api.call('getRunProvenance', {
            params: { id: options.run },
            query: { limit: options.limit, offset: options.offset },
          });
          output(opts, p, () => provenanceText(p));
        } else {
          const m = await api.call('getModelProvenance', {
            params: { modelHash: options.model! },
            query: { limit: options.limit },
          });
          output(opts, m, () =>
            m.runs.length === 0 ? `no run recorded for model ${m.modelHash}` : m.runs.map(provenanceText).join('\n\n'),
          );
        }
      },
    );

  program
    .command('runs')
    .description(
      'which runs used a dataset (--dataset <id>) or a contributor’s datasets (--contributor <address>), and what the labs paid',
    )
    .option('--dataset <id>', 'dataset uuid or content root')
    .option('--contributor <address>', 'owner address')
    .option('--limit <n>', 'rows', '100')
    .option('--offset <n>', 'first row', '0')
    .action(
      async (options: { dataset?: string; contributor?: string; limit: string; offset: string }, command: Command) => {
        const opts = globalOptions(command);
        if (!!options.dataset === !!options.contributor)
          throw new Error('give exactly one of --dataset <id> or --contributor <address>');
        const api = new ApiClient(opts.api);
        const query = { limit: options.limit, offset: options.offset };
        const res = options.dataset
          ? await api.call('listDatasetRuns', { params: { id: options.dataset }, query })
          : await api.call('listContributorRuns', { params: { address: options.contributor! }, query });
        output(opts, res, () =>
          res.items.length === 0
            ? 'no runs yet'
            : res.items
                .map(
                  (r) =>
                    `${r.runId}  ${r.modelName}  lab ${r.lab}  dataset ${r.datasetId}  weight ${r.weight}/${r.totalWeight} ${r.weightUnit}` +
                    `${r.shareBps !== undefined ? `  share ${r.shareBps / 100}%` : ''}  paid: ${paidText(r.paid)}`,
                )
                .join('\n'),
        );
      },
    );
}
