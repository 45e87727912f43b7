import type { MigrationInterface, QueryRunner } from 'typeorm';

type HexFormat = 'address' | 'bytes32' | 'sha256';

/** 1700000006000's formats, restored by `down`. */
const REGEX_FORMATS: Record<HexFormat, string> = {
  address: '^0x[0-9a-f]{40}$',
  bytes32: '^0x[0-9a-f]{64}$',
  sha256: '^[0-9a-f]{64}$',
};
const LENGTHS: Record<HexFormat, number> = { address: 42, bytes32: 66, sha256: 64 };
const PREFIXED: Record<HexFormat, boolean> = { address: true, bytes32: true, sha256: false };

/** The hex columns of 1700000006000 (each CHECK named `<table>_<column>_hex`), as it left them. */
const HEX_COLUMNS: Record<string, Record<string, HexFormat>> = {
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

/** A hex column's CHECK: `length(c) = n AND c ~ '^0x[0-9a-f]+$'` (sha256: no `0x`). */
function hexCheck(column: string, format: HexFormat): string {
  return `length(${column}) = ${LENGTHS[format]} AND ${column} ~ '^${PREFIXED[format] ? '0x' : ''}[0-9a-f]+$'`;
}

/**
 * The hex CHECKs of 1700000006000 accept and refuse exactly the same values, stated more cheaply.
 * PostgreSQL's regex engine expands a bounded repetition (`[0-9a-f]{64}`) into one state per
 * repetition, so each checked value cost ~12 µs: the `run_upload_entries.dataset_root` CHECK alone
 * added ~0.6 s to every 50,000-entry run chunk (and the catalogue's CHECKs slowed bulk inserts
 * alike). A length test plus an unbounded class (`length(x) = 66 AND x ~ '^0x[0-9a-f]+$'`) is the
 * same predicate (every character it admits is one character long; NULL still passes) for ~0.1 s
 * a chunk. Constraint names are unchanged.
 */
export class HexChecksByLength1700000010000 implements MigrationInterface {
  name = 'HexChecksByLength1700000010000';

  async up(q: QueryRunner): Promise<void> {
    await replaceChecks(q, hexCheck);
  }

  async down(q: QueryRunner): Promise<void> {
    await replaceChecks(q, (column, format) => `${column} ~ '${REGEX_FORMATS[format]}'`);
  }
}

async function replaceChecks(q: QueryRunner, check: (column: string, format: HexFormat) => string): Promise<void> {
  for (const [table, columns] of Object.entries(HEX_COLUMNS)) {
    const changes = Object.entries(columns).flatMap(([column, format]) => [
      `DROP CONSTRAINT ${table}_${column}_hex`,
      `ADD CONSTRAINT ${table}_${column}_hex CHECK (${check(column, format)})`,
    ]);
    await q.query(`ALTER TABLE ${table} ${changes.join(', ')}`);
  }
}
