import { Injectable } from '@nestjs/common';
import { normaliseAddress, normaliseBytes32 } from '@upstream/api-contract';
import { DatasetReadRepository, datasetRefInvalid, isDatasetRef } from '../catalogue/dataset-read.repository';
import { DomainError } from '../common/errors/domain-error';
import { LicenseErrors } from '../licenses/licenses.errors';
import type { RunRow } from '../runs/runs.repository';
import { RunsRepository } from '../runs/runs.repository';
import { RunsService, toPaymentTotal } from '../runs/runs.service';
import { runCroissant } from './croissant';
import { AuditRepository, type DatasetRunRow } from './audit.repository';
import type {
  ContributorRunsDto,
  DatasetRunDto,
  DatasetRunsDto,
  ModelProvenanceDto,
  RunProvenanceDto,
} from './dto/audit-response.dto';
import type { RunPaymentTotalDto } from '../runs/dto/run-response.dto';

const VERIFICATION =
  'Each proof is an OpenZeppelin StandardMerkleTree proof of the leaf abi.encode(bytes32 datasetId, uint256 weight) in run.entriesRoot, ' +
  'which the lab signed in its EIP-712 TrainingRun manifest (run.signature over the Upstream domain; run.runId is that digest). ' +
  'run.anchor.batch.proof proves run.runId in the batch root anchored by ProvenanceRegistry.anchor (run.anchor.anchor.txHash).';

/** Public audit: which data trained a model (with owners, licenses and proofs), and which runs used a dataset. */
@Injectable()
export class AuditService {
  constructor(
    private readonly runs: RunsService,
    private readonly runsRepo: RunsRepository,
    private readonly datasets: DatasetReadRepository,
    private readonly repo: AuditRepository,
  ) {}

  async runProvenance(ref: string, limit = 100, offset = 0): Promise<RunProvenanceDto> {
    return this.provenanceOf(await this.runs.findRun(ref), limit, offset);
  }

  async modelProvenance(modelHash: string, limit = 100): Promise<ModelProvenanceDto> {
    const model = normaliseBytes32(modelHash);
    if (!model)
      throw new DomainError('VALIDATION_FAILED', 'modelHash must be bytes32 hex', [
        { field: 'modelHash', reason: 'must be 0x followed by 64 hex digits' },
      ]);
    const rows = await this.runsRepo.runsByModel(model);
    const runs: RunProvenanceDto[] = [];
    for (const row of rows) runs.push(await this.provenanceOf(row, limit, 0));
    return { modelHash: model, runs };
  }

  async runCroissant(ref: string, baseUrl: string, limit = 1000, offset = 0): Promise<Record<string, unknown>> {
    return runCroissant(await this.runProvenance(ref, limit, offset), baseUrl);
  }

  async datasetRuns(ref: string, limit = 100, offset = 0): Promise<DatasetRunsDto> {
    if (!isDatasetRef(ref)) throw datasetRefInvalid(ref);
    const dataset = await this.datasets.find(ref);
    if (!dataset) throw LicenseErrors.datasetNotFound('id', ref);
    const { rows, total } = await this.repo.runsForDataset(dataset.id, limit, offset);
    return {
      datasetId: dataset.content_root,
      datasetUuid: dataset.id,
      items: await this.withPayments(rows),
      total,
      limit,
      offset,
    };
  }

  async contributorRuns(address: string, limit = 100, offset = 0): Promise<ContributorRunsDto> {
    const account = normaliseAddress(address);
    if (!account)
      throw new DomainError('VALIDATION_FAILED', 'address must be a 0x address', [
        { field: 'address', reason: 'must be 0x followed by 40 hex digits' },
      ]);
    const { rows, total } = await this.repo.runsForContributor(account, limit, offset);
    return { address: account, items: await this.withPayments(rows), total, limit, offset };
  }

  private async provenanceOf(row: RunRow, limit: number, offset: number): Promise<RunProvenanceDto> {
    const [run, page] = await Promise.all([this.runs.get(row.id), this.runsRepo.entriesPage(row.id, limit, offset)]);
    const uuids = page.map((e) => e.dataset_id);
    const [facts, licenses, proofs] = await Promise.all([
      this.repo.datasetFacts(uuids),
      this.repo.labLicenses(row.lab, uuids),
      this.runs.proofs(
        row,
        page.map((e) => e.dataset_root),
      ),
    ]);
    const factsById = new Map(facts.map((f) => [f.id, f]));
    return {
      run,
      entries: page.map((e) => {
        const f = factsById.get(e.dataset_id)!;
        return {
          position: e.position,
          datasetId: e.dataset_root,
          datasetUuid: e.dataset_id,
          title: f.title,
          weight: e.weight,
          licenseTemplate: f.license_template,
          owners: f.owners,
          licenses: licenses
            .filter((l) => l.dataset_id === e.dataset_id)
            .map((l) => ({
              id: l.id,
              status: l.status,
              termsHash: l.terms_hash,
              activatedAt: l.activated_at ? new Date(l.activated_at).toISOString() : null,
              expiresAt: l.expires_at ? new Date(l.expires_at).toISOString() : null,
              activationTx: l.activation_tx ?? null,
            })),
          proof: proofs.get(e.dataset_root)!,
        };
      }),
      limit,
      offset,
      total: row.entry_count,
      verification: VERIFICATION,
    };
  }

  private async withPayments(rows: DatasetRunRow[]): Promise<DatasetRunDto[]> {
    const totals = await this.runs.paymentTotals([...new Set(rows.map((r) => r.run_id))]);
    const byRun = new Map<string, RunPaymentTotalDto[]>();
    for (const t of totals) byRun.set(t.run_id, [...(byRun.get(t.run_id) ?? []), toPaymentTotal(t)]);
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      lab: r.lab,
      modelName: r.model_name,
      modelHash: r.model_hash,
      datasetId: r.dataset_root,
      weightUnit: r.weight_unit,
      weight: r.weight,
      totalWeight: r.total_weight,
      ...(r.share_bps !== undefined ? { shareBps: r.share_bps } : {}),
      recordedAt: new Date(r.created_at).toISOString(),
      paid: byRun.get(r.run_id) ?? [],
    }));
  }
}
