import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/errors/api-errors.decorator';
import {
  AccountParamDto,
  EpochParamDto,
  PageQueryDto,
  PaymentsQueryDto,
  RunIdParamDto,
} from './dto/royalty-params.dto';
import {
  ContributorBalancesDto,
  ContributorHistoryDto,
  ContributorProofsDto,
  EpochDto,
  EpochInputsDto,
  EpochLeavesDto,
  EpochListDto,
  PaymentListDto,
} from './dto/royalty-responses.dto';
import { RoyaltiesService } from './royalties.service';
import { Access } from '../access/access.decorator';

@ApiTags('royalties')
@ApiErrors(['VALIDATION_FAILED', 'a malformed address, epoch, runId or page parameter; details name the field'])
@Access.public()
@Controller()
export class RoyaltiesController {
  constructor(private readonly royalties: RoyaltiesService) {}

  @Get('contributors/:address/balances')
  @ApiOperation({
    summary: "A contributor's earned, claimed, claimable and pending amounts per token (empty for an unknown account)",
  })
  @ApiOkResponse({ type: ContributorBalancesDto })
  balances(@Param() { address }: AccountParamDto): Promise<ContributorBalancesDto> {
    return this.royalties.balances(address);
  }

  @Get('contributors/:address/history')
  @ApiOperation({ summary: "A contributor's ledger entries per payment and dataset, newest first" })
  @ApiOkResponse({ type: ContributorHistoryDto })
  history(@Param() { address }: AccountParamDto, @Query() page: PageQueryDto): Promise<ContributorHistoryDto> {
    return this.royalties.history(address, page);
  }

  @Get('contributors/:address/proofs')
  @ApiOperation({ summary: 'Merkle proofs against the current accepted root, with ready claim / claimMany call data' })
  @ApiOkResponse({ type: ContributorProofsDto })
  proofs(@Param() { address }: AccountParamDto): Promise<ContributorProofsDto> {
    return this.royalties.proofs(address);
  }

  @Get('epochs')
  @ApiOperation({ summary: 'Settled epochs, newest first' })
  @ApiOkResponse({ type: EpochListDto })
  epochs(@Query() page: PageQueryDto): Promise<EpochListDto> {
    return this.royalties.epochs(page);
  }

  @Get('epochs/:epoch')
  @ApiOperation({ summary: 'One epoch: root, status on-chain, transactions, leaf count and totals per token' })
  @ApiOkResponse({ type: EpochDto })
  @ApiErrors('EPOCH_NOT_FOUND')
  epoch(@Param() { epoch }: EpochParamDto): Promise<EpochDto> {
    return this.royalties.epoch(epoch);
  }

  @Get('epochs/:epoch/leaves')
  @ApiOperation({ summary: "An epoch's public leaves (token, account, cumulative), paginated" })
  @ApiOkResponse({ type: EpochLeavesDto })
  @ApiErrors('EPOCH_NOT_FOUND')
  leaves(@Param() { epoch }: EpochParamDto, @Query() page: PageQueryDto): Promise<EpochLeavesDto> {
    return this.royalties.leaves(epoch, page);
  }

  @Get('epochs/:epoch/leaves.ndjson')
  @ApiOperation({
    summary:
      'Every leaf of an epoch, streamed as NDJSON: a first line { epoch, root, leafEncoding, total }, then one { token, account, cumulative } per line by token then account',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'One JSON object per line', schema: { type: 'string' } })
  @ApiErrors('EPOCH_NOT_FOUND')
  async leavesStream(@Param() { epoch }: EpochParamDto, @Res() res: Response): Promise<void> {
    await sendNdjson(res, await this.royalties.leavesStream(epoch));
  }

  @Get('epochs/:epoch/inputs')
  @ApiOperation({ summary: 'Everything a verifier needs to rebuild the root: payments, run entries, lineage, rules' })
  @ApiOkResponse({ type: EpochInputsDto })
  @ApiErrors('EPOCH_NOT_FOUND')
  inputs(@Param() { epoch }: EpochParamDto): Promise<EpochInputsDto> {
    return this.royalties.inputs(epoch);
  }

  @Get('epochs/:epoch/inputs.ndjson')
  @ApiOperation({
    summary:
      'The inputs streamed as NDJSON, one { epoch | dataset | payment | entry } object a line (a payment line is followed by its entries), for verifiers of large epochs',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'One JSON object per line', schema: { type: 'string' } })
  @ApiErrors('EPOCH_NOT_FOUND')
  async inputsStream(@Param() { epoch }: EpochParamDto, @Res() res: Response): Promise<void> {
    await sendNdjson(res, await this.royalties.inputsStream(epoch));
  }

  @Get('payments')
  @ApiOperation({ summary: 'Indexed RunPaid payments (allocated or unallocated), in chain order' })
  @ApiOkResponse({ type: PaymentListDto })
  payments(@Query() { status, ...page }: PaymentsQueryDto): Promise<PaymentListDto> {
    return this.royalties.payments({ status }, page);
  }

  @Get('runs/:runId/payments')
  @ApiOperation({
    summary: 'Payments made for one runId (a training run by runId or uuid, or a license payment reference)',
  })
  @ApiOkResponse({ type: PaymentListDto })
  runPayments(@Param() { runId }: RunIdParamDto, @Query() page: PageQueryDto): Promise<PaymentListDto> {
    return this.royalties.runPayments(runId, page);
  }
}

/** Streams NDJSON lines with backpressure; a client that goes away ends the stream (and its cursor). */
async function sendNdjson(res: Response, lines: Readable): Promise<void> {
  res.status(200).type('application/x-ndjson');
  await pipeline(lines, res).catch(() => res.destroy());
}
