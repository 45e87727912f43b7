import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hex columns become `text` with a CHECK on their lowercase format. `char(n)` pads and compares
 * blank-insensitively, which made every reader trim; `text` returns exactly what was written, and
 * the CHECK refuses anything that is not lowercase hex of the right length. The `royalty_balances`
 * view depends on `ledger_entries`' columns, so it is dropped and recreated around the change
 * (indexes and UNIQUE constraints are rebuilt by ALTER COLUMN TYPE itself).
 */
export const HEX_FORMATS = {
  address: '^0x[0-9a-f]{40}$',
  bytes32: '^0x[0-9a-f]{64}$',
  sha256: '^[0-9a-f]{64}$',
} as const;

export type HexFormat = keyof typeof HEX_FORMATS;

/** Every `char(n)` column that holds hex, by table. Lengths: address 42, bytes32 66, sha256 64. */
export const HEX_COLUMNS: Record<string, Record<string, HexFormat>> = {
  chain_deployments: { royalty_splitter: 'address', provenance_registry: 'address', payment_token: 'address' },
  chain_cursors: { block_hash: 'bytes32' },
  chain_blocks: { block_hash: 'bytes32' },
  chain_events: { block_hash: 'bytes32', tx_hash: 'bytes32', address: 'address' },
  outbox_transactions: { sender: 'address', to_address: 'address', mined_tx_hash: 'bytes32' },
  anchor_batches: { root: 'bytes32' },
  anchor_items: { leaf: 'bytes32' },
  used_nonces: { signer: 'address' },
  datasets: { content_root: 'bytes32', registrant: 'address', license_terms_hash: 'bytes32', digest: 'bytes32' },
  dataset_files: { sha256: 'sha256' },
  dataset_owners: { account: 'address' },
  blobs: { sha256: 'sha256' },
  licenses: {
    licensee: 'address',
    terms_hash: 'bytes32',
    fee_token: 'address',
    payment_ref: 'bytes32',
    digest: 'bytes32',
  },
  training_runs: {
    run_id: 'bytes32',
    lab: 'address',
    model_hash: 'bytes32',
    run_ref: 'bytes32',
    entries_root: 'bytes32',
    digest: 'bytes32',
  },
  run_uploads: {
    lab: 'address',
    model_hash: 'bytes32',
    run_ref: 'bytes32',
    entries_root: 'bytes32',
    digest: 'bytes32',
  },
  run_upload_entries: { dataset_root: 'bytes32' },
  royalty_payments: { run_id: 'bytes32', token: 'address', payer: 'address', tx_hash: 'bytes32' },
  ledger_entries: { account: 'address', token: 'address' },
  royalty_epochs: { root: 'bytes32', data_hash: 'bytes32' },
  epoch_balances: { token: 'address', account: 'address' },
  epoch_root_events: { root: 'bytes32' },
  royalty_claims: { account: 'address', token: 'address' },
};

const ROYALTY_BALANCES_VIEW = `
  CREATE VIEW royalty_balances AS
    SELECT account, token, SUM(amount) AS earned FROM ledger_entries GROUP BY account, token`;

export class HexTextColumns1700000006000 implements MigrationInterface {
  name = 'HexTextColumns1700000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW royalty_balances`);
    for (const [table, columns] of Object.entries(HEX_COLUMNS)) {
      const changes = Object.entries(columns).flatMap(([column, format]) => [
        `ALTER COLUMN ${column} TYPE text`,
        `ADD CONSTRAINT ${table}_${column}_hex CHECK (${column} ~ '${HEX_FORMATS[format]}')`,
      ]);
      await q.query(`ALTER TABLE ${table} ${changes.join(', ')}`);
    }
    await q.query(ROYALTY_BALANCES_VIEW);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW royalty_balances`);
    for (const [table, columns] of Object.entries(HEX_COLUMNS)) {
      const changes = Object.entries(columns).flatMap(([column, format]) => [
        `DROP CONSTRAINT ${table}_${column}_hex`,
        `ALTER COLUMN ${column} TYPE char(${format === 'address' ? 42 : format === 'bytes32' ? 66 : 64})`,
      ]);
      await q.query(`ALTER TABLE ${table} ${changes.join(', ')}`);
    }
    await q.query(ROYALTY_BALANCES_VIEW);
  }
}
