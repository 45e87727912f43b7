import { accessError } from '../../access/access.errors';
import { SignatureVerifier } from '../../access/signature-verifier';
import { BlobHoldersRepository } from '../../access/delivery/blob-holders.repository';
import type { Principal } from '../../access/principal';
import { Inject, Injectable } from '@nestjs/common';
import { normaliseAddress, type AccessPolicy, type Address, type Bytes32, type Sha256 } from '@upstream/api-contract';
import { recoverAddress } from 'ethers';
import { QueryFailedError } from 'typeorm';
import {
  CONTRIBUTION_VERSION,
  contributionMetadataHash,
  licenseTerms,
  licenseTermsHash,
  ProvenanceError,
  upstreamDomain,
  normalizeEntryPath,
  type ContributionMessage,
  type LicenseTerms,
} from '@upstream/provenance';
import { UsedNoncesRepository } from '../../catalogue/used-nonces.repository';
import { UnitOfWork, type Tx } from '../../common/persistence/unit-of-work';
import { AnchoringService, AnchorKind } from '../../anchoring/anchoring.service';
import { RUNTIME, type Runtime } from '../../runtime/runtime';
import { contributionError, datasetNotFound, fieldError } from '../contributions.errors';
import type { CreateDatasetDto } from './dto/create-dataset.dto';
import { MAX_UNIX_SECONDS } from '../../common/number-fields';
import { ChainService } from '../../chain/chain.service';
import type { DatasetQueryDto, PageQueryDto } from './dto/dataset-query.dto';
import type { OffsetPageQueryDto } from '../../common/page-query.dto';
import type {
  ContributorDatasetPageDto,
  DatasetDetailDto,
  DatasetOwnerPageDto,
  DatasetPageDto,
  DatasetSummaryDto,
  FilePageDto,
  FileProofDto,
  LineageDto,
} from './dto/dataset-response.dto';
import { DatasetsRepository, type DatasetRow } from './datasets.repository';
import { canonicalIndexes, type FileColumns } from './file-list/file-columns';
import type { PreparedRegistration } from './file-list/file-list';
import { FileListPool } from './file-list/file-list.pool';
import { OverlapService } from '../../integrity/overlap.service';
import { TakedownService } from '../../integrity/takedown.service';
import { GovernanceService } from '../../governance/governance.service';

/** A registration's files in canonical order (columns), and where each was in the body. */
interface PreparedFiles extends FileColumns {
  bodyIndex: Int32Array;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BYTES32_RE = /^0x[0-9a-fA-F]{64}$/;
/** 9999-12-31T23:59:59Z: beyond this a deadline is not a date Postgres can store. */
const MAX_DEADLINE = BigInt(MAX_UNIX_SECONDS);
const MAX_LISTED_REFUSALS = 20;

/**
 * Registration of datasets (a signed EIP-712 Contribution is the only authorization) and
 * the public catalogue: detail with anchor proof, files with content-root proofs, lineage.
 */
@Injectable()
export class DatasetsService {
  constructor(
    private readonly fileLists: FileListPool,
    private readonly uow: UnitOfWork,
    private readonly nonces: UsedNoncesRepository,
    private readonly repository: DatasetsRepository,
    private readonly anchoring: AnchoringService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly holders: BlobHoldersRepository,
    private readonly signatures: SignatureVerifier,
    private readonly chain: ChainService,
    private readonly overlaps: OverlapService,
    private readonly takedowns: TakedownService,
    private readonly governance: GovernanceService,
  ) {}

