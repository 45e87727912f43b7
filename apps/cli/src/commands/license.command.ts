import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { Wallet } from 'ethers';
import type { PayRunInstructions } from '@upstream/api-contract';
import { licenseAcceptanceTypedData, type UpstreamDomain } from '@upstream/provenance';
import { apiClient, ApiClient, globalOptions, loadSigner, output } from '../cli-context';

export const DEFAULT_RPC = process.env.UPSTREAM_RPC_URL ?? 'http://127.0.0.1:8545';

export const freshNonce = () => BigInt('0x' + randomBytes(16).toString('hex'));

export async function eip712Domain(api: ApiClient): Promise<UpstreamDomain> {
  return (await api.call('getChain')).eip712Domain;
}

/** Sends approve then payRun, as the API described them; answers the two transaction hashes. */
export async function payWith(
  wallet: Wallet,
  payment: PayRunInstructions,
): Promise<{ approveTx: string; payTx: string }> {
  const approve = await wallet.sendTransaction(payment.approve);
  await approve.wait();
  const pay = await wallet.sendTransaction(payment.call);
  const receipt = await pay.wait();
  if (receipt?.status !== 1) throw new Error(`payRun transaction ${pay.hash} reverted`);
  return { approveTx: approve.hash, payTx: pay.hash };
}

/** `upstream license <datasetId>`: sign the dataset's current terms; with --pay, pay its fee too. */
export function registerLicenseCommands(program: Command): void {
  program
    .command('license <datasetId>')
    .description(
      'acquire a license on a dataset (uuid or content root) by signing its terms; --pay pays a fee on-chain',
    )
    .option('--pay', 'pay the license fee (approve + payRun) with the signing key')
    .option('--wait <seconds>', 'after paying, wait this long for the indexer to activate the license', '60')
    .option('--rpc <url>', 'JSON-RPC endpoint for --pay (UPSTREAM_RPC_URL)', DEFAULT_RPC)
    .option('--keystore <file>', 'encrypted JSON keystore (password in UPSTREAM_KEYSTORE_PASSWORD)')
    .action(
      async (
        datasetRef: string,
        options: { pay?: boolean; wait: string; rpc: string; keystore?: string },
        command: Command,
      ) => {
        const opts = globalOptions(command);
        const api = apiClient(opts.api, options);
        const wallet = await loadSigner(options, options.pay ? options.rpc : undefined);
        const dataset = await api.call('getDataset', { params: { id: datasetRef } });
        const message = {
          datasetId: dataset.contentRoot,
          termsHash: dataset.license.termsHash,
          licensee: wallet.address,
          nonce: freshNonce(),
          deadline: BigInt(Math.floor(Date.now() / 1000) + 3600),
        };
        const td = licenseAcceptanceTypedData(await eip712Domain(api), message);
        const signature = await wallet.signTypedData(td.domain, td.types, td.message);
        let result = await api.call('createLicense', {
          body: { ...message, nonce: message.nonce.toString(), deadline: Number(message.deadline), signature },
        });
        let paid: { approveTx: string; payTx: string } | undefined;
        if (result.payment && options.pay) {
          paid = await payWith(wallet, result.payment);
          const until = Date.now() + Number(options.wait) * 1000;
          while (result.license.status === 'pending_payment' && Date.now() < until) {
            await new Promise((r) => setTimeout(r, 1000));
            result = await api.call('getLicense', { params: { id: result.license.id } });
          }
        }
        output(opts, { ...result, ...(paid ? { paid } : {}) }, () => {
          const l = result.license;
          const lines = [`license ${l.id}  ${l.status}`, `dataset ${l.datasetId}`];
          if (l.fee) lines.push(`fee     ${l.fee.amount} of token ${l.fee.token}`);
          if (paid) lines.push(`paid    approve ${paid.approveTx}, payRun ${paid.payTx}`);
          if (result.payment && !paid) {
            lines.push(
              `to activate it, pay: approve ${result.payment.splitter} for ${result.payment.amount}, then payRun(${result.payment.runId}, ${result.payment.token}, ${result.payment.amount})`,
            );
            lines.push(`or run again with --pay`);
          }
          if (l.expiresAt) lines.push(`expires ${l.expiresAt}`);
          return lines.join('\n');
        });
      },
    );
}
