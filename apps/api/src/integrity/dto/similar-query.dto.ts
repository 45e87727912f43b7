import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { SimilarQuery } from '@upstream/api-contract';
import { OffsetPageQueryDto } from '../../common/page-query.dto';

export class SimilarQueryDto extends OffsetPageQueryDto implements SimilarQuery {
  @ApiPropertyOptional({
    enum: ['earlier', 'later'],
    default: 'earlier',
    description:
      'earlier: datasets registered before this one that it resembles; later: datasets registered since that resemble it',
  })
  @IsOptional()
  @IsIn(['earlier', 'later'])
  direction?: 'earlier' | 'later';
}
