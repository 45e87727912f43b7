import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address, Bytes32 } from '@upstream/api-contract';
import type { DisputeStatus } from '@upstream/api-contract';
import type { DisputeLabel, PublicDispute } from '@upstream/royalties';
import { SqlRepository } from '../common/persistence/unit-of-work';

export interface NewDispute {
  contract: Address;
  disputeId: bigint;
  chainEventId: string;
  contentRoot: Bytes32;
  disputer: Address;
  label: DisputeLabel;
  token: Address;
  bond: bigint;
  evidenceHash: Bytes32;
  evidenceUri: string;
  claimedOwners: Address[];
  blockNumber: number;
  logIndex: number;
  openedAt: Date;
}

export interface NewResolution {
  contract: Address;
  disputeId: bigint;
  chainEventId: string;
  upheld: boolean;
  resolver: Address;
  rightfulOwners: { account: Address; shareBps: number }[];
  bondRunId: Bytes32;
  blockNumber: number;
  logIndex: number;
  resolvedAt: Date;
}

interface DisputeRuleRow {
  contract: Address;
  dispute_id: string;
  content_root: string;
  block_number: string;
  log_index: number;
  upheld: boolean | null;
  resolved_block: string | null;
  resolved_log: number | null;
  rightful_owners: { account: string; shareBps: number }[] | null;
}

/** A dispute with its resolution and their chain events, as the routes show it. */
export interface DisputeRow {
  contract: string;
  dispute_id: string;
  content_root: string;
  dataset_id: string | null;
  dataset_title: string | null;
  disputer: string;
  label: DisputeLabel;
  token: string;
  bond: string;
  evidence_hash: string;
  evidence_uri: string;
  claimed_owners: string[];
  block_number: string;
  tx_hash: string;
  opened_at: Date;
  upheld: boolean | null;
  resolver: string | null;
  rightful_owners: { account: string; shareBps: number }[] | null;
  bond_run_id: string | null;
  resolved_block: string | null;
  resolved_tx: string | null;
  resolved_at: Date | null;
}

/** Which disputes a list shows (every filter optional). */
export interface DisputeFilter {
  contract: Address;
  contentRoot?: string;
  status?: DisputeStatus;
  disputer?: Address;
  limit: number;
  offset: number;
}

const SELECT_DISPUTE = `
  SELECT x.contract, x.dispute_id::text, x.content_root, ds.id AS dataset_id, ds.title AS dataset_title, x.disputer, x.label,
         x.token, x.bond::text, x.evidence_hash, x.evidence_uri, x.claimed_owners, x.block_number::text, oe.tx_hash,
         x.opened_at, r.upheld, r.resolver, r.rightful_owners, r.bond_run_id, r.block_number::text AS resolved_block,
         re.tx_hash AS resolved_tx, r.resolved_at
  FROM disputes x
  JOIN chain_events oe ON oe.id = x.chain_event_id
  LEFT JOIN dispute_resolutions r ON r.contract = x.contract AND r.dispute_id = x.dispute_id
  LEFT JOIN chain_events re ON re.id = r.chain_event_id
  LEFT JOIN datasets ds ON ds.content_root = x.content_root`;

/** SQL condition on `r` (the resolution, left-joined): the dispute has status `$n`, or any when null. */
const statusIs = (param: string) =>
  `(${param}::text IS NULL OR (${param} = 'open' AND r.dispute_id IS NULL)
     OR (${param} = 'upheld' AND r.upheld) OR (${param} = 'rejected' AND NOT r.upheld))`;

