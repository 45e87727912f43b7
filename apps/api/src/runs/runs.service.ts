import { accessError } from '../access/access.errors';
import type { Principal } from '../access/principal';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { getAddress } from 'ethers';
import { normaliseAddress, parseAddress, parseBytes32, type PayRunInstructions } from '@upstream/api-contract';
import {
  ProvenanceError,
  trainingRunTypedData,
  upstreamDomain,
  validateTrainingRun,
  type RunEntriesTree,
  type TrainingRunMessage,
} from '@upstream/provenance';
import { AnchorKind, AnchoringService } from '../anchoring/anchoring.service';
import { UsedNoncesRepository } from '../catalogue/used-nonces.repository';
import { OffLoopPool } from '../common/off-loop/off-loop.pool';
import { UnitOfWork } from '../common/persistence/unit-of-work';
import { DomainError } from '../common/errors/domain-error';
import { UINT256_MAX } from '../common/number-fields';
import { LicenseErrors, signedMessageError } from '../licenses/licenses.errors';
import { assertSignedBy } from '../licenses/licenses.service';
import { SignatureVerifier } from '../access/signature-verifier';
import { payRunInstructions } from '../licenses/pay-run.call';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { WorkerService } from '../worker/worker.service';
import type { CreateRunDto, PaymentQueryDto, RunEntriesChunkDto } from './dto/create-run.dto';
import type {
  AnchorStatusDto,
  RunDto,
  RunEntriesPageDto,
  RunEntryProofDto,
  RunPaymentTotalDto,
  RunUploadDto,
} from './dto/run-response.dto';
import { MAX_NAMED, type RunEntriesResult } from './run-entries.validator';
import type { EntryColumns } from './runs.repository';
import { RunTreeCache } from './run-tree.cache';
import { fromProvenanceError, RunErrors } from './runs.errors';
import {
  parseRunRef,
  RunsRepository,
  type PaymentTotalRow,
  type RunFeeRow,
  type RunRow,
  type UploadRow,
} from './runs.repository';

/** Unfinished uploads are dropped after this long without a chunk. */
const STALE_UPLOAD_HOURS = 24;

/**
 * Training runs: a lab's signed manifest (EIP-712 TrainingRun) and its entries, uploaded whole or in
 * chunks, checked set-based against datasets and the lab's active licenses, and committed all at once:
 * the run, its entries and its anchor item in one transaction. runId (payRun's bytes32) = the manifest's
 * EIP-712 digest.
 */
@Injectable()
export class RunsService implements OnModuleInit {
  private readonly trees = new RunTreeCache();

  constructor(
    private readonly signatures: SignatureVerifier,
    private readonly uow: UnitOfWork,
    private readonly repo: RunsRepository,
    private readonly nonces: UsedNoncesRepository,
    private readonly anchoring: AnchoringService,
    private readonly worker: WorkerService,
    private readonly pool: OffLoopPool,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    this.worker.addJob('run-uploads-expire', () =>
      this.repo.deleteStaleUploads(STALE_UPLOAD_HOURS).then(() => undefined),
    );
  }

  private get domain() {
    const { deployment } = this.runtime.infrastructure;
    return upstreamDomain(deployment.chainId, deployment.provenanceRegistry);
  }

  /** Checks the signed manifest and opens an upload; with all entries included, commits at once. */
  async create(dto: CreateRunDto, entries: RunEntriesResult, caller: Principal): Promise<RunUploadDto> {
    const message: TrainingRunMessage = {
      runRef: dto.runRef,
      modelName: dto.modelName,
      modelHash: dto.modelHash,
      entriesRoot: dto.entriesRoot,
      entryCount: BigInt(dto.entryCount),
      weightUnit: dto.weightUnit,
      startedAt: BigInt(dto.startedAt),
      endedAt: BigInt(dto.endedAt),
      nonce: BigInt(dto.nonce),
      deadline: BigInt(dto.deadline),
    };
    const invalid = validateTrainingRun(message);
    if (invalid.length > 0) throw signedMessageError(invalid);
    const typed = trainingRunTypedData(this.domain, message);
    await assertSignedBy(this.signatures, typed, dto.signature, dto.lab);
    const lab = parseAddress(dto.lab, 'lab');
    if (caller.account !== lab)
      throw accessError('NOT_OWNER', `lab: a run of ${lab} is recorded by ${lab} itself, not ${caller.account}`, [
        { field: 'lab', reason: 'is not the signed-in account' },
      ]);
    const digest = parseBytes32(typed.digest, 'digest');
    const existing = await this.repo.runByDigest(digest);
    if (existing) throw RunErrors.runExists(existing.id, digest);
    if (await this.nonces.isUsed(lab, message.nonce)) throw LicenseErrors.nonceReused(dto.lab, message.nonce);

    const first = entries.ok && !entries.present ? undefined : this.checkChunk(entries, 0, dto.entryCount);
    const upload = await this.uow.run((tx) =>
      this.repo.in(tx).createUpload({ ...dto, lab, nonce: message.nonce, digest }),
    );
    if (!first) return toUploadDto(upload);
    const received = await this.uow.run((tx) => this.repo.in(tx).insertUploadEntries(upload.id, 0, first));
    if (received < upload.entry_count) return { ...toUploadDto(upload), received };
    return this.commit(upload.id, caller);
  }

