import { Command } from 'commander';
import { registerAccessCommands } from './commands/access.command';
import { registerContributionCommands } from './commands/contribution.command';
import { registerDeployCommands } from './commands/deploy.command';
import { registerDisputeCommands } from './commands/dispute.command';
import { AccessRefused } from './download/downloader';
import { registerGovernanceCommands } from './commands/governance.command';
import { registerInfoCommands } from './commands/info.command';
import { registerIntegrityCommands } from './commands/integrity.command';
import { registerRoyaltiesCommands } from './commands/royalties.command';
import { registerRunCommands } from './commands/run.command';

/**
 * The `upstream` command. Each group of subcommands lives in ./commands and
 * uses the same pure libraries as the server, so hashes and allocations agree.
 */
export function buildProgram(): Command {
  const program = new Command('upstream')
    .description('Upstream: provenance and royalties for AI training data')
    .version('0.1.0')
    .option('--api <url>', 'Upstream API base URL', process.env.UPSTREAM_API ?? 'http://127.0.0.1:3000')
    .option('--json', 'print machine-readable JSON instead of text')
    .showHelpAfterError();
  registerInfoCommands(program);
  registerContributionCommands(program);
  registerRoyaltiesCommands(program);
  registerRunCommands(program);
  registerAccessCommands(program);
  registerGovernanceCommands(program);
  registerIntegrityCommands(program);
  registerDisputeCommands(program);
  registerDeployCommands(program);
  return program;
}

export async function run(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof AccessRefused) {
      const datasets =
        (error.body as { datasets?: { id: string; title: string; licenseTemplate: string }[] }).datasets ?? [];
      const how = datasets.map((d) => `  upstream license ${d.id}   # ${d.title} (${d.licenseTemplate})`).join('\n');
      process.stderr.write(`upstream: access refused: ${error.message}\n${how ? `license it with:\n${how}\n` : ''}`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`upstream: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void run();
