import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access.decorator';
import { ApiErrors } from '../common/errors/api-errors.decorator';
import { DisputeReadService } from './dispute-read.service';
import { DatasetDisputeQueryDto, DisputeQueryDto } from './dto/dispute-query.dto';
import { DisputeDto, DisputePageDto, DisputeParametersDto } from './dto/dispute-response.dto';

@ApiTags('disputes')
@Access.public()
@Controller()
export class DisputesController {
  constructor(private readonly disputes: DisputeReadService) {}

  @Get('disputes')
  @ApiOperation({
    summary: 'Disputes against datasets, newest first, as the indexer followed them from DisputeBonds',
    description:
      'Filters: dataset (UUID or content root), status (open, upheld, rejected), disputer. Opening and resolving are transactions of the disputer’s or arbiter’s own wallet (`upstream dispute`).',
  })
  @ApiOkResponse({ type: DisputePageDto })
  @ApiErrors(['DATASET_NOT_FOUND', 'the dataset filter names no dataset'])
  list(@Query() query: DisputeQueryDto): Promise<DisputePageDto> {
    return this.disputes.page(query);
  }

  @Get('disputes/parameters')
  @ApiOperation({
    summary:
      'What a wallet needs to open or close a dispute: the DisputeBonds address, chain, timeout, bond tokens and minimum bonds, arbiter role, labels',
  })
  @ApiOkResponse({ type: DisputeParametersDto })
  @ApiErrors('DISPUTES_NOT_DEPLOYED')
  parameters(): Promise<DisputeParametersDto> {
    return this.disputes.parameters();
  }

  @Get('disputes/:id')
  @ApiOperation({
    summary:
      'One dispute: its opening (label, evidence, claimed owners, bond, disputer, block and transaction, when anyone may close it) and its resolution, if any',
  })
  @ApiParam({ name: 'id', type: String, example: '1', description: "DisputeBonds' dispute id (decimal)" })
  @ApiOkResponse({ type: DisputeDto })
  @ApiErrors('DISPUTE_NOT_FOUND', 'DISPUTES_NOT_DEPLOYED')
  get(@Param('id') id: string): Promise<DisputeDto> {
    return this.disputes.dispute(id);
  }

  @Get('datasets/:id/disputes')
  @ApiOperation({ summary: "A dataset's disputes, newest first (filter: status)" })
  @ApiParam({ name: 'id', description: 'Dataset UUID or content root (0x + 64 hex digits)' })
  @ApiOkResponse({ type: DisputePageDto })
  @ApiErrors('DATASET_NOT_FOUND')
  forDataset(@Param('id') id: string, @Query() query: DatasetDisputeQueryDto): Promise<DisputePageDto> {
    return this.disputes.page({ ...query, dataset: id }, 'id');
  }
}
