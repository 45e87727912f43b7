import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access.decorator';
import { ApiErrors } from '../common/errors/api-errors.decorator';
import { OverlapQueryDto } from './dto/overlap-query.dto';
import { DatasetOverlapPageDto } from './dto/overlap-response.dto';
import { OverlapService } from './overlap.service';

@ApiTags('integrity')
@Access.public()
@Controller('datasets')
export class OverlapsController {
  constructor(private readonly overlaps: OverlapService) {}

  @Get(':id/overlaps')
  @ApiOperation({
    summary: 'Datasets sharing files (by SHA-256) with this one: those its registration overlapped, or those since',
  })
  @ApiParam({ name: 'id', description: 'Dataset UUID or content root (0x + 64 hex digits)' })
  @ApiOkResponse({ type: DatasetOverlapPageDto })
  @ApiErrors('DATASET_NOT_FOUND')
  list(@Param('id') id: string, @Query() query: OverlapQueryDto): Promise<DatasetOverlapPageDto> {
    return this.overlaps.page(id, query);
  }
}
