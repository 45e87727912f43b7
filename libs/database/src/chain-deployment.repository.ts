import { Client } from 'pg';
import type { Address } from '@upstream/api-contract';

/** The contracts a database was built on; addresses lowercase (parsed by the caller, checked by the table). */
export interface RecordedDeployment {
  chainId: bigint;
  royaltySplitter: Address;
  provenanceRegistry: Address;
  paymentToken: Address | null;
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
          current.royaltySplitter,
          current.provenanceRegistry,
          current.paymentToken,
          current.deployedAtBlock,
        ],
      );
      return;
    }
    const [row] = rows;
    const same =
      rows.length === 1 &&
      BigInt(row.chain_id) === current.chainId &&
      row.royalty_splitter === current.royaltySplitter &&
      row.provenance_registry === current.provenanceRegistry;
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

/** The deployment this database was built on, if any. */
export async function recordedDeployment(url: string): Promise<RecordedDeployment | undefined> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // Lowercase by the table's CHECKs.
    const { rows } = await client.query<{
      chain_id: string;
      royalty_splitter: Address;
      provenance_registry: Address;
      payment_token: Address | null;
      deployed_at_block: string;
    }>(
      'SELECT chain_id, royalty_splitter, provenance_registry, payment_token, deployed_at_block FROM chain_deployments LIMIT 1',
    );
    const [row] = rows;
    if (!row) return undefined;
    return {
      chainId: BigInt(row.chain_id),
      royaltySplitter: row.royalty_splitter,
      provenanceRegistry: row.provenance_registry,
      paymentToken: row.payment_token ?? null,
      deployedAtBlock: Number(row.deployed_at_block),
    };
  } finally {
    await client.end();
  }
}

/**
 * Whether the chain still has the block the indexer's cursor points at. When it does not, the
 * newest kept block it still has (null: none of them, so not a reorganisation the indexer can
 * roll back), and whether anything was indexed at all.
 */
export async function indexedChainAgreement(
  url: string,
  cursorName: string,
  blockHashAt: (blockNumber: number) => Promise<string | null>,
): Promise<{ cursor: number | null; agrees: boolean; lastAgreedBlock: number | null; indexedEvents: boolean }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: cursors } = await client.query<{ block_number: string; block_hash: string | null }>(
      'SELECT block_number::text, block_hash FROM chain_cursors WHERE name = $1',
      [cursorName],
    );
    const cursor = cursors[0];
    const { rows: events } = await client.query<{ indexed: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM chain_events) AS indexed',
    );
    const indexedEvents = events[0].indexed;
    if (!cursor?.block_hash)
      return {
        cursor: cursor ? Number(cursor.block_number) : null,
        agrees: true,
        lastAgreedBlock: null,
        indexedEvents,
      };
    if ((await blockHashAt(Number(cursor.block_number))) === cursor.block_hash) {
      return {
        cursor: Number(cursor.block_number),
        agrees: true,
        lastAgreedBlock: Number(cursor.block_number),
        indexedEvents,
      };
    }
    const { rows: kept } = await client.query<{ block_number: string; block_hash: string }>(
      'SELECT block_number::text, block_hash FROM chain_blocks WHERE cursor_name = $1 ORDER BY block_number DESC',
      [cursorName],
    );
    for (const block of kept) {
      if ((await blockHashAt(Number(block.block_number))) === block.block_hash) {
        return {
          cursor: Number(cursor.block_number),
          agrees: false,
          lastAgreedBlock: Number(block.block_number),
          indexedEvents,
        };
      }
    }
    return { cursor: Number(cursor.block_number), agrees: false, lastAgreedBlock: null, indexedEvents };
  } finally {
    await client.end();
  }
}