/** Disputes as the indexer records them from DisputeBonds' events (rows cascade with their chain events). */
@Injectable()
export class DisputesRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  async insertOpened(d: NewDispute): Promise<void> {
    await this.db.query(
      `INSERT INTO disputes (contract, dispute_id, chain_event_id, content_root, disputer, label, token, bond,
                             evidence_hash, evidence_uri, claimed_owners, block_number, log_index, opened_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        d.contract,
        d.disputeId.toString(),
        d.chainEventId,
        d.contentRoot,
        d.disputer,
        d.label,
        d.token,
        d.bond.toString(),
        d.evidenceHash,
        d.evidenceUri,
        d.claimedOwners,
        d.blockNumber,
        d.logIndex,
        d.openedAt,
      ],
    );
  }

  /** The resolution; false when the dispute is unknown here (its opening was never indexed). */
  async insertResolved(r: NewResolution): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO dispute_resolutions (contract, dispute_id, chain_event_id, upheld, resolver, rightful_owners,
                                        bond_run_id, block_number, log_index, resolved_at)
       SELECT d.contract, d.dispute_id, $3, $4, $5, $6::jsonb, $7, $8, $9, $10
       FROM disputes d WHERE d.contract = $1 AND d.dispute_id = $2
       RETURNING 1`,
      [
        r.contract,
        r.disputeId.toString(),
        r.chainEventId,
        r.upheld,
        r.resolver,
        JSON.stringify(r.rightfulOwners),
        r.bondRunId,
        r.blockNumber,
        r.logIndex,
        r.resolvedAt,
      ],
    );
    return rows.length > 0;
  }

  /** Every dispute opened up to `block` with its resolution up to `block`, as the escrow rule reads them. */
  async forRule(block: number): Promise<PublicDispute[]> {
    const rows = await this.db.query<DisputeRuleRow[]>(
      `${RULE_SELECT}
       LEFT JOIN dispute_resolutions r
         ON r.contract = d.contract AND r.dispute_id = d.dispute_id AND r.block_number <= $1
       WHERE d.block_number <= $1
       ORDER BY d.block_number, d.log_index`,
      [block],
    );
    return rows.map(publicDispute);
  }

  /**
   * The disputes as indexed so far (of these datasets by content root, or all), with their resolutions, each
   * with the contract that holds it: what decides a payment's shares now. Disputes are few (each takes a
   * bond), so a payment reads them all in one query rather than send its datasets (a million, at most).
   */
  async current(contentRoots?: readonly string[]): Promise<(PublicDispute & { contract: Address })[]> {
    const rows = await this.db.query<DisputeRuleRow[]>(
      `${RULE_SELECT}
       LEFT JOIN dispute_resolutions r ON r.contract = d.contract AND r.dispute_id = d.dispute_id
       WHERE $1::text[] IS NULL OR d.content_root = ANY($1::text[])
       ORDER BY d.block_number, d.log_index`,
      [contentRoots ?? null],
    );
    return rows.map((r) => ({ ...publicDispute(r), contract: r.contract }));
  }

  /** One dispute of `contract` by its id. */
  async find(contract: Address, disputeId: string): Promise<DisputeRow | undefined> {
    const [row] = await this.db.query<DisputeRow[]>(`${SELECT_DISPUTE} WHERE x.contract = $1 AND x.dispute_id = $2`, [
      contract,
      disputeId,
    ]);
    return row;
  }

  /** A page of disputes, newest first, and how many match. */
  async page(f: DisputeFilter): Promise<{ rows: DisputeRow[]; total: number }> {
    const where = `x.contract = $1 AND ($2::text IS NULL OR x.content_root = $2) AND ($3::text IS NULL OR x.disputer = $3)
                   AND ${statusIs('$4')}`;
    const params = [f.contract, f.contentRoot ?? null, f.disputer ?? null, f.status ?? null];
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<DisputeRow[]>(
        `${SELECT_DISPUTE} WHERE ${where} ORDER BY x.block_number DESC, x.log_index DESC LIMIT $5 OFFSET $6`,
        [...params, f.limit, f.offset],
      ),
      this.db.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM disputes x
         LEFT JOIN dispute_resolutions r ON r.contract = x.contract AND r.dispute_id = x.dispute_id WHERE ${where}`,
        params,
      ),
    ]);
    return { rows, total };
  }
}

const RULE_SELECT = `SELECT d.contract, d.dispute_id::text, d.content_root, d.block_number::text, d.log_index,
              r.upheld, r.block_number::text AS resolved_block, r.log_index AS resolved_log, r.rightful_owners
       FROM disputes d`;

function publicDispute(r: DisputeRuleRow): PublicDispute {
  return {
    disputeId: r.dispute_id,
    datasetId: r.content_root,
    opened: { blockNumber: Number(r.block_number), logIndex: r.log_index },
    resolution:
      r.upheld === null
        ? null
        : {
            outcome: r.upheld ? 'upheld' : 'rejected',
            at: { blockNumber: Number(r.resolved_block), logIndex: r.resolved_log! },
            rightfulOwners: r.rightful_owners ?? [],
          },
  };
}
