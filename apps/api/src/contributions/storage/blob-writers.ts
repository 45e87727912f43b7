/**
 * Who else writes to a shared blob store. Local disk answers with a kernel file lock; the S3 store
 * with a PostgreSQL advisory lock (`contributions/blobs/blob-writers.repository.ts`), since
 * replicas on other machines share the bucket and the database, not a disk.
 */
export interface BlobWriters {
  /**
   * Joins the writers and answers whether this process was alone. When it was, `whileAlone` runs
   * before any other writer can join (the sweep of everything crashed writers left).
   */
  join(whileAlone: () => Promise<void>): Promise<boolean>;
  /** Leaves the writers (at shutdown; the lock also goes when the process or its session dies). */
  leave(): Promise<void>;
}
