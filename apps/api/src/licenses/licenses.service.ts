import { getAddress } from 'ethers';
import { SignatureVerifier } from '../access/signature-verifier';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  normaliseAddress,
  parseAddress,
  parseBytes32,
  type Address,
  type PayRunInstructions,
} from '@upstream/api-contract';
import {
  licenseAcceptanceTypedData,
  upstreamDomain,
  validateDomain,
  validateLicenseAcceptance,
  type LicenseAcceptanceMessage,
} from '@upstream/provenance';
import {
  DatasetReadRepository,
  datasetRefInvalid,
  isDatasetRef,
  type DatasetUsabilityRow,
} from '../catalogue/dataset-read.repository';
import { UsedNoncesRepository } from '../catalogue/used-nonces.repository';
import { DomainError } from '../common/errors/domain-error';
import { UnitOfWork } from '../common/persistence/unit-of-work';
import { UINT256_MAX, parseUint256 } from '../common/number-fields';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { ChainSyncService } from '../worker/chain-sync.service';
import type { CreateLicenseDto, SetLicensingDto } from './dto/create-license.dto';
import type { LicenseGrantDto, LicenseListDto, LicenseResultDto, LicensingStateDto } from './dto/license-response.dto';
import { LicenseErrors, signedMessageError } from './licenses.errors';
import { LicensesRepository, type LicenseRow } from './licenses.repository';
import { licensingChangeTypedData } from '@upstream/provenance';
import { licensePaymentRef, payRunInstructions } from './pay-run.call';
import { unavailable } from '../integrity/integrity.errors';

/**
 * Licenses: a lab signs a dataset's current terms; free terms are active at once, terms with a
 * fee once a RunPaid for the license's payment ref covers the fee (seen by the indexer).
 */
@Injectable()
export class LicensesService implements OnModuleInit {
  private readonly logger = new Logger('Licenses');

  constructor(
    private readonly signatures: SignatureVerifier,
    private readonly uow: UnitOfWork,
    private readonly repo: LicensesRepository,
    private readonly datasets: DatasetReadRepository,
    private readonly nonces: UsedNoncesRepository,
    private readonly sync: ChainSyncService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    // Only flips status; the royalties feature allocates the money (it finds the dataset through licenses.payment_ref).
    this.sync.onEvent('RunPaid', 'licenses', async (em, event) => {
      const activated = await this.repo.in(em).activateByPayment({
        id: event.id,
        runId: event.args.runId,
        token: event.args.token,
        blockTime: event.blockTime,
      });
      if (activated.length > 0)
        this.logger.log(`license ${activated.join(', ')} activated by payment in ${event.txHash}`);
    });
  }

  private get domain() {
    const { deployment } = this.runtime.infrastructure;
    return upstreamDomain(deployment.chainId, deployment.provenanceRegistry);
  }

  async create(dto: CreateLicenseDto): Promise<LicenseResultDto> {
    const message: LicenseAcceptanceMessage = {
      datasetId: dto.datasetId,
      termsHash: dto.termsHash,
      licensee: dto.licensee,
      nonce: BigInt(dto.nonce),
      deadline: BigInt(dto.deadline),
    };
    const invalid = validateLicenseAcceptance(message);
    if (invalid.length > 0) throw signedMessageError(invalid);
    const typed = licenseAcceptanceTypedData(this.domain, message);
    await assertSignedBy(this.signatures, typed, dto.signature, dto.licensee);
    const licensee = parseAddress(dto.licensee, 'licensee');

    const dataset = await this.datasets.find(message.datasetId);
    if (!dataset) throw LicenseErrors.datasetNotFound('datasetId', message.datasetId);
    const refusal = unavailable(dataset.id, dataset, 'datasetId');
    if (refusal) throw refusal;
    if (dataset.license_terms_hash !== message.termsHash) throw LicenseErrors.termsMismatch(dataset.license_terms_hash);
    if (!dataset.licensing_open) throw LicenseErrors.licensingClosed(dataset.content_root);
    const current = await this.repo.currentLicense(dataset.id, licensee);
    if (current) throw LicenseErrors.licenseExists(current.id, current.status);

    const fee = feeOf(dataset);
    // Registration refuses such fees now; a dataset registered before that must not leave a pending row behind.
    if (fee && fee.amount > UINT256_MAX) throw LicenseErrors.feeUnpayable(dataset.content_root, fee.amount);
    const paymentRef = fee ? licensePaymentRef(typed.digest) : null;
    const id = await this.uow.run(async (tx) => {
      // A takedown committed since the check above wins; one that starts now waits for this license.
      const late = unavailable(dataset.id, await this.datasets.in(tx).holdAgainstTakedown(dataset.id), 'datasetId');
      if (late) throw late;
      if (!(await this.nonces.in(tx).use(licensee, message.nonce, 'license')))
        throw LicenseErrors.nonceReused(dto.licensee, message.nonce);
      return this.repo.in(tx).insert({
        datasetId: dataset.id,
        licensee,
        termsHash: dto.termsHash,
        status: fee ? 'pending_payment' : 'active',
        feeToken: fee?.token ?? null,
        feeAmount: fee?.amount ?? 0n,
        paymentRef,
        nonce: message.nonce,
        deadline: new Date(dto.deadline * 1000),
        signature: dto.signature,
        digest: parseBytes32(typed.digest, 'digest'),
        durationDays: durationOf(dataset.license_terms),
      });
    });
    return this.get(id);
  }

  async get(id: string): Promise<LicenseResultDto> {
    const row = await this.repo.findById(id);
    if (!row) throw LicenseErrors.licenseNotFound(id);
    const license = toLicenseDto(row);
    return row.status === 'pending_payment' && row.payment_ref && row.fee_token && payable(row.fee_amount)
      ? { license, payment: this.payment(row.payment_ref, row.fee_token, BigInt(row.fee_amount)) }
      : { license };
  }