  /**
   * `prepared` is the body's lists (the route's `PrepareBody(FileListPool)`): the files checked and
   * hashed, the owners and parents checked for form.
   * Checks everything that can be checked without writing (formats, shares, content root,
   * terms, signature, lineage, blobs), then writes the dataset, its files, owners, parents,
   * the used nonce and the anchor item in one transaction.
   */
  async register(dto: CreateDatasetDto, prepared: PreparedRegistration, caller: Principal): Promise<DatasetDetailDto> {
    const { maxFilesPerDataset } = this.runtime.config;
    const storage = dto.storage ?? 'uploaded';
    if (storage === 'uploaded' && dto.externalUri !== undefined) {
      throw fieldError(
        'VALIDATION_FAILED',
        'externalUri',
        'only an external dataset has an externalUri (set storage: "external")',
      );
    }

    if (dto.externalUri !== undefined) this.checkExternalUri(dto.externalUri);

    if (!prepared.ok)
      throw contributionError(
        'VALIDATION_FAILED',
        prepared.errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
        prepared.errors,
      );
    // The files stay in columns to PostgreSQL: 100,000 entry objects held the event loop ~0.3 s.
    const files: PreparedFiles = prepared;
    // The body reader refuses a longer list while it streams in (request-limits.ts); this is the backstop.
    if (files.count > maxFilesPerDataset) {
      throw fieldError(
        'TOO_MANY_FILES',
        'files',
        `lists ${files.count} files; MAX_FILES_PER_DATASET is ${maxFilesPerDataset}`,
        {
          limit: 'MAX_FILES_PER_DATASET',
          maxFiles: maxFilesPerDataset,
        },
      );
    }
    const contentRoot = prepared.root;
    if (contentRoot !== dto.contentRoot) {
      throw fieldError('CONTENT_ROOT_MISMATCH', 'contentRoot', `the files' content root is ${contentRoot}`, {
        computedContentRoot: contentRoot,
      });
    }
    const terms = this.terms(dto);
    if (dto.license.fee) await this.checkFeeToken(dto.license.fee.token);
    const termsHash = licenseTermsHash(terms);
    if (dto.licenseTermsHash !== undefined && dto.licenseTermsHash !== termsHash) {
      throw fieldError('LICENSE_TERMS_MISMATCH', 'licenseTermsHash', `the license's terms hash to ${termsHash}`, {
        computedLicenseTermsHash: termsHash,
      });
    }

    const { owners: signedOwners, parents } = prepared;
    // Contribution version 2: what the catalogue will show as the owners' words is signed with the rest.
    const message: ContributionMessage = {
      contentRoot,
      metadataHash: contributionMetadataHash({
        title: dto.title,
        description: dto.description ?? '',
        externalUri: dto.externalUri ?? null,
      }),
      owners: signedOwners,
      parents,
      licenseTermsHash: termsHash,
      nonce: BigInt(dto.nonce),
      deadline: BigInt(dto.deadline),
    };
    // Formats, shares and self-parenting first; the deadline on its own below, so its refusal says "expired".
    // With its EIP-712 digest (seconds for 10,000 owners): in a worker thread for long lists.
    const { deployment } = this.runtime.infrastructure;
    const domain = upstreamDomain(deployment.chainId, deployment.provenanceRegistry);
    const { invalid, digest } = await this.fileLists.checkContribution(domain, message);
    if (invalid.length > 0 || digest === undefined)
      throw contributionError('VALIDATION_FAILED', invalid.map((e) => `${e.field}: ${e.reason}`).join('; '), invalid);
    if (message.deadline > MAX_DEADLINE)
      throw fieldError('VALIDATION_FAILED', 'deadline', 'must be unix seconds before the year 10000');
    const now = BigInt(Math.floor(Date.now() / 1000));
    if (message.deadline <= now)
      throw fieldError(
        'DEADLINE_EXPIRED',
        'deadline',
        `expired at ${message.deadline} (now ${now}); sign again with a later deadline`,
      );

    // The signer is an owner: the account key that recovers from the signature, or an owner that is a
    // contract wallet accepting it (ERC-1271).
    let recovered: string | undefined;
    try {
      recovered = recoverAddress(digest, dto.signature).toLowerCase();
    } catch {
      recovered = undefined;
    }
    const owners = signedOwners.map((o) => ({ account: o.account.toLowerCase() as Address, shareBps: o.shareBps }));
    const signer =
      owners.find((o) => o.account === recovered)?.account ??
      (await this.signatures.contractSigner(
        digest,
        dto.signature,
        owners.map((o) => o.account),
      ));
    // The message does not name its signer, so a key that is not an owner's, a body changed after
    // signing and a wrong domain all look alike: a signature that is not an owner's, 400 as on every
    // route that checks a signed message (403 SIGNER_NOT_OWNER is for a named signer without the right).
    if (signer === undefined) {
      throw fieldError(
        'INVALID_SIGNATURE',
        'signature',
        recovered === undefined
          ? 'is not a valid signature of this Contribution by an owner'
          : `is not an owner's signature of this Contribution: it recovers to ${recovered}, who is not among the owners (the wrong key signed, or the body, its title / description / externalUri, or the domain differ from what was signed as Contribution version 2)`,
        recovered === undefined ? undefined : { recovered },
      );
    }

    if (!owners.some((o) => o.account === caller.account)) {
      throw accessError('NOT_OWNER', `owners: the signed-in account ${caller.account} is not among the owners`, [
        { field: 'owners', reason: 'must include the signed-in account' },
      ]);
    }

    const existing = await this.repository.idByContentRoot(contentRoot);
    if (existing) throw this.alreadyRegistered(contentRoot, existing);
    const parentIds = await this.resolveParents(parents.map((p) => p.datasetId));
    await this.checkPreviousVersion(dto.previousVersionId, signer);
    const accessPolicy = dto.accessPolicy ?? (terms.template === 'open-training' ? 'public' : 'licensed');
    const totalBytes = BigInt(files.totalBytes);

    const datasetId = await this.uow
      .run(async (tx) => {
        const repository = this.repository.in(tx);
        if (storage === 'uploaded') await repository.holdBlobsAgainstCollection();
        // The dataset and its files are written first and checked where they now are (a refusal rolls
        // the transaction back): a large list crosses to PostgreSQL once, not once per check.
        const anchorItemId = await this.anchoring.addItem(tx, AnchorKind.Contributions, digest);
        const id = await repository.insertDataset({
          contentRoot,
          title: dto.title,
          description: dto.description ?? '',
          registrant: signer,
          storage,
          accessPolicy,
          externalUri: dto.externalUri ?? null,
          fileCount: files.count,
          totalBytes,
          licenseTemplate: terms.template,
          licenseTerms: terms,
          licenseTermsHash: termsHash,
          previousVersionId: dto.previousVersionId ?? null,
          contributionVersion: CONTRIBUTION_VERSION,
          nonce: message.nonce,
          deadline: message.deadline,
          signature: dto.signature.toLowerCase(),
          digest: digest.toLowerCase(),
          anchorItemId,
        });
        await repository.insertFiles(id, files);
        if (storage === 'uploaded') {
          await this.checkBlobs(id, files, repository);
          await this.checkPossession(tx, id, files, caller.account);
        }
        // Locks the files' digests until commit, so a racing copy of the same bytes checks after this one.
        const overlap = await this.overlaps.check(tx, {
          datasetId: id,
          sha256s: files.sha256s,
          totalBytes,
          owners: owners.map((o) => o.account),
          parentIds,
        });
        if (!(await this.nonces.in(tx).use(signer, message.nonce, 'contribution'))) {
          throw fieldError(
            'NONCE_REUSED',
            'nonce',
            `${message.nonce} was already used by ${signer}; sign again with a fresh nonce`,
          );
        }
        await this.overlaps.record(tx, id, overlap);
        await repository.insertOwners(id, owners);
        await repository.insertParents(
          id,
          parents.map((p, i) => ({ id: parentIds[i], upstreamBps: p.upstreamBps })),
        );
        // Parents must already exist, so a cycle cannot form; checked anyway because payouts recurse over lineage.
        if (await repository.hasCycle(id))
          throw fieldError('LINEAGE_CYCLE', 'parents', 'would make the dataset its own ancestor');
        return id;
      })
      .catch(async (error: unknown) => {
        // Two registrations of the same root racing: the loser is told which dataset won.
        if (
          error instanceof QueryFailedError &&
          (error.driverError as { constraint?: string }).constraint === 'datasets_content_root_key'
        ) {
          const winner = await this.repository.idByContentRoot(contentRoot);
          if (winner) throw this.alreadyRegistered(contentRoot, winner);
        }
        throw error;
      });
    return this.detail(datasetId);
  }

