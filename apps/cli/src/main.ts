import { Command } from 'commander';

/** The `upstream` command. Each subcommand lives in ./commands and shares its hashing and rules with the server. */
export function buildProgram(): Command {
  const program = new Command('upstream')
    .description('Upstream: provenance and royalties for AI training data')
    .version('0.1.0');
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: Error) => {
      process.stderr.write(`upstream: ${error.message}\n`);
      process.exit(1);
    });
}