  /** Appends the chunk at `offset` (= entries received so far, so a retried chunk is refused, not doubled). */
  async addEntries(
    id: string,
    dto: RunEntriesChunkDto,
    entries: RunEntriesResult,
    caller: Principal,
  ): Promise<RunUploadDto> {
    const upload = await this.repo.findUpload(id);
    // Another account's upload is not there for this caller: the same 404 as none at all.
    if (!upload || upload.lab !== caller.account) throw RunErrors.uploadNotFound(id);
    const chunk = this.checkChunk(entries, dto.offset, upload.entry_count);
    const received = await this.uow.run(async (tx) => {
      const locked = await this.repo.in(tx).findUpload(id, true);
      if (!locked) throw RunErrors.uploadNotFound(id);
      if (locked.received !== dto.offset) throw RunErrors.chunkOffset(locked.received, dto.offset);
      return this.repo.in(tx).insertUploadEntries(id, dto.offset, chunk);
    });
    return { ...toUploadDto(upload), received };
  }

  /**
   * Verifies the whole manifest (count, root, datasets, licenses) and records it in one transaction.
   * A refused manifest's upload is deleted: nothing of it stays.
   */
  async commit(id: string, caller: Principal): Promise<RunUploadDto> {
    const upload = await this.repo.findUpload(id);
    if (!upload || upload.lab !== caller.account) throw RunErrors.uploadNotFound(id);
    if (upload.received < upload.entry_count) throw RunErrors.incomplete(upload.received, upload.entry_count);
    try {
      // The entries root is rebuilt in a worker thread from the staged columns (read on a connection of its own)
      // while the transaction copies the entries: the two overlap, and the event loop does neither.
      const rebuilding = settled(this.entriesTree(id, upload.entry_count));
      await this.repo.analyzeStaging();
      await this.uow
        .run(async (tx) => {
          const locked = await this.repo.in(tx).findUpload(id, true);
          if (!locked) throw RunErrors.uploadNotFound(id);
          if (!(await this.nonces.in(tx).use(upload.lab, BigInt(upload.nonce), 'training-run'))) {
            throw LicenseErrors.nonceReused(upload.lab, BigInt(upload.nonce));
          }
          const anchorItemId = await this.anchoring.addItem(tx, AnchorKind.TrainingRuns, upload.digest);
          await this.repo.in(tx).insertRun(upload, anchorItemId);
          const copied = await settled(this.repo.in(tx).insertLicensedEntries(id, upload.lab));
          const tree = await rebuilding;
          // A refusal of the entries themselves (a dataset listed twice across chunks) comes before the copy's.
          if ('error' in tree) throw tree.error;
          if (tree.value.root !== upload.entries_root)
            throw RunErrors.rootMismatch(upload.entries_root, tree.value.root);
          if (tree.value.totalWeight > UINT256_MAX) throw RunErrors.totalWeightTooLarge(tree.value.totalWeight);
          if ('error' in copied) throw copied.error;
          if (copied.value !== upload.entry_count) throw new RefusedEntries();
          await this.repo.in(tx).setTotalWeight(id, tree.value.totalWeight);
          await this.repo.in(tx).recordRunFees(id, upload.lab);
          await this.repo.in(tx).deleteUpload(id);
        })
        .finally(() => rebuilding);
    } catch (error) {
      // Name the refused entries (a second, read-only pass; only on the failure path).
      const refusal = error instanceof RefusedEntries ? await this.refusal(upload) : error;
      if (refusal instanceof DomainError && refusal.code !== 'RUN_NOT_FOUND' && refusal.code !== 'RUN_INCOMPLETE')
        await this.repo.deleteUpload(id);
      throw refusal;
    }
    const run = await this.get(id);
    return { id, runId: run.runId, status: 'committed', received: run.entryCount, entryCount: run.entryCount, run };
  }

