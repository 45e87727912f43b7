import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exact overlap between datasets (issue 15).
 * - `dataset_files_sha256_dataset_idx` on (sha256, dataset_id) replaces the index on sha256 alone: the
 *   registration's overlap check probes it once per distinct digest and reads which datasets hold that
 *   digest from the index itself (an index-only scan), never the table rows.
 * - `dataset_overlaps`: what a registration found, one row per earlier dataset sharing files with it,
 *   and how the rule treated that dataset (same owners, declared in its lineage, or undeclared).
 * - `datasets.overlap_checked_at` / `undeclared_overlap_bytes`: when the check ran and how many of the
 *   dataset's bytes were in undeclared datasets of other owners; null for datasets registered before
 *   this migration, whose overlaps were never checked.
 */
export class DatasetOverlaps1700000014000 implements MigrationInterface {
  name = 'DatasetOverlaps1700000014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX dataset_files_sha256_dataset_idx ON dataset_files (sha256, dataset_id)`);
    await q.query(`DROP INDEX dataset_files_sha256_idx`);
    await q.query(`
      CREATE TABLE dataset_overlaps (
        dataset_id    uuid NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        earlier_id    uuid NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        shared_files  integer NOT NULL CHECK (shared_files > 0),
        shared_bytes  numeric(78,0) NOT NULL CHECK (shared_bytes > 0),
        relation      text NOT NULL CHECK (relation IN ('own', 'declared', 'undeclared')),
        PRIMARY KEY (dataset_id, earlier_id),
        CHECK (dataset_id <> earlier_id)
      )`);
    await q.query(`CREATE INDEX dataset_overlaps_earlier_idx ON dataset_overlaps (earlier_id)`);
    await q.query(`ALTER TABLE datasets ADD COLUMN overlap_checked_at timestamptz`);
    await q.query(
      `ALTER TABLE datasets ADD COLUMN undeclared_overlap_bytes numeric(78,0) CHECK (undeclared_overlap_bytes >= 0)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE datasets DROP COLUMN undeclared_overlap_bytes`);
    await q.query(`ALTER TABLE datasets DROP COLUMN overlap_checked_at`);
    await q.query(`DROP TABLE dataset_overlaps`);
    await q.query(`CREATE INDEX dataset_files_sha256_idx ON dataset_files (sha256)`);
    await q.query(`DROP INDEX dataset_files_sha256_dataset_idx`);
  }
}
