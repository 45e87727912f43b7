import { IsIn, IsOptional } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Address } from '@upstream/api-contract';
import { IsAddressField, IsRecordRefField } from '../../common/value-fields';
import { IsQueryInt, MAX_INT4 } from '../../common/number-fields';
import { OffsetPageQueryDto } from '../../common/page-query.dto';

export class AccountParamDto {
  @ApiProperty({ type: String, example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' })
  @IsAddressField('address must be 0x followed by 40 hex digits')
  address!: Address;
}

export class EpochParamDto {
  @ApiProperty({ example: 1, minimum: 1, maximum: MAX_INT4 })
  @IsQueryInt('epoch', 1, MAX_INT4)
  epoch!: number;
}

export class RunIdParamDto {
  @ApiProperty({
    type: String,
    example: '0x' + 'ab'.repeat(32),
    description: 'The bytes32 runId passed to payRun, or a recorded run’s uuid',
  })
  @IsRecordRefField('runId must be a run uuid or 0x followed by 64 hex digits')
  runId!: string;
}

export class PageQueryDto extends OffsetPageQueryDto {}

export class PaymentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['allocated', 'unallocated'] })
  @IsOptional()
  @IsIn(['allocated', 'unallocated'], { message: 'status must be allocated or unallocated' })
  status?: 'allocated' | 'unallocated';
}
