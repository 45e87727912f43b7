import { Inject, Injectable } from '@nestjs/common';
import { normaliseAddress, type DatasetTakedown } from '@upstream/api-contract';
import { takedownTypedData, upstreamDomain } from '@upstream/provenance';
import { SignatureVerifier } from '../access/signature-verifier';
import { DatasetReadRepository, datasetRefInvalid, isDatasetRef } from '../catalogue/dataset-read.repository';
import { UsedNoncesRepository } from '../catalogue/used-nonces.repository';
import { UnitOfWork } from '../common/persistence/unit-of-work';
import { datasetNotFound } from '../contributions/contributions.errors';
import { AnchoringService, AnchorKind } from '../anchoring/anchoring.service';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import type { TakedownDto } from './dto/takedown.dto';
import { integrityError } from './integrity.errors';
import { TakedownRepository, type TakedownRow } from './takedown.repository';

const field = (
  code: Parameters<typeof integrityError>[0],
  name: string,
  reason: string,
  meta?: Record<string, unknown>,
) => integrityError(code, `${name}: ${reason}`, [{ field: name, reason }], meta);

/**
 * Takedowns (issue 15): an owner's signed EIP-712 Takedown withdraws a dataset version. Licensing and
 * delivery read it through DatasetReadRepository and refuse with 410 DATASET_WITHDRAWN; runs, their
 * entries and the ledger are untouched, so runs that used it keep their record and royalties.
 * The signed record is anchored like a registration: its digest is a leaf of the next batch of
 * takedowns (ProvenanceRegistry kind 2), queued in the takedown's own transaction.
 */
@Injectable()
export class TakedownService {
  constructor(
    private readonly repository: TakedownRepository,
    private readonly datasets: DatasetReadRepository,
    private readonly nonces: UsedNoncesRepository,
    private readonly signatures: SignatureVerifier,
    private readonly uow: UnitOfWork,
    private readonly anchoring: AnchoringService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  async takeDown(ref: string, dto: TakedownDto): Promise<DatasetTakedown> {
    if (!isDatasetRef(ref)) throw datasetRefInvalid(ref);
    const dataset = await this.datasets.find(ref);
    if (!dataset) throw datasetNotFound(ref);
    const message = {
      datasetId: dataset.content_root,
      reason: dto.reason,
      deleteBytes: dto.deleteBytes ?? false,
      nonce: BigInt(dto.nonce),
      deadline: BigInt(dto.deadline),
    };
    const now = BigInt(Math.floor(Date.now() / 1000));
    if (message.deadline <= now)
      throw field('DEADLINE_EXPIRED', 'deadline', `expired at ${message.deadline} (now ${now}); sign again`);
    const { deployment } = this.runtime.infrastructure;
    const typed = takedownTypedData(upstreamDomain(deployment.chainId, deployment.provenanceRegistry), message);
    const signer = normaliseAddress(dto.signer);
    if (!signer) throw field('INVALID_SIGNATURE', 'signer', 'must be a 0x address (40 hex digits)');
    const check = await this.signatures.check(typed.digest, dto.signature, signer);
    if (!check.valid)
      throw field(
        'INVALID_SIGNATURE',
        'signature',
        `is not ${signer}'s signature of this Takedown (${check.reason}); the datasetId signed is the content root ${dataset.content_root}`,
      );
    if (!(await this.repository.isOwner(dataset.id, signer)))
      throw field('SIGNER_NOT_OWNER', 'signer', `${signer} is not an owner of dataset ${dataset.id}`);
    if (dataset.takedown) throw this.already(dataset.id, dataset.takedown.taken_down_at);

    await this.uow.run(async (tx) => {
      if (!(await this.nonces.in(tx).use(signer, message.nonce, 'takedown')))
        throw field('NONCE_REUSED', 'nonce', `${message.nonce} was already used by ${signer}; sign again`);
      const repository = this.repository.in(tx);
      await repository.lockDataset(dataset.id);
      // Queued in this transaction: a takedown that commits is anchored, one that does not leaves no item.
      const anchorItemId = await this.anchoring.addItem(tx, AnchorKind.Takedowns, typed.digest);
      const inserted = await repository.insert({
        datasetId: dataset.id,
        signer,
        reason: message.reason,
        deleteBytes: message.deleteBytes,
        nonce: message.nonce,
        deadline: message.deadline,
        signature: dto.signature.toLowerCase(),
        digest: typed.digest.toLowerCase(),
        anchorItemId,
      });
      // Two takedowns racing: the second finds the first's row.
      if (!inserted) throw this.already(dataset.id);
      if (message.deleteBytes) await repository.deleteBytes(dataset.id);
    });
    return (await this.status(dataset.id))!;
  }

  /** A dataset's takedown, or null while it is live. */
  async status(datasetId: string): Promise<DatasetTakedown | null> {
    const row = await this.repository.find(datasetId);
    return row ? toDto(row, await this.anchoring.publicStatus(row.anchor_item_id)) : null;
  }

  private already(datasetId: string, at?: string) {
    return field(
      'ALREADY_TAKEN_DOWN',
      'id',
      `dataset ${datasetId} was already taken down${at ? ` at ${new Date(at).toISOString()}` : ''}`,
      { datasetId },
    );
  }
}

function toDto(row: TakedownRow, anchorStatus: DatasetTakedown['anchorStatus']): DatasetTakedown {
  return {
    datasetId: row.dataset_id,
    contentRoot: row.content_root,
    takenDownAt: new Date(row.taken_down_at).toISOString(),
    reason: row.reason,
    signer: row.signer,
    deleteBytes: row.delete_bytes,
    bytesDeletedAt: row.bytes_deleted_at ? new Date(row.bytes_deleted_at).toISOString() : null,
    blobsDeleted: row.blobs_deleted,
    blobsKept: row.blobs_kept,
    digest: row.digest,
    signature: row.signature,
    anchorStatus,
  };
}
