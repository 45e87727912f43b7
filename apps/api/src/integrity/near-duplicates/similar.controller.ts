import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Access } from '../../access/access.decorator';
import { ApiErrors } from '../../common/errors/api-errors.decorator';
import { SimilarQueryDto } from '../dto/similar-query.dto';
import { DatasetSimilarPageDto } from '../dto/similar-response.dto';
import { NearDuplicateService } from './near-duplicate.service';

@ApiTags('integrity')
@Access.public()
@Controller('datasets')
export class SimilarController {
  constructor(private readonly nearDuplicates: NearDuplicateService) {}

  @Get(':id/similar')
  @ApiOperation({
    summary:
      'Near-duplicate datasets (MinHash of text, perceptual hash of images): flagged with their estimated similarity',
    description:
      'earlier (default): datasets registered before this one that it resembles at or above NEAR_DUPLICATE_SIMILARITY; later: datasets registered since that resemble it. status says whether the worker has compared it yet.',
  })
  @ApiParam({ name: 'id', description: 'Dataset UUID or content root (0x + 64 hex digits)' })
  @ApiOkResponse({ type: DatasetSimilarPageDto })
  @ApiErrors('DATASET_NOT_FOUND')
  list(@Param('id') id: string, @Query() query: SimilarQueryDto): Promise<DatasetSimilarPageDto> {
    return this.nearDuplicates.page(id, query);
  }
}
