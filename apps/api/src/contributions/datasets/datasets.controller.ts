import { Body, Controller, Get, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrors } from '../../common/errors/api-errors.decorator';
import { PrepareBody, PreparedBody } from '../../common/body/prepared-body';
import { FileListPool } from './file-list/file-list.pool';
import type { PreparedRegistration } from './file-list/file-list';
import { BlobsService } from '../blobs/blobs.service';
import { sendBlob } from '../blobs/send-blob';
import { CreateDatasetDto } from './dto/create-dataset.dto';
import { DatasetQueryDto, FileProofQueryDto, PageQueryDto } from './dto/dataset-query.dto';
import {
  DatasetDetailDto,
  DatasetOwnerPageDto,
  DatasetPageDto,
  FilePageDto,
  FileProofDto,
  LineageDto,
} from './dto/dataset-response.dto';
import { OffsetPageQueryDto } from '../../common/page-query.dto';
import { DatasetsService } from './datasets.service';
import { Access, Caller, OptionalCaller } from '../../access/access.decorator';
import { DeliveryAccessService } from '../../access/delivery/delivery-access.service';
import type { Principal } from '../../access/principal';

const ID_PARAM = {
  name: 'id',
  description: 'Dataset UUID or content root (0x + 64 hex digits)',
  example: '0b6cc9a4-3c1d-4b8e-9a57-2f7f0f3a2a11',
};

@ApiTags('contributions')
@Access.public()
@Controller('datasets')
export class DatasetsController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly blobs: BlobsService,
    private readonly delivery: DeliveryAccessService,
  ) {}

  @Post()
  @Access.account('upload')
  @ApiOperation({
    summary: 'Register a dataset with a signed EIP-712 Contribution',
    description:
      'The signature is the authorization: it must recover to one of the owners. The server recomputes the content root from `files` ' +
      'and the terms hash from `license`; uploaded datasets need every file in the blob store first. Anchored on-chain in batches.',
  })
  @ApiCreatedResponse({ type: DatasetDetailDto })
  @ApiErrors(
    ['VALIDATION_FAILED', 'a malformed field, or share sums'],
    'DEADLINE_EXPIRED',
    ['INVALID_SIGNATURE', 'not an owner’s signature of this body under this domain'],
    'CONTENT_ROOT_MISMATCH',
    'LICENSE_TERMS_MISMATCH',
    'UNKNOWN_PARENT',
    'UNKNOWN_PREVIOUS_VERSION',
    'LINEAGE_CYCLE',
    'UNKNOWN_BLOB',
    ['BLOB_NOT_AVAILABLE', 'a file the account neither uploaded nor may fetch'],
    ['NOT_OWNER', 'the signed-in account is not an owner'],
    'UNAUTHENTICATED',
    'SCOPE_REQUIRED',
    ['NOT_PREVIOUS_VERSION_OWNER', 'the signer does not own the previous version'],
    'NONCE_REUSED',
    ['DATASET_EXISTS', 'content root already registered; the body has `datasetId`'],
    [
      'UNDECLARED_OVERLAP',
      'at least OVERLAP_REFUSE_FRACTION of its bytes were first registered by other owners in datasets it does not declare as parents; meta overlaps, suggestedParents',
    ],
    ['TOO_MANY_FILES', 'more files than MAX_FILES_PER_DATASET'],
  )
  @UseInterceptors(PrepareBody(FileListPool))
  register(
    @Body() body: CreateDatasetDto,
    @PreparedBody() lists: PreparedRegistration,
    @Caller() caller: Principal,
  ): Promise<DatasetDetailDto> {
    return this.datasets.register(body, lists, caller);
  }

  @Get()
  @ApiOperation({
    summary: 'The catalogue, newest first: filter by owner, license template, words in title/description',
  })
  @ApiOkResponse({ type: DatasetPageDto })
  catalogue(@Query() query: DatasetQueryDto): Promise<DatasetPageDto> {
    return this.datasets.catalogue(query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A dataset: owners, parents, license, storage, and its anchor status with an inclusion proof',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: DatasetDetailDto })
  @ApiErrors('DATASET_NOT_FOUND')
  detail(@Param('id') id: string): Promise<DatasetDetailDto> {
    return this.datasets.detail(id);
  }

  @Get(':id/files')
  @ApiOperation({ summary: "A page of the dataset's files, in content-tree order" })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: FilePageDto })
  @ApiErrors('DATASET_NOT_FOUND')
  files(@Param('id') id: string, @Query() query: PageQueryDto): Promise<FilePageDto> {
    return this.datasets.files(id, query);
  }

  @Get(':id/files/proof')
  @ApiOperation({
    summary: 'Proof that a file is in the dataset (verify against contentRoot with libs/provenance verifyFileProof)',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: FileProofDto })
  @ApiErrors('DATASET_NOT_FOUND', 'FILE_NOT_FOUND')
  fileProof(@Param('id') id: string, @Query() query: FileProofQueryDto): Promise<FileProofDto> {
    return this.datasets.fileProof(id, query.path);
  }

  @Get(':id/files/content')
  @ApiOperation({
    summary: "Stream one file's bytes (uploaded datasets only); `Range: bytes=…` as for GET /blobs/:sha256",
  })
  @ApiParam(ID_PARAM)
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({
    status: 206,
    description: 'The requested byte range (Content-Range says which)',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse({ status: 304, description: 'Not modified: If-None-Match / If-Modified-Since still match (no body)' })
  @ApiErrors(
    'DATASET_NOT_FOUND',
    'FILE_NOT_FOUND',
    ['BLOB_NOT_FOUND', 'an external dataset: its bytes are not here'],
    'UNAUTHENTICATED',
    'SCOPE_REQUIRED',
    ['LICENSE_REQUIRED', 'meta datasetId, datasets (how to license)'],
    ['DATASET_WITHDRAWN', 'taken down by its owners; meta takenDownAt, takedownReason, bytesDeletedAt'],
    ['DATASET_DELISTED', 'a dispute against it was upheld; meta disputeId, upheldAt'],
    'LICENSE_EXPIRED',
    'DATASET_PRIVATE',
    'RANGE_NOT_SATISFIABLE',
    'BLOB_STORE_UNAVAILABLE',
  )
  async fileContent(
    @Param('id') id: string,
    @Query() query: FileProofQueryDto,
    @OptionalCaller() caller: Principal | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { datasetId, sha256 } = await this.datasets.fileBlob(id, query.path);
    const permit = await this.delivery.authorize(caller, sha256, datasetId);
    await sendBlob(this.blobs, sha256, req, res, permit, this.delivery);
  }

  @Get(':id/owners')
  @ApiOperation({ summary: 'A dataset’s owners and their shares, in the order they were signed, a page at a time' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: DatasetOwnerPageDto })
  @ApiErrors('DATASET_NOT_FOUND')
  owners(@Param('id') id: string, @Query() page: OffsetPageQueryDto): Promise<DatasetOwnerPageDto> {
    return this.datasets.owners(id, page);
  }

  @Get(':id/lineage')
  @ApiOperation({ summary: 'Ancestors and descendants (recursive), nearest first' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: LineageDto })
  @ApiErrors('DATASET_NOT_FOUND')
  lineage(@Param('id') id: string): Promise<LineageDto> {
    return this.datasets.lineage(id);
  }
}