  async catalogue(query: DatasetQueryDto): Promise<DatasetPageDto> {
    const limit = query.limit ?? 50;
    const rows = await this.repository.catalogue({
      owner: query.owner,
      license: query.license,
      tsQuery: query.q === undefined ? undefined : toTsQuery(query.q),
      includeDelisted: query.include === 'delisted',
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: limit + 1,
    });
    const approved = await this.approvedTemplates(rows);
    return page(rows, limit, (row) => this.summary(row, approved));
  }

  async contributorDatasets(address: string, query: PageQueryDto): Promise<ContributorDatasetPageDto> {
    const account = normaliseAddress(address);
    if (!account) throw fieldError('VALIDATION_FAILED', 'address', 'must be a 0x address (40 hex digits)');
    const limit = query.limit ?? 50;
    const rows = await this.repository.catalogue({
      owner: account,
      // A contributor's own list shows its delisted datasets too (tagged).
      includeDelisted: true,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: limit + 1,
    });
    const approved = await this.approvedTemplates(rows);
    return page(rows, limit, (row) => ({
      ...this.summary(row, approved),
      shareBps: row.owner_share ?? 0,
    }));
  }

  async owners(idOrRoot: string, query: OffsetPageQueryDto): Promise<DatasetOwnerPageDto> {
    const row = await this.find(idOrRoot);
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    const { total, rows } = await this.repository.ownersPage(row.id, limit, offset);
    return { datasetId: row.id, items: rows, total, limit, offset };
  }

