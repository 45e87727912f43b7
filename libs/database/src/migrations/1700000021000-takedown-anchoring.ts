import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Takedowns are anchored like registrations (issue 15): a third kind of anchor item (2, the
 * ProvenanceRegistry's KIND_TAKEDOWNS) whose leaf is the signed Takedown's EIP-712 digest, and each
 * takedown pointing at its item. Takedowns recorded before this are queued for anchoring here, in the
 * order they were made, so none is left unanchored.
 */
export class TakedownAnchoring1700000021000 implements MigrationInterface {
  name = 'TakedownAnchoring1700000021000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['anchor_items', 'anchor_batches']) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_kind_check`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_kind_check CHECK (kind IN (0, 1, 2))`);
    }
    await q.query(`ALTER TABLE dataset_takedowns ADD COLUMN anchor_item_id bigint REFERENCES anchor_items(id)`);
    await q.query(`
      WITH queued AS (
        INSERT INTO anchor_items (kind, leaf)
        SELECT 2, digest FROM dataset_takedowns ORDER BY taken_down_at, dataset_id
        RETURNING id, leaf
      )
      UPDATE dataset_takedowns t SET anchor_item_id = queued.id FROM queued WHERE queued.leaf = t.digest`);
    await q.query(`ALTER TABLE dataset_takedowns ALTER COLUMN anchor_item_id SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX dataset_takedowns_anchor_item_idx ON dataset_takedowns (anchor_item_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX dataset_takedowns_anchor_item_idx`);
    await q.query(`ALTER TABLE dataset_takedowns DROP COLUMN anchor_item_id`);
    await q.query(`DELETE FROM anchor_items WHERE kind = 2`);
    await q.query(`DELETE FROM anchor_batches WHERE kind = 2`);
    for (const table of ['anchor_items', 'anchor_batches']) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_kind_check`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_kind_check CHECK (kind IN (0, 1))`);
    }
  }
}
