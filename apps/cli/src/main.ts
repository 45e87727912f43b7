import { Command } from 'commander';
import { registerContributionCommands } from './commands/contribution.command';
import { registerInfoCommands } from './commands/info.command';
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
  return program;
}

export async function run(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.stderr.write(`upstream: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void run();