  payment(runId: string, token: string, amount: bigint): PayRunInstructions {
    return payRunInstructions(this.runtime.infrastructure.deployment.royaltySplitter, runId, token, amount);
  }

  async listForLab(address: string, limit = 100, offset = 0): Promise<LicenseListDto> {
    const lab = normaliseAddress(address);
    if (!lab)
      throw new DomainError('VALIDATION_FAILED', 'address must be a 0x address', [
        { field: 'address', reason: 'must be 0x followed by 40 hex digits' },
      ]);
    const { rows, total } = await this.repo.listByLicensee(lab, limit, offset);
    return { items: rows.map(toLicenseDto), total, limit, offset };
  }

  async listForDataset(ref: string, limit = 100, offset = 0): Promise<LicenseListDto> {
    const dataset = await this.dataset(ref);
    const { rows, total } = await this.repo.listByDataset(dataset.id, limit, offset);
    return { items: rows.map(toLicenseDto), total, limit, offset };
  }

  /** An owner opens or closes a dataset to new licenses with a signed LicensingChange. */
  async setLicensing(ref: string, dto: SetLicensingDto): Promise<LicensingStateDto> {
    const dataset = await this.dataset(ref);
    const message = {
      datasetId: dataset.content_root,
      open: dto.open,
      nonce: BigInt(dto.nonce),
      deadline: BigInt(dto.deadline),
    };
    const domainErrors = validateDomain(this.domain);
    if (domainErrors.length > 0) throw signedMessageError(domainErrors);
    if (message.deadline <= BigInt(Math.floor(Date.now() / 1000)))
      throw signedMessageError([{ field: 'deadline', reason: 'must be in the future' }]);
    await assertSignedBy(this.signatures, licensingChangeTypedData(this.domain, message), dto.signature, dto.signer);
    const signer = parseAddress(dto.signer, 'signer');
    if (!(await this.repo.isOwner(dataset.id, signer))) throw LicenseErrors.signerNotOwner(dto.signer);
    const refusal = dto.open ? unavailable(dataset.id, dataset, 'open') : null;
    if (refusal) throw refusal;
    const changedAt = await this.uow.run(async (tx) => {
      if (!(await this.nonces.in(tx).use(signer, message.nonce, 'licensing')))
        throw LicenseErrors.nonceReused(dto.signer, message.nonce);
      return this.repo.in(tx).setLicensingOpen(dataset.id, dto.open);
    });
    return { datasetId: message.datasetId, licensingOpen: dto.open, changedAt: new Date(changedAt).toISOString() };
  }

  private async dataset(ref: string): Promise<DatasetUsabilityRow> {
    if (!isDatasetRef(ref)) throw datasetRefInvalid(ref);
    const dataset = await this.datasets.find(ref);
    if (!dataset) throw LicenseErrors.datasetNotFound('id', ref);
    return dataset;
  }
}

/**
 * Throws INVALID_SIGNATURE unless `signature` over the typed data is `expected`'s: an EOA's ECDSA
 * signature (the address's EIP-55 checksum, if mixed-case, must be right), or a contract wallet's
 * ERC-1271 approval.
 */
export async function assertSignedBy(
  verifier: SignatureVerifier,
  typed: { digest: string },
  signature: string,
  expected: string,
): Promise<void> {
  if (getAddressOrUndefined(expected) === undefined) throw LicenseErrors.badSignature(expected);
  const check = await verifier.check(typed.digest, signature, expected.toLowerCase() as Address);
  if (!check.valid)
    throw LicenseErrors.badSignature(
      expected,
      check.recovered ? `recovers to ${check.recovered}, not ${expected}` : check.reason,
    );
}

function getAddressOrUndefined(value: string): string | undefined {
  try {
    return getAddress(value);
  } catch {
    return undefined;
  }
}

function feeOf(dataset: DatasetUsabilityRow): { token: Address; amount: bigint } | null {
  const fee = dataset.license_terms?.fee as { token?: unknown; amount?: unknown } | null | undefined;
  if (!fee || typeof fee.token !== 'string') return null;
  const amount =
    typeof fee.amount === 'string' && /^[0-9]{1,100}$/.test(fee.amount)
      ? BigInt(fee.amount)
      : typeof fee.amount === 'number' && Number.isSafeInteger(fee.amount)
        ? BigInt(fee.amount)
        : 0n;
  const token = normaliseAddress(fee.token);
  return amount > 0n && token !== undefined ? { token, amount } : null;
}

/** Payment instructions exist only for a fee an ERC-20 transfer can carry (rows from before the uint256 check may not). */
function payable(amount: string): boolean {
  return parseUint256(amount, 1n) !== undefined;
}

/** The terms' `durationDays` (1–3650, checked when the dataset was registered), or null: no end. */
export function durationOf(terms: Record<string, unknown> | null): number | null {
  const days = terms?.durationDays;
  return typeof days === 'number' && Number.isInteger(days) && days > 0 ? days : null;
}

export function toLicenseDto(row: LicenseRow): LicenseGrantDto {
  return {
    id: row.id,
    datasetId: row.dataset_root,
    datasetUuid: row.dataset_id,
    template: row.license_template,
    licensee: row.licensee,
    termsHash: row.terms_hash,
    status: row.status,
    fee: row.fee_token ? { token: row.fee_token, amount: String(row.fee_amount) } : null,
    paymentRef: row.payment_ref ?? null,
    digest: row.digest,
    expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
    activatedAt: row.activated_at ? new Date(row.activated_at).toISOString() : null,
    activationTx: row.activation_tx ?? null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
