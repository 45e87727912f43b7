import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import type { OffsetPageQuery } from '@upstream/api-contract';
import { IsQueryInt } from './number-fields';

export const MAX_PAGE_LIMIT = 1000;
/** Deeper than this an offset page is not worth reading (and it stays a safe int4 for SQL). */
export const MAX_PAGE_OFFSET = 1_000_000_000;

/** `?limit=&offset=` of every offset-paged list: plain decimal integers in range, or a 400 naming the field. */
export class OffsetPageQueryDto implements OffsetPageQuery {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: MAX_PAGE_LIMIT })
  @IsOptional()
  @IsQueryInt('limit', 1, MAX_PAGE_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_PAGE_OFFSET })
  @IsOptional()
  @IsQueryInt('offset', 0, MAX_PAGE_OFFSET)
  offset?: number;
}
