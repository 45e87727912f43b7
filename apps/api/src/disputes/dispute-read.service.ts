import { Inject, Injectable } from '@nestjs/common';
import { Contract, getAddress } from 'ethers';
import type { Address, Dispute, DisputePage, DisputeParameters, DisputeStatus } from '@upstream/api-contract';
import { artifacts, ROLES } from '@upstream/chain';
import { DISPUTE_LABELS } from '@upstream/royalties';
import { ChainService } from '../chain/chain.service';
import { DatasetReadRepository, datasetRefInvalid, isDatasetRef } from '../catalogue/dataset-read.repository';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { DisputeErrors } from './disputes.errors';
import { DisputesRepository, type DisputeRow } from './disputes.repository';

const DISPUTE_ID = /^[1-9]\d{0,77}$/;

/** A page's filters, parsed (addresses lowercased by the DTO). */
export interface DisputeListQuery {
  dataset?: string;
  status?: DisputeStatus;
  disputer?: Address;
  limit?: number;
  offset?: number;
}

/**
 * The disputes routes: what the indexer recorded from DisputeBonds, with the contract's parameters read
 * from the chain. Reads only: opening and resolving are transactions of the disputer's or arbiter's own wallet.
 */
@Injectable()
export class DisputeReadService {
  private readonly bonds: { address: Address; contract: Contract } | undefined;
  private readonly paymentToken: Address | null;

  constructor(
    private readonly repo: DisputesRepository,
    private readonly datasets: DatasetReadRepository,
    private readonly chain: ChainService,
    @Inject(RUNTIME) runtime: Runtime,
  ) {
    const { deployment } = runtime.infrastructure;
    this.paymentToken = deployment.paymentToken;
    if (deployment.disputeBonds)
      this.bonds = {
        address: deployment.disputeBonds,
        contract: new Contract(deployment.disputeBonds, artifacts.DisputeBonds.abi, chain.provider),
      };
  }

  async parameters(): Promise<DisputeParameters> {
    const bonds = this.required();
    const timeout = await this.timeoutSeconds(bonds.contract);
    const tokens = this.paymentToken ? [this.paymentToken] : [];
    const configs = await Promise.all(
      tokens.map(async (token) => ({ token, config: (await bonds.contract.bondToken(token)) as BondTokenConfig })),
    );
    return {
      contract: getAddress(bonds.address),
      chainId: this.chain.chainId,
      timeoutSeconds: timeout,
      bondTokens: configs
        .filter(({ config }) => config.allowed)
        .map(({ token, config }) => ({ token: getAddress(token), minBond: config.minBond.toString() })),
      arbiterRole: ROLES.ARBITER_ROLE,
      labels: [...DISPUTE_LABELS],
    };
  }

  async dispute(id: string): Promise<Dispute> {
    if (!DISPUTE_ID.test(id)) throw DisputeErrors.invalidId(id);
    const bonds = this.required();
    const row = await this.repo.find(bonds.address, id);
    if (!row) throw DisputeErrors.notFound(id);
    const timeout = row.upheld === null ? await this.timeoutSeconds(bonds.contract).catch(() => null) : null;
    return toDispute(row, timeout);
  }

  /** Disputes, newest first; `datasetField` names the query field or path parameter that named the dataset. */
  async page(query: DisputeListQuery, datasetField = 'dataset'): Promise<DisputePage> {
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    if (!this.bonds) return { items: [], total: 0, limit, offset };
    let contentRoot: string | undefined;
    if (query.dataset !== undefined) {
      if (!isDatasetRef(query.dataset)) throw datasetRefInvalid(query.dataset, datasetField);
      const dataset = await this.datasets.find(query.dataset);
      if (!dataset) throw DisputeErrors.datasetNotFound(query.dataset, datasetField);
      contentRoot = dataset.content_root;
    }
    const { rows, total } = await this.repo.page({
      contract: this.bonds.address,
      contentRoot,
      status: query.status,
      disputer: query.disputer,
      limit,
      offset,
    });
    const timeout = rows.some((r) => r.upheld === null)
      ? await this.timeoutSeconds(this.bonds.contract).catch(() => null)
      : null;
    return { items: rows.map((row) => toDispute(row, timeout)), total, limit, offset };
  }

  private async timeoutSeconds(bonds: Contract): Promise<number> {
    return Number((await bonds.disputeTimeout.staticCall()) as bigint);
  }

  private required() {
    if (!this.bonds) throw DisputeErrors.notDeployed();
    return this.bonds;
  }
}

interface BondTokenConfig {
  allowed: boolean;
  minBond: bigint;
}

const statusOf = (row: DisputeRow): DisputeStatus =>
  row.upheld === null ? 'open' : row.upheld ? 'upheld' : 'rejected';

function toDispute(row: DisputeRow, timeoutSeconds: number | null): Dispute {
  const status = statusOf(row);
  return {
    id: row.dispute_id,
    contract: getAddress(row.contract),
    status,
    label: row.label,
    contentRoot: row.content_root,
    dataset: row.dataset_id ? { id: row.dataset_id, title: row.dataset_title ?? '' } : null,
    disputer: row.disputer,
    token: row.token,
    bond: row.bond,
    evidenceHash: row.evidence_hash,
    evidenceUri: row.evidence_uri,
    claimedOwners: row.claimed_owners,
    opened: { blockNumber: Number(row.block_number), txHash: row.tx_hash, at: row.opened_at.toISOString() },
    closableFrom:
      status === 'open' && timeoutSeconds !== null
        ? new Date(row.opened_at.getTime() + timeoutSeconds * 1000).toISOString()
        : null,
    resolution:
      row.upheld === null
        ? null
        : {
            outcome: row.upheld ? 'upheld' : 'rejected',
            rightfulOwners: row.rightful_owners ?? [],
            resolver: row.resolver!,
            bondRunId: row.upheld ? null : row.bond_run_id,
            event: {
              blockNumber: Number(row.resolved_block),
              txHash: row.resolved_tx!,
              at: row.resolved_at!.toISOString(),
            },
          },
  };
}
