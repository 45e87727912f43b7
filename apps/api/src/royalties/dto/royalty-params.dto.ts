import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Address, Bytes32 } from '@upstream/api-contract';
import { IsAddressField, IsBytes32Field } from '../../common/value-fields';

export class AccountParamDto {
  @ApiProperty({ example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' })
  @IsAddressField('address must be 0x followed by 40 hex digits')
  address!: Address;
}

export class EpochParamDto {
  @ApiProperty({ example: 1 })
  @Type(() => Number)
  @IsInt({ message: 'epoch must be a positive integer' })
  @Min(1, { message: 'epoch must be a positive integer' })
  epoch!: number;
}

export class RunIdParamDto {
  @ApiProperty({ example: '0x' + 'ab'.repeat(32), description: 'The bytes32 runId passed to payRun' })
  @IsBytes32Field('runId must be 0x followed by 64 hex digits')
  runId!: Bytes32;
}

export class PageQueryDto {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer 1..1000' })
  @Min(1, { message: 'limit must be an integer 1..1000' })
  @Max(1000, { message: 'limit must be an integer 1..1000' })
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a non-negative integer' })
  @Min(0, { message: 'offset must be a non-negative integer' })
  offset?: number;
}

export class PaymentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['allocated', 'unallocated'] })
  @IsOptional()
  @IsIn(['allocated', 'unallocated'], { message: 'status must be allocated or unallocated' })
  status?: 'allocated' | 'unallocated';
}
