import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { Address } from '@upstream/api-contract';
import { IsAddressField } from '../../../common/value-fields';
import { IsQueryInt } from '../../../common/number-fields';
import { IsCleanText } from '../../../common/clean-text';

export class PageQueryDto {
  @ApiPropertyOptional({ example: 50, default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @IsQueryInt('limit', 1, 500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(4200)
  @IsCleanText()
  cursor?: string;
}

export class DatasetQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    type: String,
    example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    description: 'Only datasets this account co-owns',
  })
  @IsOptional()
  @IsAddressField('owner must be a 0x address (40 hex digits)')
  owner?: Address;

  @ApiPropertyOptional({ enum: ['open-training', 'paid-per-run', 'research-only'] })
  @IsOptional()
  @IsIn(['open-training', 'paid-per-run', 'research-only'])
  license?: string;

  @ApiPropertyOptional({
    example: 'cats lisbon',
    description: 'Words that must all appear in the title or description (prefixes match)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsCleanText()
  q?: string;

  @ApiPropertyOptional({
    enum: ['delisted'],
    description:
      'delisted: also list datasets delisted by an upheld dispute (hidden by default; tagged disputed-upheld)',
  })
  @IsOptional()
  @IsIn(['delisted'])
  include?: 'delisted';
}

export class FileProofQueryDto {
  @ApiProperty({ example: 'images/cat-0001.jpg', description: 'Path of the file in the dataset' })
  @IsString()
  @MinLength(1, { message: 'path must not be empty' })
  @MaxLength(4096)
  @IsCleanText()
  path!: string;
}
