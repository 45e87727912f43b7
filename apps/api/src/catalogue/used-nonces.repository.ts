import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address } from '@upstream/api-contract';
import { SqlRepository } from '../common/persistence/unit-of-work';

/** Replay protection for every signed message (contributions, licenses, licensing changes, runs): a (signer, nonce) is used once. */
@Injectable()
export class UsedNoncesRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  /**
   * Marks (signer, nonce) used; false when it already was. Call inside the transaction that records the signed message.
   * `signer` is still lowered here because contributions passes a recovered string; it becomes an `Address` once it passes one.
   */
  async use(signer: string, nonce: bigint, purpose: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO used_nonces (signer, nonce, purpose) VALUES ($1, $2, $3) ON CONFLICT (signer, nonce) DO NOTHING RETURNING 1 AS ok`,
      [signer.toLowerCase(), nonce.toString(), purpose],
    );
    return rows.length === 1;
  }

  async isUsed(signer: Address, nonce: bigint): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM used_nonces WHERE signer = $1 AND nonce = $2`, [
      signer,
      nonce.toString(),
    ]);
    return rows.length > 0;
  }
}
