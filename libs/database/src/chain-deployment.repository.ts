import { Client } from 'pg';

export interface RecordedDeployment {
  chainId: bigint;
  royaltySplitter: string;
  provenanceRegistry: string;
  paymentToken: string | null;
  deployedAtBlock: number;
}

export class DeploymentMismatchError extends Error {
  override readonly name = 'DeploymentMismatchError';
}

/**
 * Records the deployment on first use; afterwards refuses a database whose
 * records belong to other contracts (a reset chain, another network).
 */
export async function reconcileDeployment(url: string, current: RecordedDeployment): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ chain_id: string; royalty_splitter: string; provenance_registry: string }>(
      'SELECT chain_id, royalty_splitter, provenance_registry FROM chain_deployments',
    );
    if (rows.length === 0) {
      await client.query(
        `INSERT INTO chain_deployments (chain_id, royalty_splitter, provenance_registry, payment_token, deployed_at_block)
         VALUES ($1, $2, $3, $4, $5)`,
        [
          current.chainId.toString(),
          current.royaltySplitter.toLowerCase(),
          current.provenanceRegistry.toLowerCase(),
          current.paymentToken?.toLowerCase() ?? null,
          current.deployedAtBlock,
        ],
      );
      return;
    }
    const [row] = rows;
    const same =
      rows.length === 1 &&
      BigInt(row.chain_id) === current.chainId &&
      row.royalty_splitter === current.royaltySplitter.toLowerCase() &&
      row.provenance_registry === current.provenanceRegistry.toLowerCase();
    if (!same) {
      throw new DeploymentMismatchError(
        `the database records contracts on chain ${row.chain_id} (splitter ${row.royalty_splitter}, registry ${row.provenance_registry}) ` +
          `but the configured chain is ${current.chainId} with splitter ${current.royaltySplitter} and registry ${current.provenanceRegistry}; ` +
          'refusing to start so that records and money never diverge',
      );
    }
  } finally {
    await client.end();
  }
}
