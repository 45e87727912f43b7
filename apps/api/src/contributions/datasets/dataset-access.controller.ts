import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Access, Caller } from '../../access/access.decorator';
import { DeliveryAccessService } from '../../access/delivery/delivery-access.service';
import { DeliveryRepository } from '../../access/delivery/delivery.repository';
import {
  AccessPolicyStateDto,
  DeliveriesQueryDto,
  DeliveryPageDto,
  SetAccessPolicyDto,
  SignedUrlDto,
  SignedUrlRequestDto,
  UndeclaredDeliveriesDto,
} from '../../access/dto/access.dto';
import type { Principal } from '../../access/principal';
import { ApiErrors } from '../../common/errors/api-errors.decorator';
import { DatasetsService } from './datasets.service';

const ID_PARAM = { name: 'id', description: 'Dataset UUID or content root (0x + 64 hex digits)' };

/** Who may fetch a dataset's bytes, signed download URLs, and who fetched them. */
@ApiTags('access')
@Controller('datasets')
export class DatasetAccessController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly delivery: DeliveryAccessService,
    private readonly receipts: DeliveryRepository,
  ) {}

  @Put(':id/access')
  @Access.session()
  @ApiOperation({
    summary: "An owner sets who may fetch the dataset's bytes: public, licensed or private",
    description:
      'Catalogue, file lists, proofs and lineage stay public whatever the policy. Licenses already granted keep running.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: AccessPolicyStateDto })
  @ApiErrors('VALIDATION_FAILED', 'UNAUTHENTICATED', 'SESSION_REQUIRED', 'NOT_OWNER', 'DATASET_NOT_FOUND')
  setAccess(
    @Param('id') id: string,
    @Body() body: SetAccessPolicyDto,
    @Caller() caller: Principal,
  ): Promise<AccessPolicyStateDto> {
    return this.datasets.setAccessPolicy(id, caller.account, body.policy);
  }

  @Post(':id/files/url')
  @Access.account('download')
  @ApiOperation({
    summary: 'A short-lived signed URL for one file, for tools that cannot send headers (a training cluster’s loader)',
    description:
      'Bound to the caller, the dataset, the file and the expiry; checked by its signature alone. Granted only to a caller who ' +
      'may fetch the file now.',
  })
  @ApiParam(ID_PARAM)
  @ApiCreatedResponse({ type: SignedUrlDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'UNAUTHENTICATED',
    'SCOPE_REQUIRED',
    'LICENSE_REQUIRED',
    ['DATASET_WITHDRAWN', 'taken down by its owners; meta takenDownAt, takedownReason, bytesDeletedAt'],
    ['DATASET_DELISTED', 'a dispute against it was upheld; meta disputeId, upheldAt'],
    'LICENSE_EXPIRED',
    'DATASET_PRIVATE',
    'FILE_NOT_FOUND',
  )
  async signedUrl(
    @Param('id') id: string,
    @Body() body: SignedUrlRequestDto,
    @Caller() caller: Principal,
  ): Promise<SignedUrlDto> {
    const { datasetId, sha256 } = await this.datasets.fileBlob(id, body.path);
    await this.delivery.authorize(caller, sha256, datasetId);
    const { path, expiresAt } = this.delivery.signedPath(
      { account: caller.account, datasetId, sha256 },
      body.expiresInSeconds ?? 3600,
    );
    return { url: path, expiresAt: expiresAt.toISOString() };
  }

  @Get(':id/deliveries')
  @Access.account('read')
  @ApiOperation({
    summary: "Who fetched this dataset's bytes (owners see every delivery; anyone else only their own), newest first",
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiErrors('UNAUTHENTICATED', 'SCOPE_REQUIRED', 'DATASET_NOT_FOUND')
  async deliveries(
    @Param('id') id: string,
    @Query() query: DeliveriesQueryDto,
    @Caller() caller: Principal,
  ): Promise<DeliveryPageDto> {
    const row = await this.datasets.find(id);
    const owner = row.owners.some((o) => o.account === caller.account);
    await this.delivery.flush();
    const { rows, total } = await this.receipts.deliveriesOf(row.id, owner ? null : caller.account, {
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
    return {
      total,
      items: rows.map((r) => ({
        account: r.account,
        licenseId: r.license_id,
        sha256: r.sha256,
        firstByte: r.first_byte,
        bytes: r.bytes,
        via: r.via,
        requestId: r.request_id,
        deliveredAt: r.delivered_at.toISOString(),
      })),
    };
  }

  @Get(':id/deliveries/undeclared')
  @Access.account('read')
  @ApiOperation({
    summary:
      'Owners only: labs that fetched this dataset under a license and declared it in none of their training runs',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: UndeclaredDeliveriesDto })
  @ApiErrors('UNAUTHENTICATED', 'SCOPE_REQUIRED', 'NOT_OWNER', 'DATASET_NOT_FOUND')
  async undeclared(@Param('id') id: string, @Caller() caller: Principal): Promise<UndeclaredDeliveriesDto> {
    const row = await this.datasets.ownedBy(id, caller.account);
    await this.delivery.flush();
    const items = await this.receipts.undeclaredDeliveries(row.id);
    return {
      datasetId: row.id,
      items: items.map((i) => ({
        account: i.account,
        deliveries: Number(i.deliveries),
        bytes: i.bytes,
        lastDeliveredAt: i.last.toISOString(),
      })),
    };
  }
}