  async detail(idOrRoot: string): Promise<DatasetDetailDto> {
    const row = await this.find(idOrRoot);
    const [parents, nextVersionIds, anchor, overlaps, takedown, approved] = await Promise.all([
      this.repository.parentsOf(row.id),
      this.repository.nextVersionIds(row.id),
      this.anchoring.publicStatus(row.anchor_item_id),
      this.overlaps.summary(row.id),
      this.takedowns.status(row.id),
      this.approvedTemplates([row]),
    ]);
    return {
      ...this.summary(row, approved),
      parents: parents.map((p) => ({
        id: p.id,
        contentRoot: p.content_root,
        title: p.title,
        upstreamBps: p.upstream_bps,
      })),
      nextVersionIds,
      contributionVersion: row.contribution_version,
      metadataHash:
        row.contribution_version === 1
          ? null
          : contributionMetadataHash({
              title: row.title,
              description: row.description,
              externalUri: row.external_uri,
            }),
      nonce: row.nonce,
      deadline: new Date(row.deadline).toISOString(),
      signature: row.signature,
      digest: row.digest,
      anchorStatus: anchor,
      overlaps,
      takedown,
    };
  }

  async files(idOrRoot: string, query: PageQueryDto): Promise<FilePageDto> {
    const row = await this.find(idOrRoot);
    const limit = query.limit ?? 100;
    const items = await this.repository.filesPage(row.id, query.cursor, limit + 1);
    const more = items.length > limit;
    const shown = items.slice(0, limit);
    return { items: shown, nextCursor: more ? shown.at(-1)!.path : null };
  }

