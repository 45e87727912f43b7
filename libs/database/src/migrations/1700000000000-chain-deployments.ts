import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which contracts this database's records belong to, so a database is never silently paired with another chain. */
export class ChainDeployments1700000000000 implements MigrationInterface {
  name = 'ChainDeployments1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE chain_deployments (
        chain_id            numeric(78,0) PRIMARY KEY,
        royalty_splitter    char(42) NOT NULL,
        provenance_registry char(42) NOT NULL,
        payment_token       char(42),
        deployed_at_block   bigint NOT NULL,
        recorded_at         timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE chain_deployments`);
  }
}
