import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { getAddress, isAddress, type JsonRpcProvider } from 'ethers';
import { deployToChain, deploymentFileJson, explorerChecklist } from '@upstream/chain';
import { globalOptions, loadSigner, output } from '../cli-context';

interface DeployCommandOptions {
  rpc: string;
  guardian: string;
  treasury: string;
  operator?: string;
  paymentToken?: string;
  feeBps?: string;
  rootDelay?: string;
  timelockDelay?: string;
  out: string;
  keystore?: string;
}

function address(value: string, option: string): string {
  if (!isAddress(value)) throw new Error(`${option}: ${JSON.stringify(value)} is not a 0x-prefixed 20-byte address`);
  return getAddress(value);
}

function whole(value: string | undefined, option: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw new Error(`${option}: ${JSON.stringify(value)} must be a whole number from 0 to ${max}`);
  return Number(value);
}

export function registerDeployCommands(program: Command): void {
  program
    .command('deploy')
    .description(
      'deploy the contracts to a chain with the timelock and governor holding every admin role (as the local chain has them), ' +
        'write the deployment file the service reads (DEPLOYMENT_FILE) and print what to verify on an explorer',
    )
    .requiredOption('--rpc <url>', 'JSON-RPC endpoint of the chain to deploy to')
    .requiredOption('--guardian <address>', 'may veto pending roots and pause the splitter, nothing else')
    .requiredOption('--treasury <address>', 'receives the protocol fees')
    .option(
      '--operator <address>',
      "the service's key (OPERATOR_PRIVATE_KEY): proposes roots, anchors (default: the deployer)",
    )
    .option('--payment-token <address>', 'an existing ERC-20 the service quotes prices in (PAYMENT_TOKEN_ADDRESS)')
    .option('--fee-bps <n>', 'protocol fee in basis points, at most 1000 (default 250)')
    .option('--root-delay <seconds>', 'seconds before a proposed root becomes claimable (default 86400)')
    .option('--timelock-delay <seconds>', "the timelock's minimum delay (default 172800)")
    .option('--out <file>', 'where to write the deployment file', 'deployment.json')
    .option('--keystore <file>', 'encrypted JSON keystore (password in UPSTREAM_KEYSTORE_PASSWORD)')
    .action(async (options: DeployCommandOptions, command: Command) => {
      const opts = globalOptions(command);
      const settings = {
        guardian: address(options.guardian, '--guardian'),
        treasury: address(options.treasury, '--treasury'),
        paymentToken: options.paymentToken ? address(options.paymentToken, '--payment-token') : undefined,
        feeBps: whole(options.feeBps, '--fee-bps', 1000),
        rootDelaySeconds: whole(options.rootDelay, '--root-delay', 365 * 86_400),
        timelockDelaySeconds: whole(options.timelockDelay, '--timelock-delay', 365 * 86_400),
      };
      const operatorOption = options.operator ? address(options.operator, '--operator') : undefined;
      const deployer = await loadSigner(options, options.rpc);
      try {
        const file = await deployToChain(deployer, { ...settings, operator: operatorOption ?? deployer.address });
        const out = resolve(options.out);
        await writeFile(out, deploymentFileJson(file));
        output(opts, { file: out, deployment: file }, () =>
          [
            `deployment written to ${out} (start the service with RPC_URL and DEPLOYMENT_FILE=${out})`,
            '',
            explorerChecklist(file),
          ].join('\n'),
        );
      } finally {
        (deployer.provider as JsonRpcProvider | null)?.destroy();
      }
    });
}
