import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/errors/api-errors.decorator';
import type { Request, Response } from 'express';
import { OffsetPageQueryDto } from '../licenses/dto/license-response.dto';
import { AuditService } from './audit.service';
import { CROISSANT_SCHEMA } from './croissant';
import { ContributorRunsDto, DatasetRunsDto, ModelProvenanceDto, RunProvenanceDto } from './dto/audit-response.dto';
import { Access } from '../access/access.decorator';

@ApiTags('audit')
@Access.public()
@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('runs/:id/provenance')
  @ApiOperation({
    summary:
      'Which data trained this run: datasets with weights, owners, the lab’s licenses and entry proofs, and the anchor',
  })
  @ApiOkResponse({ type: RunProvenanceDto })
  @ApiErrors('RUN_NOT_FOUND')
  runProvenance(@Param('id') id: string, @Query() page: OffsetPageQueryDto): Promise<RunProvenanceDto> {
    return this.audit.runProvenance(id, page.limit, page.offset);
  }

  @Get('runs/:id/croissant')
  @ApiProduces('application/ld+json')
  @ApiOperation({
    summary: 'The dataset list of a run as MLCommons Croissant-style JSON-LD (1,000 entries a page by default)',
  })
  @ApiOkResponse({
    description: 'Croissant JSON-LD (sc:Dataset with isBasedOn and an `entries` record set)',
    schema: CROISSANT_SCHEMA,
  })
  @ApiErrors('RUN_NOT_FOUND')
  async croissant(
    @Param('id') id: string,
    @Query() page: OffsetPageQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    const croissant = await this.audit.runCroissant(
      id,
      `${req.protocol}://${req.get('host')}`,
      page.limit ?? 1000,
      page.offset,
    );
    // Set once the document exists: a refusal goes out as the usual application/json error.
    res.setHeader('content-type', 'application/ld+json; charset=utf-8');
    return croissant;
  }

  @Get('models/:modelHash/provenance')
  @ApiOperation({ summary: 'Which data trained this model: the provenance of every run recorded with this model hash' })
  @ApiOkResponse({ type: ModelProvenanceDto })
  modelProvenance(
    @Param('modelHash') modelHash: string,
    @Query() page: OffsetPageQueryDto,
  ): Promise<ModelProvenanceDto> {
    return this.audit.modelProvenance(modelHash, page.limit);
  }

  @Get('datasets/:id/runs')
  @ApiOperation({ summary: 'Which runs used this dataset (by uuid or content root): weights, labs and what they paid' })
  @ApiOkResponse({ type: DatasetRunsDto })
  @ApiErrors('DATASET_NOT_FOUND')
  datasetRuns(@Param('id') id: string, @Query() page: OffsetPageQueryDto): Promise<DatasetRunsDto> {
    return this.audit.datasetRuns(id, page.limit, page.offset);
  }

  @Get('contributors/:address/runs')
  @ApiOperation({
    summary: 'Which runs used the datasets this address co-owns: weights, shares, labs and what they paid',
  })
  @ApiOkResponse({ type: ContributorRunsDto })
  contributorRuns(@Param('address') address: string, @Query() page: OffsetPageQueryDto): Promise<ContributorRunsDto> {
    return this.audit.contributorRuns(address, page.limit, page.offset);
  }
}
