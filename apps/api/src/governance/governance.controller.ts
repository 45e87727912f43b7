import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access.decorator';
import { ApiErrors } from '../common/errors/api-errors.decorator';
import { OffsetPageQueryDto } from '../common/page-query.dto';
import {
  AccountVotesDto,
  GovernanceInfoDto,
  LicenseTemplateListDto,
  ProposalDto,
  ProposalPageDto,
} from './governance.dto';
import { GovernanceService } from './governance.service';

@ApiTags('governance')
@Access.public()
@Controller()
export class GovernanceController {
  constructor(private readonly governance: GovernanceService) {}

  @Get('governance')
  @ApiOperation({ summary: 'The Governor, Timelock and votes token, and their rules now (delays, quorum, threshold)' })
  @ApiOkResponse({ type: GovernanceInfoDto })
  @ApiErrors('GOVERNANCE_NOT_DEPLOYED')
  info(): Promise<GovernanceInfoDto> {
    return this.governance.info();
  }

  @Get('governance/proposals')
  @ApiOperation({
    summary: 'Proposals, newest first: state, time left, votes for, against and abstaining, quorum, actions in words',
  })
  @ApiOkResponse({ type: ProposalPageDto })
  @ApiErrors('GOVERNANCE_NOT_DEPLOYED')
  proposals(@Query() page: OffsetPageQueryDto): Promise<ProposalPageDto> {
    return this.governance.proposals(page.limit, page.offset);
  }

  @Get('governance/proposals/:id')
  @ApiOperation({ summary: 'One proposal by its Governor id (uint256, decimal)' })
  @ApiParam({ name: 'id', type: String, example: '1234' })
  @ApiOkResponse({ type: ProposalDto })
  @ApiErrors('GOVERNANCE_NOT_DEPLOYED', 'PROPOSAL_NOT_FOUND')
  proposal(@Param('id') id: string): Promise<ProposalDto> {
    return this.governance.proposal(id);
  }

  @Get('governance/license-templates')
  @ApiOperation({
    summary:
      'The license templates governance approved (not since removed), oldest first: a dataset whose license termsHash is listed uses an approved template',
  })
  @ApiOkResponse({ type: LicenseTemplateListDto })
  @ApiErrors('GOVERNANCE_NOT_DEPLOYED')
  licenseTemplates(): Promise<LicenseTemplateListDto> {
    return this.governance.licenseTemplates();
  }

  @Get('accounts/:address/votes')
  @ApiOperation({ summary: "An account's voting power now, its delegate and its votes token balance" })
  @ApiParam({ name: 'address', type: String, example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })
  @ApiOkResponse({ type: AccountVotesDto })
  @ApiErrors('GOVERNANCE_NOT_DEPLOYED')
  votes(@Param('address') address: string): Promise<AccountVotesDto> {
    return this.governance.votesOf(address);
  }
}