  async fileProof(idOrRoot: string, path: string): Promise<FileProofDto> {
    const row = await this.find(idOrRoot);
    const answer = await this.fileLists.proveFile(await this.repository.allFiles(row.id), path);
    if (!answer) throw fieldError('FILE_NOT_FOUND', 'path', `no file ${JSON.stringify(path)} in dataset ${row.id}`);
    return answer;
  }

  /** The stored file's digest, for streaming its bytes; only uploaded datasets have bytes here. */
  /** The dataset and blob behind one of its files, by path (uploaded datasets only). */
  async fileBlob(idOrRoot: string, path: string): Promise<{ datasetId: string; sha256: Sha256 }> {
    const row = await this.find(idOrRoot);
    const file =
      (await this.repository.file(row.id, path)) ?? (await this.repository.file(row.id, safeNormalize(path)));
    if (!file) throw fieldError('FILE_NOT_FOUND', 'path', `no file ${JSON.stringify(path)} in dataset ${row.id}`);
    if (row.storage === 'external') {
      throw fieldError(
        'BLOB_NOT_FOUND',
        'path',
        `dataset ${row.id} is stored externally (${row.external_uri}); its bytes are not here`,
      );
    }
    return { datasetId: row.id, sha256: file.sha256 as Sha256 };
  }

  async lineage(idOrRoot: string): Promise<LineageDto> {
    const row = await this.find(idOrRoot);
    const [ancestors, descendants] = await Promise.all([
      this.repository.lineage(row.id, 'ancestors'),
      this.repository.lineage(row.id, 'descendants'),
    ]);
    const node = (n: (typeof ancestors)[number]) => ({
      id: n.id,
      contentRoot: n.content_root,
      title: n.title,
      depth: n.depth,
      via: n.via,
      upstreamBps: n.upstream_bps,
    });
    return {
      id: row.id,
      contentRoot: row.content_root,
      ancestors: ancestors.map(node),
      descendants: descendants.map(node),
    };
  }

  /** The dataset, if `account` is one of its owners; 403 NOT_OWNER otherwise. */
  async ownedBy(idOrRoot: string, account: Address): Promise<DatasetRow> {
    const row = await this.find(idOrRoot);
    if (!row.owners.some((o) => o.account === account))
      throw accessError('NOT_OWNER', `id: ${account} is not an owner of dataset ${row.id}`, [
        { field: 'id', reason: 'the signed-in account is not an owner' },
      ]);
    return row;
  }

  /** An owner changes who may fetch the bytes; licenses already granted are untouched. */
  async setAccessPolicy(
    idOrRoot: string,
    account: Address,
    policy: AccessPolicy,
  ): Promise<{ datasetId: string; policy: AccessPolicy }> {
    const row = await this.ownedBy(idOrRoot, account);
    await this.repository.setAccessPolicy(row.id, policy);
    return { datasetId: row.id, policy };
  }

  /** A dataset by uuid or content root; 400 naming `id` when it is neither, 404 when unknown. */
  async find(idOrRoot: string): Promise<DatasetRow> {
    let row: DatasetRow | undefined;
    if (UUID_RE.test(idOrRoot)) row = await this.repository.findById(idOrRoot.toLowerCase());
    else if (BYTES32_RE.test(idOrRoot)) row = await this.repository.findByContentRoot(idOrRoot);
    else
      throw fieldError(
        'VALIDATION_FAILED',
        'id',
        'must be a dataset UUID or a content root (0x followed by 64 hex digits)',
      );
    if (!row) throw datasetNotFound(idOrRoot);
    return row;
  }

  /** The approved license templates among these datasets' terms (one query for a whole page). */
  private approvedTemplates(rows: readonly DatasetRow[]): Promise<ReadonlySet<string>> {
    return this.governance.approvedTemplateIds(rows.map((row) => row.license_terms_hash));
  }

