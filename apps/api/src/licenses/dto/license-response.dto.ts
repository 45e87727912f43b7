import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  ContractCall,
  LicenseGrant,
  LicenseGrantFee,
  LicenseList,
  LicenseResult,
  LicensingState,
  PayRunFee,
  PayRunInstructions,
} from '@upstream/api-contract';

export class ContractCallDto implements ContractCall {
  @ApiProperty({ example: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' }) to!: string;
  @ApiProperty({ example: '0x095ea7b3…' }) data!: string;
}

export class PayRunFeeDto implements PayRunFee {
  @ApiProperty({ description: 'The paid-per-run dataset’s content root', example: '0x' + 'ab'.repeat(32) })
  datasetId!: string;
  @ApiProperty({ description: 'What this payment pays of its per-run fee', example: '1000000' }) amount!: string;
}

/** The payment to make on the RoyaltySplitter: approve the token, then payRun(runId, token, amount). */
export class PayRunInstructionsDto implements PayRunInstructions {
  @ApiProperty({ description: 'bytes32 passed to payRun', example: '0x' + '5a'.repeat(32) }) runId!: string;
  @ApiProperty({ example: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' }) splitter!: string;
  @ApiProperty({ example: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' }) token!: string;
  @ApiProperty({ description: 'Smallest token units, decimal string', example: '1000000' }) amount!: string;
  @ApiProperty({ type: ContractCallDto, description: 'ERC-20 approve(splitter, amount), sent by the payer first' })
  approve!: ContractCallDto;
  @ApiProperty({ type: ContractCallDto, description: 'RoyaltySplitter.payRun(runId, token, amount)' })
  call!: ContractCallDto;
  @ApiPropertyOptional({ description: 'A run’s payment: the royalty asked for, on top of fees', example: '5000000' })
  royalty?: string;
  @ApiPropertyOptional({
    type: [PayRunFeeDto],
    description: 'A run’s payment: per-run fees still owed in this token, included in amount (paid first)',
  })
  fees?: PayRunFeeDto[];
}

export class LicenseGrantFeeDto implements LicenseGrantFee {
  @ApiProperty({ example: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0' }) token!: string;
  @ApiProperty({ example: '1000000' }) amount!: string;
}

export class LicenseGrantDto implements LicenseGrant {
  @ApiProperty({ example: '3f1c9a52-4f0e-4c61-9f6e-0d1c2b3a4f5e' }) id!: string;
  @ApiProperty({ description: 'The dataset’s content root', example: '0x' + 'ab'.repeat(32) }) datasetId!: string;
  @ApiProperty({ description: 'The dataset’s uuid in this API', example: '9b2d…' }) datasetUuid!: string;
  @ApiProperty({ example: 'paid-per-run' }) template!: string;
  @ApiProperty({ example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' }) licensee!: string;
  @ApiProperty({ example: '0x' + 'cd'.repeat(32) }) termsHash!: string;
  @ApiProperty({ enum: ['pending_payment', 'active', 'expired', 'revoked'], example: 'active' }) status!: string;
  @ApiProperty({ type: LicenseGrantFeeDto, nullable: true }) fee!: LicenseGrantFeeDto | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'payRun runId that pays the fee',
    example: '0x' + '5a'.repeat(32),
  })
  paymentRef!: string | null;
  @ApiProperty({ description: 'EIP-712 digest of the signed LicenseAcceptance', example: '0x' + '12'.repeat(32) })
  digest!: string;
  @ApiProperty({ type: String, nullable: true, example: '2027-01-01T00:00:00.000Z' }) expiresAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2026-11-02T10:00:00.000Z' }) activatedAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Transaction of the payment that activated it',
    example: null,
  })
  activationTx!: string | null;
  @ApiProperty({ example: '2026-11-02T10:00:00.000Z' }) createdAt!: string;
}

export class LicenseResultDto implements LicenseResult {
  @ApiProperty({ type: LicenseGrantDto }) license!: LicenseGrantDto;
  @ApiPropertyOptional({ type: PayRunInstructionsDto, description: 'Present while the license waits for its fee' })
  payment?: PayRunInstructionsDto;
}

export class LicenseListDto implements LicenseList {
  @ApiProperty({ type: [LicenseGrantDto] }) items!: LicenseGrantDto[];
  @ApiProperty({ example: 1, description: 'How many licenses the whole list holds' }) total!: number;
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
}

export class LicensingStateDto implements LicensingState {
  @ApiProperty({ example: '0x' + 'ab'.repeat(32) }) datasetId!: string;
  @ApiProperty({ example: false }) licensingOpen!: boolean;
  @ApiProperty({ example: '2026-11-02T10:00:00.000Z' }) changedAt!: string;
}

/** Shared with every offset-paged list (apps/api/src/common/page-query.dto.ts). */
export { OffsetPageQueryDto } from '../../common/page-query.dto';
