import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { UploadThrottle } from '../upload-throttle';
import { BlobResponseDto, MissingBlobsRequestDto, MissingBlobsResponseDto } from './blobs.dto';
import { DeliveryAccessService } from '../../access/delivery/delivery-access.service';
import { BlobsService, parseSha256 } from './blobs.service';
import { PrepareBody, PreparedBody } from '../../common/body/prepared-body';
import type { MissingDigestsResult } from './missing-digests';
import { MissingDigestsPreparer } from './missing-digests.preparer';
import { sendBlob } from './send-blob';
import { Access, Caller, OptionalCaller } from '../../access/access.decorator';
import type { SignedUrlQuery } from '../../access/delivery/delivery-access.service';
import type { Principal } from '../../access/principal';
import { BodyContentTypes } from '../../common/body/content-type.guard';
import { ApiErrors } from '../../common/errors/api-errors.decorator';

const SHA_PARAM = {
  name: 'sha256',
  example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  description: '64 hex digits',
};
const RAW_BODY = {
  schema: { type: 'string', format: 'binary' },
  description: "The file's bytes, streamed (application/octet-stream)",
};

@ApiTags('contributions')
@Access.public()
@Controller('blobs')
export class BlobsController {
  constructor(
    private readonly blobs: BlobsService,
    private readonly delivery: DeliveryAccessService,
  ) {}

  @Put()
  @Access.account('upload')
  @UploadThrottle()
  @ApiOperation({
    summary: 'Upload one file (streamed, hashed while it flows); answers its content address. 413 past MAX_FILE_BYTES',
  })
  @ApiConsumes('application/octet-stream')
  @BodyContentTypes(['application/octet-stream'], 'application/octet-stream')
  @ApiBody(RAW_BODY)
  @ApiOkResponse({ type: BlobResponseDto })
  @ApiErrors(
    'UNAUTHENTICATED',
    'SCOPE_REQUIRED',
    'FILE_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    ['QUOTA_EXCEEDED', 'meta usedBytes, limitBytes'],
    ['BLOB_COLLECTED', 'the same bytes were deleted as unreferenced meanwhile: upload again'],
    'BLOB_STORE_UNAVAILABLE',
  )
  async put(@Req() req: Request, @Caller() caller: Principal): Promise<BlobResponseDto> {
    return toDto(await this.blobs.upload(req, declaredLength(req), caller.account));
  }

  @Put(':sha256')
  @Access.account('upload')
  @UploadThrottle()
  @ApiOperation({
    summary: 'Upload one file that must hash to :sha256 (400 BLOB_HASH_MISMATCH otherwise, nothing is kept)',
  })
  @ApiConsumes('application/octet-stream')
  @BodyContentTypes(['application/octet-stream'], 'application/octet-stream')
  @ApiParam(SHA_PARAM)
  @ApiBody(RAW_BODY)
  @ApiOkResponse({ type: BlobResponseDto })
  @ApiErrors(
    'UNAUTHENTICATED',
    'SCOPE_REQUIRED',
    'FILE_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'BLOB_HASH_MISMATCH',
    'QUOTA_EXCEEDED',
    'BLOB_COLLECTED',
    'BLOB_STORE_UNAVAILABLE',
  )
  async putExpected(
    @Param('sha256') sha256: string,
    @Req() req: Request,
    @Caller() caller: Principal,
  ): Promise<BlobResponseDto> {
    return toDto(await this.blobs.upload(req, declaredLength(req), caller.account, sha256));
  }

  @Post('missing')
  @HttpCode(200)
  @Access.account('upload')
  @ApiOperation({ summary: 'Which of these digests are not stored yet (upload only those)' })
  @ApiOkResponse({ type: MissingBlobsResponseDto })
  @UseInterceptors(PrepareBody(MissingDigestsPreparer))
  async missing(
    @Body() _body: MissingBlobsRequestDto,
    @PreparedBody() digests: MissingDigestsResult,
    @Res() res: Response,
  ): Promise<void> {
    res.type('json').send(await this.blobs.missingJson(digests));
  }

  @Get(':sha256')
  @ApiOperation({
    summary: "Stream a stored blob's bytes; a single `Range: bytes=…` answers 206 with that part (416 past the end)",
    description:
      'Served under the most permissive access policy of the datasets holding it: `public` to anyone, `licensed` to owners and ' +
      'licensees, `private` to owners; the uploader may read back its own bytes. A signed URL (POST /datasets/:id/files/url) ' +
      'carries `account`, `dataset`, `expires` and `sig` instead of a credential.',
  })
  @ApiErrors(
    'UNAUTHENTICATED',
    'SCOPE_REQUIRED',
    ['LICENSE_REQUIRED', 'meta datasetId, datasets (how to license)'],
    ['DATASET_WITHDRAWN', 'taken down by its owners; meta takenDownAt, takedownReason, bytesDeletedAt'],
    ['DATASET_DELISTED', 'a dispute against it was upheld; meta disputeId, upheldAt'],
    'LICENSE_EXPIRED',
    'DATASET_PRIVATE',
    ['BLOB_NOT_FOUND', 'not stored, or in no dataset and not uploaded by the caller'],
    'SIGNED_URL_INVALID',
    'RANGE_NOT_SATISFIABLE',
    'BLOB_STORE_UNAVAILABLE',
  )
  @ApiParam(SHA_PARAM)
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({
    status: 206,
    description: 'The requested byte range (Content-Range says which)',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse({ status: 304, description: 'Not modified: If-None-Match / If-Modified-Since still match (no body)' })
  async get(
    @Param('sha256') sha256Param: string,
    @Query() query: SignedUrlQuery,
    @OptionalCaller() caller: Principal | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const sha256 = parseSha256(sha256Param, 'sha256');
    const permit =
      query.sig !== undefined
        ? await this.delivery.verifySignedUrl(sha256, query)
        : await this.delivery.authorize(caller, sha256);
    await sendBlob(this.blobs, sha256, req, res, permit, this.delivery);
  }
}

function declaredLength(req: Request): number | undefined {
  const header = req.headers['content-length'];
  return header === undefined ? undefined : Number(header);
}

function toDto(blob: { sha256: string; size: bigint; created: boolean }): BlobResponseDto {
  return { sha256: blob.sha256, size: blob.size.toString(), created: blob.created };
}
