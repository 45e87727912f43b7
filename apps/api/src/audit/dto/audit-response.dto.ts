import { ApiProperty } from '@nestjs/swagger';
import { RunDto, RunPaymentTotalDto } from '../../runs/dto/run-response.dto';
import type {
  ContributorRuns,
  DatasetRun,
  DatasetRuns,
  EntryLicense,
  EntryOwner,
  ModelProvenance,
  ProvenanceEntry,
  RunProvenance,
} from '@upstream/api-contract';

export class OwnerShareDto implements EntryOwner {
  @ApiProperty({ example: '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' }) account!: string;
  @ApiProperty({ example: 10000 }) shareBps!: number;
}

export class EntryLicenseDto implements EntryLicense {
  @ApiProperty({ example: '3f1c9a52-4f0e-4c61-9f6e-0d1c2b3a4f5e' }) id!: string;
  @ApiProperty({ example: 'active' }) status!: string;
  @ApiProperty({ example: '0x' + 'cd'.repeat(32) }) termsHash!: string;
  @ApiProperty({ type: String, nullable: true, example: '2026-11-02T10:00:00.000Z' }) activatedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) expiresAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Transaction of the fee payment that activated it',
    example: null,
  })
  activationTx!: string | null;
}

export class ProvenanceEntryDto implements ProvenanceEntry {
  @ApiProperty({ example: 0 }) position!: number;
  @ApiProperty({ description: 'Content root (on-chain datasetId)', example: '0x' + 'ab'.repeat(32) })
  datasetId!: string;
  @ApiProperty({ example: '9b2d4c1e-…' }) datasetUuid!: string;
  @ApiProperty({ example: 'Common crawl slice 7' }) title!: string;
  @ApiProperty({ example: '1250000' }) weight!: string;
  @ApiProperty({ example: 'paid-per-run' }) licenseTemplate!: string;
  @ApiProperty({ type: [OwnerShareDto] }) owners!: OwnerShareDto[];
  @ApiProperty({ type: [EntryLicenseDto], description: 'The lab’s licenses on this dataset' })
  licenses!: EntryLicenseDto[];
  @ApiProperty({ type: [String], description: 'Proof of abi.encode(datasetId, weight) in the run’s entriesRoot' })
  proof!: string[];
}

export class RunProvenanceDto implements RunProvenance {
  @ApiProperty({ type: RunDto }) run!: RunDto;
  @ApiProperty({ type: [ProvenanceEntryDto] }) entries!: ProvenanceEntryDto[];
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({ example: 3 }) total!: number;
  @ApiProperty({ description: 'How to check the proofs yourself' }) verification!: string;
}

export class ModelProvenanceDto implements ModelProvenance {
  @ApiProperty({ example: '0x' + '02'.repeat(32) }) modelHash!: string;
  @ApiProperty({ type: [RunProvenanceDto] }) runs!: RunProvenanceDto[];
}

export class DatasetRunDto implements DatasetRun {
  @ApiProperty({ example: '0d9a4b6e-2f1c-4b7a-9a57-3c1d2e4f5a6b' }) id!: string;
  @ApiProperty({ example: '0x' + '5a'.repeat(32) }) runId!: string;
  @ApiProperty({ example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' }) lab!: string;
  @ApiProperty({ example: 'llama-upstream-7b' }) modelName!: string;
  @ApiProperty({ example: '0x' + '02'.repeat(32) }) modelHash!: string;
  @ApiProperty({ example: '0x' + 'ab'.repeat(32) }) datasetId!: string;
  @ApiProperty({ example: 'tokens' }) weightUnit!: string;
  @ApiProperty({ description: 'This dataset’s weight in the run', example: '1250000' }) weight!: string;
  @ApiProperty({ example: '3750000' }) totalWeight!: string;
  @ApiProperty({
    required: false,
    description: 'The contributor’s share of the dataset (contributor view)',
    example: 10000,
  })
  shareBps?: number;
  @ApiProperty({ example: '2026-11-02T10:00:00.000Z' }) recordedAt!: string;
  @ApiProperty({ type: [RunPaymentTotalDto], description: 'What the lab paid for the whole run (RunPaid, per token)' })
  paid!: RunPaymentTotalDto[];
}

export class DatasetRunsDto implements DatasetRuns {
  @ApiProperty({ example: '0x' + 'ab'.repeat(32) }) datasetId!: string;
  @ApiProperty({ example: '9b2d4c1e-…' }) datasetUuid!: string;
  @ApiProperty({ type: [DatasetRunDto] }) items!: DatasetRunDto[];
  @ApiProperty({ example: 1, description: 'How many runs used the dataset' }) total!: number;
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
}

export class ContributorRunsDto implements ContributorRuns {
  @ApiProperty({ example: '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' }) address!: string;
  @ApiProperty({ type: [DatasetRunDto] }) items!: DatasetRunDto[];
  @ApiProperty({ example: 1, description: 'How many run entries the account’s datasets have' }) total!: number;
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
}
