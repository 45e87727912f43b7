import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Near-duplicates (issue 15).
 * - `content_signatures`: one row per blob the worker has read once after upload: its kind (`text`, `image`,
 *   or `none` for bytes that are neither), a MinHash signature of a text file (128 × uint32, big-endian) or
 *   the 64-bit perceptual hash of an image. Keyed by SHA-256 without a foreign key: the signature is of
 *   the bytes, and outlives their deletion (a takedown, the orphan collector).
 * - `lsh_bands`: the banded LSH index, (band hash, signature) pairs: 16 bands of 4 MinHash slots per text
 *   signature, 4 bands of 16 bits per image hash. A near-duplicate lookup probes the band hashes of a file
 *   on `lsh_bands_hash_idx` (index-only) and verifies the candidates' signatures.
 * - `dataset_similarities`: what the worker found for a dataset against the datasets registered before it,
 *   one row per earlier dataset at or above NEAR_DUPLICATE_SIMILARITY; `datasets.similarity_checked_at`
 *   says when (null: not checked yet), with how many of its files and bytes had a signature.
 */
export class NearDuplicates1700000016100 implements MigrationInterface {
  name = 'NearDuplicates1700000016100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE content_signatures (
        id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        sha256       text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        kind         text NOT NULL CHECK (kind IN ('text', 'image', 'none')),
        minhash      bytea CHECK (octet_length(minhash) = 512),
        phash        bigint,
        computed_at  timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'text') = (minhash IS NOT NULL) AND (kind = 'image') = (phash IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE lsh_bands (
        band_hash     integer NOT NULL,
        signature_id  integer NOT NULL REFERENCES content_signatures(id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX lsh_bands_hash_idx ON lsh_bands (band_hash, signature_id)`);
    await q.query(`CREATE INDEX lsh_bands_signature_idx ON lsh_bands (signature_id)`);
    await q.query(`
      CREATE TABLE dataset_similarities (
        dataset_id     uuid NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        similar_id     uuid NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        similarity     double precision NOT NULL CHECK (similarity > 0 AND similarity <= 1),
        matched_files  integer NOT NULL CHECK (matched_files > 0),
        matched_bytes  numeric(78,0) NOT NULL CHECK (matched_bytes >= 0),
        relation       text NOT NULL CHECK (relation IN ('own', 'declared', 'undeclared')),
        PRIMARY KEY (dataset_id, similar_id),
        CHECK (dataset_id <> similar_id)
      )`);
    await q.query(`CREATE INDEX dataset_similarities_similar_idx ON dataset_similarities (similar_id)`);
    await q.query(`ALTER TABLE datasets ADD COLUMN similarity_checked_at timestamptz`);
    await q.query(`ALTER TABLE datasets ADD COLUMN similarity_files integer CHECK (similarity_files >= 0)`);
    await q.query(`ALTER TABLE datasets ADD COLUMN similarity_bytes numeric(78,0) CHECK (similarity_bytes >= 0)`);
    // The worker's queue: uploaded datasets not checked yet, oldest first.
    await q.query(
      `CREATE INDEX datasets_similarity_pending_idx ON datasets (created_at, id) WHERE similarity_checked_at IS NULL AND storage = 'uploaded'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX datasets_similarity_pending_idx`);
    await q.query(`ALTER TABLE datasets DROP COLUMN similarity_bytes`);
    await q.query(`ALTER TABLE datasets DROP COLUMN similarity_files`);
    await q.query(`ALTER TABLE datasets DROP COLUMN similarity_checked_at`);
    await q.query(`DROP TABLE dataset_similarities`);
    await q.query(`DROP TABLE lsh_bands`);
    await q.query(`DROP TABLE content_signatures`);
  }
}
