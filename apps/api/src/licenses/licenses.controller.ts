import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/errors/api-errors.decorator';
import { CreateLicenseDto, SetLicensingDto } from './dto/create-license.dto';
import { LicenseListDto, LicenseResultDto, LicensingStateDto, OffsetPageQueryDto } from './dto/license-response.dto';
import { LicensesService } from './licenses.service';
import { Access } from '../access/access.decorator';

@ApiTags('licenses')
@Access.public()
@Controller()
export class LicensesController {
  constructor(private readonly licenses: LicensesService) {}

  @Post('licenses')
  @ApiOperation({
    summary: 'Acquire a license by signing the dataset’s terms (EIP-712 LicenseAcceptance)',
    description:
      'Free terms are active at once. Terms with a fee answer `pending_payment` with the payment to make: approve, then ' +
      '`payRun(paymentRef, token, amount)` on the RoyaltySplitter; the license turns active when the indexer sees it. ' +
      'paymentRef = keccak256(abi.encodePacked("upstream:license-payment:", licenseDigest)).',
  })
  @ApiCreatedResponse({ type: LicenseResultDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'INVALID_SIGNATURE',
    'DEADLINE_EXPIRED',
    'LICENSE_TERMS_MISMATCH',
    'DATASET_NOT_FOUND',
    'LICENSING_CLOSED',
    ['DATASET_WITHDRAWN', 'taken down by its owners; meta takenDownAt, takedownReason, bytesDeletedAt'],
    ['DATASET_DELISTED', 'a dispute against it was upheld; meta disputeId, upheldAt'],
    'LICENSE_EXISTS',
    'LICENSE_FEE_UNPAYABLE',
    'NONCE_REUSED',
  )
  create(@Body() dto: CreateLicenseDto): Promise<LicenseResultDto> {
    return this.licenses.create(dto);
  }

  @Get('licenses/:id')
  @ApiOperation({ summary: 'One license, with the payment still to make if it waits for its fee' })
  @ApiOkResponse({ type: LicenseResultDto })
  @ApiErrors('LICENSE_NOT_FOUND')
  get(@Param('id') id: string): Promise<LicenseResultDto> {
    return this.licenses.get(id);
  }

  @Get('labs/:address/licenses')
  @ApiOperation({ summary: 'Licenses held by a lab, newest first' })
  @ApiOkResponse({ type: LicenseListDto })
  forLab(@Param('address') address: string, @Query() page: OffsetPageQueryDto): Promise<LicenseListDto> {
    return this.licenses.listForLab(address, page.limit, page.offset);
  }

  @Get('datasets/:id/licenses')
  @ApiOperation({ summary: 'Licenses granted on a dataset (by uuid or content root), newest first' })
  @ApiOkResponse({ type: LicenseListDto })
  @ApiErrors('DATASET_NOT_FOUND')
  forDataset(@Param('id') id: string, @Query() page: OffsetPageQueryDto): Promise<LicenseListDto> {
    return this.licenses.listForDataset(id, page.limit, page.offset);
  }

  @Post('datasets/:id/licensing')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'An owner opens or closes a dataset to new licenses (EIP-712 LicensingChange {datasetId, open, nonce, deadline})',
    description: 'Existing licenses run to their end.',
  })
  @ApiOkResponse({ type: LicensingStateDto })
  @ApiErrors(
    'SIGNER_NOT_OWNER',
    ['DATASET_WITHDRAWN', 'reopening licensing of a dataset its owners took down'],
    ['DATASET_DELISTED', 'reopening licensing of a dataset delisted by an upheld dispute'],
  )
  setLicensing(@Param('id') id: string, @Body() dto: SetLicensingDto): Promise<LicensingStateDto> {
    return this.licenses.setLicensing(id, dto);
  }
}
