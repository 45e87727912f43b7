import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Address } from '@upstream/api-contract';
import { SqlRepository } from '../common/persistence/unit-of-work';

/** A ProposalCreated event as the indexer stored it (final blocks only). */
export interface ProposalCreatedRow {
  args: {
    proposalId: string;
    proposer: string;
    targets: string[];
    values: string[];
    calldatas: string[];
    voteStart: string;
    voteEnd: string;
    description: string;
  };
  block_time: Date;
  tx_hash: string;
}

/** An approved license template's LicenseTemplateAdded event. */
export interface ApprovedLicenseTemplateRow {
  template_id: string;
  uri: string;
  block_time: Date;
  tx_hash: string;
}

/** Proposals as indexed from the Governor's events (`chain_events`; a reorganisation removes them with their block). */
@Injectable()
export class GovernanceRepository extends SqlRepository {
  constructor(@InjectDataSource() db: DataSource) {
    super(db);
  }

  async proposals(
    governor: Address,
    limit: number,
    offset: number,
  ): Promise<{ rows: ProposalCreatedRow[]; total: number }> {
    const [rows, [{ total }]] = await Promise.all([
      this.db.query<ProposalCreatedRow[]>(
        `SELECT args, block_time, tx_hash FROM chain_events
          WHERE event_name = 'ProposalCreated' AND address = $1
          ORDER BY block_number DESC, log_index DESC LIMIT $2 OFFSET $3`,
        [governor, limit, offset],
      ),
      this.db.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM chain_events WHERE event_name = 'ProposalCreated' AND address = $1`,
        [governor],
      ),
    ]);
    return { rows, total };
  }

  async proposal(governor: Address, id: string): Promise<ProposalCreatedRow | undefined> {
    const [row] = await this.db.query<ProposalCreatedRow[]>(
      `SELECT args, block_time, tx_hash FROM chain_events
        WHERE event_name = 'ProposalCreated' AND address = $1 AND args->>'proposalId' = $2`,
      [governor, id],
    );
    return row;
  }

  /**
   * The templates whose last event on `registry` is LicenseTemplateAdded (approved and not since
   * removed), with that approval's event, oldest approval first; only those of `templateIds` when given.
   */
  async approvedLicenseTemplates(
    registry: Address,
    templateIds?: readonly string[],
  ): Promise<ApprovedLicenseTemplateRow[]> {
    return this.db.query<ApprovedLicenseTemplateRow[]>(
      `SELECT template_id, uri, block_time, tx_hash FROM (
         SELECT DISTINCT ON (args->>'templateId')
                args->>'templateId' AS template_id, coalesce(args->>'uri', '') AS uri, event_name,
                block_time, tx_hash, block_number, log_index
           FROM chain_events
          WHERE address = $1 AND event_name IN ('LicenseTemplateAdded', 'LicenseTemplateRemoved')
            AND ($2::text[] IS NULL OR args->>'templateId' = ANY($2::text[]))
          ORDER BY args->>'templateId', block_number DESC, log_index DESC
       ) latest
       WHERE event_name = 'LicenseTemplateAdded'
       ORDER BY block_number, log_index`,
      [registry, templateIds ?? null],
    );
  }

  /** The account's votes leaves, per epoch not lost to a reorganisation, oldest first. */
  async earnedVotes(
    votes: string,
    account: Address,
  ): Promise<{ epoch: number; accepted: boolean; cumulative: string }[]> {
    return this.db.query(
      `SELECT e.epoch::int AS epoch, b.cumulative::text AS cumulative,
              EXISTS (SELECT 1 FROM epoch_root_events r WHERE r.epoch = e.epoch AND r.kind = 'accepted') AS accepted
         FROM royalty_epochs e
         CROSS JOIN LATERAL (SELECT cumulative FROM epoch_balances b
                              WHERE b.token = $1 AND b.account = $2 AND b.epoch <= e.epoch ORDER BY b.epoch DESC LIMIT 1) b
        WHERE e.invalidated_at IS NULL AND b.cumulative > 0
        ORDER BY e.epoch`,
      [votes, account],
    );
  }
}