  /** `approved`: the approved templates among the terms hashes shown (`approvedTemplates`). */
  private summary(row: DatasetRow, approved: ReadonlySet<string>): DatasetSummaryDto {
    return {
      id: row.id,
      contentRoot: row.content_root,
      title: row.title,
      description: row.description,
      storage: row.storage,
      accessPolicy: row.access_policy,
      externalUri: row.external_uri,
      fileCount: row.file_count,
      totalBytes: row.total_bytes,
      registrant: row.registrant,
      owners: row.owners.map((o) => ({ account: o.account, shareBps: o.shareBps })),
      ownerCount: row.owner_count,
      ownersUrl: `/datasets/${row.id}/owners`,
      license: {
        template: row.license_template,
        terms: row.license_terms,
        termsHash: row.license_terms_hash,
        licensingOpen: row.licensing_open,
        approvedTemplate: approved.has(row.license_terms_hash),
      },
      previousVersionId: row.previous_version_id,
      createdAt: new Date(row.created_at).toISOString(),
      takenDownAt: row.taken_down_at ? new Date(row.taken_down_at).toISOString() : null,
      tags: row.tags,
      openDisputes: row.open_disputes,
    };
  }

  /** Only the schemes of EXTERNAL_URI_SCHEMES: a catalogue shows the URI, and a page may render it as a link. */
  private checkExternalUri(uri: string): void {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
    const allowed = this.runtime.config.externalUriSchemes;
    if (scheme === undefined || !allowed.includes(scheme))
      throw fieldError(
        'VALIDATION_FAILED',
        'externalUri',
        `scheme ${scheme === undefined ? '(none)' : `${scheme}:`} is not allowed; use one of ${allowed.map((s) => `${s}:`).join(', ')} (EXTERNAL_URI_SCHEMES)`,
      );
  }

  /** A fee is paid with `payRun(ref, token, amount)`: the token must be an ERC-20 contract on this chain. */
  private async checkFeeToken(token: string): Promise<void> {
    const refusal = await this.chain.erc20Refusal(token);
    if (refusal) throw fieldError('VALIDATION_FAILED', 'license.fee.token', refusal);
  }

  private terms(dto: CreateDatasetDto): LicenseTerms {
    const { template, fee, durationDays } = dto.license;
    if (template !== 'paid-per-run' && fee !== undefined)
      throw fieldError('VALIDATION_FAILED', 'license.fee', `the ${template} template takes no fee`);
    try {
      if (template === 'paid-per-run') {
        if (!fee) throw fieldError('VALIDATION_FAILED', 'license.fee', 'paid-per-run needs a fee { token, amount }');
        return licenseTerms('paid-per-run', { token: fee.token, amount: BigInt(fee.amount) }, { durationDays });
      }
      return licenseTerms(template, { durationDays });
    } catch (error) {
      if (error instanceof ProvenanceError)
        throw fieldError('VALIDATION_FAILED', `license.${error.field ?? 'template'}`, error.reason);
      throw error;
    }
  }

  private alreadyRegistered(contentRoot: string, datasetId: string) {
    return fieldError('DATASET_EXISTS', 'contentRoot', `${contentRoot} is already registered as dataset ${datasetId}`, {
      datasetId,
    });
  }

