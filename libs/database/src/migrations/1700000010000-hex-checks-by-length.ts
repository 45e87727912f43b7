import type { MigrationInterface, QueryRunner } from 'typeorm';
// 1700000006000's own tables (the columns it made hex and their regex formats, which `down` restores).
import { HEX_COLUMNS, HEX_FORMATS as REGEX_FORMATS, type HexFormat } from './1700000006000-hex-text-columns';

const LENGTHS: Record<HexFormat, number> = { address: 42, bytes32: 66, sha256: 64 };
const PREFIXED: Record<HexFormat, boolean> = { address: true, bytes32: true, sha256: false };

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
