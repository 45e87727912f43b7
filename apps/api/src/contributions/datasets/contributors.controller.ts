import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from './dto/dataset-query.dto';
import { ContributorDatasetPageDto } from './dto/dataset-response.dto';
import { DatasetsService } from './datasets.service';
import { Access } from '../../access/access.decorator';

@ApiTags('contributions')
@Access.public()
@Controller('contributors')
export class ContributorsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Get(':address/datasets')
  @ApiOperation({ summary: 'Datasets an account co-owns, with its share of each' })
  @ApiParam({ name: 'address', example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })
  @ApiOkResponse({ type: ContributorDatasetPageDto })
  listDatasets(@Param('address') address: string, @Query() query: PageQueryDto): Promise<ContributorDatasetPageDto> {
    return this.datasets.contributorDatasets(address, query);
  }
}
