import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Owners and parents keep the order they were signed in, so anyone can
 * rebuild a registration's EIP-712 digest from the public record and recover
 * the signer.
 */
export class SignedOrder1700000002100 implements MigrationInterface {
  name = 'SignedOrder1700000002100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dataset_owners ADD COLUMN position integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE dataset_parents ADD COLUMN position integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dataset_parents DROP COLUMN position`);
    await q.query(`ALTER TABLE dataset_owners DROP COLUMN position`);
  }
}