  private async resolveParents(roots: Bytes32[]): Promise<string[]> {
    if (roots.length === 0) return [];
    const found = await this.repository.idsByContentRoots(roots);
    const details = roots.flatMap((root, i) =>
      found.has(root) ? [] : [{ field: `parents[${i}].datasetId`, reason: `no dataset has content root ${root}` }],
    );
    if (details.length > 0)
      throw contributionError('UNKNOWN_PARENT', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
    return roots.map((root) => found.get(root)!);
  }

  private async checkPreviousVersion(previousVersionId: string | undefined, signer: string): Promise<void> {
    if (previousVersionId === undefined) return;
    const owners = await this.repository.ownerAccounts(previousVersionId.toLowerCase());
    if (!owners) throw fieldError('UNKNOWN_PREVIOUS_VERSION', 'previousVersionId', `no dataset ${previousVersionId}`);
    if (!owners.some((o) => o === signer)) {
      throw fieldError(
        'NOT_PREVIOUS_VERSION_OWNER',
        'previousVersionId',
        `${signer} does not own dataset ${previousVersionId}; only its owners may register a new version`,
      );
    }
  }

  /**
   * Proof of possession: an uploaded dataset may list only bytes the registering account uploaded
   * itself or may already fetch. Knowing a published hash is not having the file.
   */
  private async checkPossession(tx: Tx, datasetId: string, files: PreparedFiles, account: Address): Promise<void> {
    const unavailable = await this.holders.in(tx).unavailableTo(account, datasetId, MAX_LISTED_REFUSALS);
    if (unavailable.total === 0) return;
    const at = canonicalIndexes(
      files.paths,
      unavailable.digests.map((d) => d.path),
    );
    const details = unavailable.digests.map(({ sha256, path }) => ({
      field: bodyField(files, at.get(path)),
      reason: `blob ${sha256} was not uploaded by ${account}, and is in no dataset it may fetch: upload the file itself`,
    }));
    const more = unavailable.total > details.length ? ` (and ${unavailable.total - details.length} more)` : '';
    throw accessError(
      'BLOB_NOT_AVAILABLE',
      `${unavailable.total} file(s) are not yours to register${more}; ${details[0].field}: ${details[0].reason}`,
      details,
    );
  }

  private async checkBlobs(datasetId: string, files: PreparedFiles, repository: DatasetsRepository): Promise<void> {
    const bad = await repository.entriesWithoutBlob(datasetId, MAX_LISTED_REFUSALS);
    if (bad.total === 0) return;
    // Name entries by their place in the request body, which may differ from the canonical order.
    const at = canonicalIndexes(
      files.paths,
      bad.entries.map((e) => e.entry.path),
    );
    const details = bad.entries.map(({ reason, storedSize, entry }) => ({
      field: bodyField(files, at.get(entry.path)),
      reason:
        reason === 'missing'
          ? `no uploaded blob ${entry.sha256} for ${entry.path}: upload the file first (or register with storage "external")`
          : `the blob ${entry.sha256} of ${entry.path} has ${storedSize} bytes, not ${entry.size}`,
    }));
    const more = bad.total > details.length ? ` (and ${bad.total - details.length} more)` : '';
    throw contributionError(
      'UNKNOWN_BLOB',
      `${bad.total} file(s) are not in the blob store${more}; ${details[0].field}: ${details[0].reason}`,
      details,
    );
  }
}

/** `files[i].sha256` of the body entry that became the canonical entry at `index`. */
function bodyField(files: PreparedFiles, index: number | undefined): string {
  return index === undefined ? 'files' : `files[${files.bodyIndex[index] ?? index}].sha256`;
}

function safeNormalize(path: string): string {
  try {
    return normalizeEntryPath(path);
  } catch {
    return path;
  }
}

/** Words (letters and digits) that must all match, each as a prefix: "cats lis" → `cats:* & lis:*`. */
function toTsQuery(text: string): string | undefined {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length === 0 ? undefined : words.map((w) => `${w.toLowerCase()}:*`).join(' & ');
}

function decodeCursor(cursor: string): { time: string; id: string } {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!time || !id || !UUID_RE.test(id) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/.test(time)) {
    throw fieldError('VALIDATION_FAILED', 'cursor', 'is not a nextCursor this API returned');
  }
  return { time, id };
}

function page<T>(
  rows: DatasetRow[],
  limit: number,
  map: (row: DatasetRow) => T,
): { items: T[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  const nextCursor =
    rows.length > limit && last ? Buffer.from(`${last.cursor_time}|${last.id}`).toString('base64url') : null;
  return { items: shown.map(map), nextCursor };
}
