import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { OverlapQuery } from '@upstream/api-contract';
import { OffsetPageQueryDto } from '../../common/page-query.dto';

export class OverlapQueryDto extends OffsetPageQueryDto implements OverlapQuery {
  @ApiPropertyOptional({
    enum: ['earlier', 'later'],
    default: 'earlier',
    description:
      'earlier: the datasets this one overlapped when it was registered; later: datasets registered since whose registration overlapped this one',
  })
  @IsOptional()
  @IsIn(['earlier', 'later'])
  direction?: 'earlier' | 'later';
}
