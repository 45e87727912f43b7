import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Catalogue search: full-text over a dataset's title and description ('simple' config: no stemming, any language). */
export class Contributions1700000002000 implements MigrationInterface {
  name = 'Contributions1700000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX datasets_search_idx ON datasets USING gin (to_tsvector('simple', title || ' ' || description))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX datasets_search_idx`);
  }
}