  async get(ref: string): Promise<RunDto> {
    const row = await this.findRun(ref);
    const [anchor, paid, fees] = await Promise.all([
      this.anchoring.status(row.anchor_item_id),
      this.repo.paymentTotals([row.run_id]),
      this.repo.runFees(row.id),
    ]);
    return toRunDto(row, anchor, paid.map(toPaymentTotal), fees);
  }

  async findRun(ref: string): Promise<RunRow> {
    const parsed = parseRunRef(ref);
    const row = parsed && (await this.repo.findRun(parsed));
    if (!row) throw RunErrors.runNotFound(ref);
    return row;
  }

  async entries(ref: string, limit = 100, offset = 0): Promise<RunEntriesPageDto> {
    const run = await this.findRun(ref);
    const rows = await this.repo.entriesPage(run.id, limit, offset);
    return {
      runId: run.run_id,
      items: rows.map((r) => ({
        position: r.position,
        datasetId: r.dataset_root,
        datasetUuid: r.dataset_id,
        weight: r.weight,
      })),
      limit,
      offset,
      total: run.entry_count,
    };
  }

  /** The inclusion proof of one dataset's entry in the run's signed entries root. */
  /** `datasetId` is the dataset's uuid or its content root, as everywhere else. */
  async entryProof(ref: string, datasetId: string): Promise<RunEntryProofDto> {
    const run = await this.findRun(ref);
    const entry = await this.repo.entryByDataset(run.id, datasetId);
    if (!entry)
      throw new DomainError('NOT_FOUND', `dataset ${datasetId} is not in run ${run.run_id}`, [
        { field: 'datasetId', reason: 'not an entry of this run' },
      ]);
    const tree = await this.tree(run);
    return {
      runId: run.run_id,
      entriesRoot: tree.root,
      entry: {
        position: entry.position,
        datasetId: entry.dataset_root,
        datasetUuid: entry.dataset_id,
        weight: entry.weight,
      },
      proof: tree.proof(entry.dataset_root),
    };
  }

  /** Proofs for many entries of one run (one tree build). */
  async proofs(run: RunRow, datasetRoots: string[]): Promise<Map<string, string[]>> {
    const tree = await this.tree(run);
    return new Map(datasetRoots.map((r) => [r, tree.proof(r)]));
  }

  tree(run: RunRow): Promise<RunEntriesTree> {
    return this.trees.get(run.id, () => this.repo.runEntries(run.id));
  }

  /**
   * What to send to pay `amount` of royalties for a run: approve + payRun(runId, token, amount + fees), where
   * fees are the run's per-run fees still owed in that token (a payment pays them first; see docs/reference/licenses.md).
   */
  async payment(ref: string, query: PaymentQueryDto): Promise<PayRunInstructions> {
    const run = await this.findRun(ref);
    const { deployment } = this.runtime.infrastructure;
    const token = query.token ?? (deployment.paymentToken && getAddress(deployment.paymentToken));
    if (!token)
      throw new DomainError('VALIDATION_FAILED', 'no default payment token on this chain', [
        { field: 'token', reason: 'required: this deployment has no PaymentToken' },
      ]);
    const fees = (await this.repo.runFees(run.id))
      .filter((f) => f.token === normaliseAddress(token) && BigInt(f.amount) > BigInt(f.paid))
      .map((f) => ({ datasetId: f.dataset_root, amount: (BigInt(f.amount) - BigInt(f.paid)).toString() }));
    const royalty = BigInt(query.amount);
    const total = fees.reduce((sum, f) => sum + BigInt(f.amount), royalty);
    return {
      ...payRunInstructions(deployment.royaltySplitter, run.run_id, token, total),
      royalty: royalty.toString(),
      fees,
    };
  }

  async paymentTotals(runIds: string[]): Promise<PaymentTotalRow[]> {
    return this.repo.paymentTotals(runIds);
  }

