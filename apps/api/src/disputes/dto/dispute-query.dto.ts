import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import {
  DISPUTE_STATUSES,
  type Address,
  type DatasetDisputeQuery,
  type DisputeQuery,
  type DisputeStatus,
} from '@upstream/api-contract';
import { IsAddressField } from '../../common/value-fields';
import { OffsetPageQueryDto } from '../../common/page-query.dto';
import { IsCleanText } from '../../common/clean-text';

export class DatasetDisputeQueryDto extends OffsetPageQueryDto implements DatasetDisputeQuery {
  @ApiPropertyOptional({
    enum: DISPUTE_STATUSES,
    description:
      'open (no resolution yet), upheld or rejected (an expired dispute closed by anyone counts as rejected)',
  })
  @IsOptional()
  @IsIn(DISPUTE_STATUSES)
  status?: DisputeStatus;
}

export class DisputeQueryDto extends DatasetDisputeQueryDto implements DisputeQuery {
  @ApiPropertyOptional({
    example: '0x3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b',
    description: 'The disputed dataset: its UUID or content root',
  })
  @IsOptional()
  @IsString()
  @MaxLength(66)
  @IsCleanText()
  dataset?: string;

  @ApiPropertyOptional({
    type: String,
    example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    description: 'Only disputes this account opened',
  })
  @IsOptional()
  @IsAddressField('disputer must be a 0x address (40 hex digits)')
  disputer?: Address;
}
