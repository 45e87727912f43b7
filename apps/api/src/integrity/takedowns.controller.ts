import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access.decorator';
import { ApiErrors } from '../common/errors/api-errors.decorator';
import { DatasetTakedownDto, TakedownDto } from './dto/takedown.dto';
import { TakedownService } from './takedown.service';

@ApiTags('integrity')
@Access.public()
@Controller('datasets')
export class TakedownsController {
  constructor(private readonly takedowns: TakedownService) {}

  @Post(':id/takedown')
  @ApiOperation({
    summary:
      'An owner withdraws a dataset version (EIP-712 Takedown {datasetId, reason, deleteBytes, nonce, deadline})',
    description:
      'The signature is the authorization. No new licenses, no more deliveries (410 DATASET_WITHDRAWN naming the reason); runs that used it keep their record and royalties. With deleteBytes, the bytes no other live dataset holds are deleted.',
  })
  @ApiParam({ name: 'id', description: 'Dataset UUID or content root (0x + 64 hex digits)' })
  @ApiCreatedResponse({ type: DatasetTakedownDto })
  @ApiErrors(
    'DATASET_NOT_FOUND',
    'DEADLINE_EXPIRED',
    ['INVALID_SIGNATURE', "not the signer's signature of this Takedown"],
    'SIGNER_NOT_OWNER',
    'NONCE_REUSED',
    'ALREADY_TAKEN_DOWN',
  )
  takeDown(@Param('id') id: string, @Body() dto: TakedownDto): Promise<DatasetTakedownDto> {
    return this.takedowns.takeDown(id, dto);
  }
}
