import { Body, Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/errors/api-errors.decorator';
import { OffsetPageQueryDto, PayRunInstructionsDto } from '../licenses/dto/license-response.dto';
import { CreateRunDto, PaymentQueryDto, ProofQueryDto, RunEntriesChunkDto } from './dto/create-run.dto';
import { RunDto, RunEntriesPageDto, RunEntryProofDto, RunUploadDto } from './dto/run-response.dto';
import { RunsService } from './runs.service';
import { PrepareBody, PreparedBody } from '../common/body/prepared-body';
import { ChunkEntriesPreparer, ManifestEntriesPreparer } from './run-entries.preparer';
import type { RunEntriesResult } from './run-entries.validator';
import { Access, Caller } from '../access/access.decorator';
import type { Principal } from '../access/principal';

@ApiTags('runs')
@Access.public()
@Controller('runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @Access.account('runs:write')
  @ApiOperation({
    summary:
      'Record a training run: the lab’s signed EIP-712 TrainingRun manifest, with its entries or the first chunk',
    description:
      'With all entries the run is verified and committed at once (`status: committed`). Otherwise the answer is an open upload: ' +
      'send the rest with POST /runs/:id/entries (≤ 50,000 a chunk) and finish with POST /runs/:id/commit. ' +
      'runId (the bytes32 for payRun) is the manifest’s EIP-712 digest. Re-posting the same manifest restarts an unfinished upload.',
  })
  @ApiCreatedResponse({ type: RunUploadDto })
  @ApiErrors(
    ['VALIDATION_FAILED', 'names entries[i]'],
    'INVALID_SIGNATURE',
    'DEADLINE_EXPIRED',
    'ENTRIES_ROOT_MISMATCH',
    'UNKNOWN_DATASETS',
    ['UNLICENSED_DATASETS', 'names entries[i]'],
    ['DATASET_DELISTED', 'names entries[i] whose dataset a dispute delisted'],
    ['NOT_OWNER', 'the caller is not the manifest’s lab'],
    'NONCE_REUSED',
    'RUN_EXISTS',
  )
  @UseInterceptors(PrepareBody(ManifestEntriesPreparer))
  create(
    @Body() dto: CreateRunDto,
    @PreparedBody() entries: RunEntriesResult,
    @Caller() caller: Principal,
  ): Promise<RunUploadDto> {
    return this.runs.create(dto, entries, caller);
  }

  @Post(':id/entries')
  @HttpCode(200)
  @Access.account('runs:write')
  @ApiOperation({ summary: 'Append a chunk of ≤ 50,000 entries at `offset` (= entries received so far)' })
  @ApiOkResponse({ type: RunUploadDto })
  @ApiErrors(['RUN_CHUNK_OFFSET', 'meta expectedOffset'], 'RUN_NOT_FOUND')
  @UseInterceptors(PrepareBody(ChunkEntriesPreparer))
  addEntries(
    @Param('id') id: string,
    @Body() dto: RunEntriesChunkDto,
    @PreparedBody() entries: RunEntriesResult,
    @Caller() caller: Principal,
  ): Promise<RunUploadDto> {
    return this.runs.addEntries(id, dto, entries, caller);
  }

  @Post(':id/commit')
  @HttpCode(200)
  @Access.account('runs:write')
  @ApiOperation({
    summary:
      'Verify the whole manifest (count, entries root, datasets, active licenses, nonce) and record it, all or nothing',
    description:
      'A refused manifest’s upload is deleted. The run’s digest is queued for anchoring on the ProvenanceRegistry.',
  })
  @ApiOkResponse({ type: RunUploadDto })
  @ApiErrors(
    ['RUN_NOT_FOUND', 'no open upload of the caller with this id'],
    'RUN_INCOMPLETE',
    'ENTRIES_ROOT_MISMATCH',
    'UNKNOWN_DATASETS',
    ['UNLICENSED_DATASETS', 'names entries[i]'],
    ['DATASET_DELISTED', 'names entries[i] whose dataset a dispute delisted'],
    'NONCE_REUSED',
  )
  commit(@Param('id') id: string, @Caller() caller: Principal): Promise<RunUploadDto> {
    return this.runs.commit(id, caller);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A committed run (by id or runId), its anchoring and what was paid for it' })
  @ApiOkResponse({ type: RunDto })
  @ApiErrors('RUN_NOT_FOUND')
  get(@Param('id') id: string): Promise<RunDto> {
    return this.runs.get(id);
  }

  @Get(':id/entries')
  @ApiOperation({ summary: 'A run’s entries in manifest order, a page at a time' })
  @ApiOkResponse({ type: RunEntriesPageDto })
  @ApiErrors('RUN_NOT_FOUND')
  entries(@Param('id') id: string, @Query() page: OffsetPageQueryDto): Promise<RunEntriesPageDto> {
    return this.runs.entries(id, page.limit, page.offset);
  }

  @Get(':id/entries/proof')
  @ApiOperation({
    summary:
      'Inclusion proof of one dataset’s entry (abi.encode(bytes32 datasetId, uint256 weight)) in the signed entries root',
  })
  @ApiOkResponse({ type: RunEntryProofDto })
  @ApiErrors('RUN_NOT_FOUND', 'NOT_FOUND')
  proof(@Param('id') id: string, @Query() query: ProofQueryDto): Promise<RunEntryProofDto> {
    return this.runs.entryProof(id, query.datasetId);
  }

  @Get(':id/payment')
  @ApiOperation({
    summary:
      'The transactions that pay `amount` for the run: ERC-20 approve, then RoyaltySplitter.payRun(runId, token, amount)',
  })
  @ApiOkResponse({ type: PayRunInstructionsDto })
  payment(@Param('id') id: string, @Query() query: PaymentQueryDto): Promise<PayRunInstructionsDto> {
    return this.runs.payment(id, query);
  }
}
