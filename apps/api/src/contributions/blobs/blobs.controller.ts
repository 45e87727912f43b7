import { Body, Controller, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
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
import { BlobsService } from './blobs.service';
import { sendBlob } from './send-blob';

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
@Controller('blobs')
export class BlobsController {
  constructor(private readonly blobs: BlobsService) {}

  @Put()
  @UploadThrottle()
  @ApiOperation({
    summary: 'Upload one file (streamed, hashed while it flows); answers its content address. 413 past MAX_FILE_BYTES',
  })
  @ApiConsumes('application/octet-stream')
  @ApiBody(RAW_BODY)
  @ApiOkResponse({ type: BlobResponseDto })
  async put(@Req() req: Request): Promise<BlobResponseDto> {
    return toDto(await this.blobs.upload(req, declaredLength(req)));
  }

  @Put(':sha256')
  @UploadThrottle()
  @ApiOperation({
    summary: 'Upload one file that must hash to :sha256 (400 BLOB_HASH_MISMATCH otherwise, nothing is kept)',
  })
  @ApiConsumes('application/octet-stream')
  @ApiParam(SHA_PARAM)
  @ApiBody(RAW_BODY)
  @ApiOkResponse({ type: BlobResponseDto })
  async putExpected(@Param('sha256') sha256: string, @Req() req: Request): Promise<BlobResponseDto> {
    return toDto(await this.blobs.upload(req, declaredLength(req), sha256));
  }

  @Post('missing')
  @HttpCode(200)
  @ApiOperation({ summary: 'Which of these digests are not stored yet (upload only those)' })
  @ApiOkResponse({ type: MissingBlobsResponseDto })
  async missing(@Body() body: MissingBlobsRequestDto): Promise<MissingBlobsResponseDto> {
    return { missing: await this.blobs.missing(body.sha256s) };
  }

  @Get(':sha256')
  @ApiOperation({
    summary: "Stream a stored blob's bytes; a single `Range: bytes=…` answers 206 with that part (416 past the end)",
  })
  @ApiParam(SHA_PARAM)
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 206, description: 'The requested byte range (Content-Range says which)' })
  get(@Param('sha256') sha256: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return sendBlob(this.blobs, sha256, req, res);
  }
}

function declaredLength(req: Request): number | undefined {
  const header = req.headers['content-length'];
  return header === undefined ? undefined : Number(header);
}

function toDto(blob: { sha256: string; size: bigint; created: boolean }): BlobResponseDto {
  return { sha256: blob.sha256, size: blob.size.toString(), created: blob.created };
}