  /** The staged manifest's entries root and total weight, built in a worker thread; refused as the provenance lib refuses. */
  private async entriesTree(id: string, entryCount: number): Promise<{ root: string; totalWeight: bigint }> {
    const columns = await this.repo.uploadColumns(id);
    if (columns.count !== entryCount) throw RunErrors.incomplete(columns.count, entryCount);
    let built = await this.pool.run('runEntriesTreeOf', { roots: columns.roots, weights: columns.weights });
    if (!built.ok) {
      // Refused whatever the order; read again in manifest order so the refusal names the right entries[i].
      const ordered = await this.repo.uploadColumns(id, true);
      built = await this.pool.run('runEntriesTreeOf', { roots: ordered.roots, weights: ordered.weights });
    }
    if (!built.ok) throw fromProvenanceError(new ProvenanceError(built.code, built.reason, built.field));
    return { root: built.root, totalWeight: BigInt(built.totalWeight) };
  }

  /** A chunk's entries as prepared (`PrepareBody`), refused when they do not fit the manifest or break a rule. */
  private checkChunk(entries: RunEntriesResult, offset: number, entryCount: number): EntryColumns {
    if (offset + entries.count > entryCount) throw RunErrors.tooManyEntries(entryCount, offset + entries.count);
    if (!entries.ok) throw RunErrors.invalidEntries(entries.errors);
    return entries;
  }

  /** Why a run's entries could not all be copied: unknown datasets first, then delisted, then unlicensed ones, named. */
  private async refusal(upload: UploadRow): Promise<DomainError> {
    const refused = await this.repo.refusedEntries(upload.id, upload.lab, MAX_NAMED);
    const unknown = refused.filter((r) => r.unknown);
    if (unknown.length > 0) {
      return RunErrors.unknownDatasets(
        unknown.map((r) => ({
          field: `entries[${r.position}].datasetId`,
          reason: `no dataset with content root ${r.dataset_root}`,
        })),
        Number(unknown[0].n),
      );
    }
    const delisted = refused.filter((r) => r.delisted);
    if (delisted.length > 0) {
      return RunErrors.delistedDatasets(
        delisted.map((r) => ({
          field: `entries[${r.position}].datasetId`,
          reason: `dataset ${r.dataset_root} is delisted: a dispute against it was upheld`,
        })),
        Number(delisted[0].n),
      );
    }
    return RunErrors.unlicensedDatasets(
      upload.lab,
      refused.map((r) => ({
        field: `entries[${r.position}].datasetId`,
        reason: `no active license for dataset ${r.dataset_root}`,
      })),
      Number(refused[0]?.n ?? 0),
    );
  }
}

/** A promise's outcome as a value, so two run side by side and the first failure does not leave the other unhandled. */
function settled<T>(work: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** Thrown inside the commit transaction to roll it back when some entries were not copied. */
class RefusedEntries extends Error {}

export function toPaymentTotal(row: PaymentTotalRow): RunPaymentTotalDto {
  return { token: row.token, amount: row.amount, fee: row.fee, net: row.net, payments: row.payments };
}

function toUploadDto(upload: UploadRow): RunUploadDto {
  return {
    id: upload.id,
    runId: upload.digest,
    status: 'open',
    received: upload.received,
    entryCount: upload.entry_count,
  };
}

export function toRunDto(
  row: RunRow,
  anchor: AnchorStatusDto,
  paid: RunPaymentTotalDto[],
  fees: readonly RunFeeRow[],
): RunDto {
  return {
    id: row.id,
    runId: row.run_id,
    lab: row.lab,
    modelName: row.model_name,
    modelHash: row.model_hash,
    runRef: row.run_ref,
    entriesRoot: row.entries_root,
    entryCount: row.entry_count,
    weightUnit: row.weight_unit,
    totalWeight: String(row.total_weight),
    startedAt: new Date(row.started_at).toISOString(),
    endedAt: new Date(row.ended_at).toISOString(),
    nonce: String(row.nonce),
    deadline: new Date(row.deadline).toISOString(),
    signature: row.signature,
    createdAt: new Date(row.created_at).toISOString(),
    anchor,
    paid,
    fees: fees.map((f) => ({ datasetId: f.dataset_root, token: f.token, amount: f.amount, paid: f.paid })),
    feeStatus:
      fees.length === 0 ? 'none' : fees.every((f) => BigInt(f.paid) >= BigInt(f.amount)) ? 'paid' : 'awaiting_fee',
  };
}
