import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which EIP-712 Contribution type a registration was signed under. Version 1 (every record before
 * this migration) signed content, owners, lineage and terms; version 2 adds `metadataHash`, so the
 * title, description and external URI the catalogue shows are the owners' signed words. Records
 * keep the version they were signed under and verify under it.
 */
export class ContributionVersion1700000013000 implements MigrationInterface {
  name = 'ContributionVersion1700000013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE datasets ADD COLUMN contribution_version smallint NOT NULL DEFAULT 1 CHECK (contribution_version IN (1, 2))`,
    );
    // New rows say which version they were signed under; no default hides a forgotten one.
    await q.query(`ALTER TABLE datasets ALTER COLUMN contribution_version DROP DEFAULT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE datasets DROP COLUMN contribution_version`);
  }
}
