import { ApiProperty } from '@nestjs/swagger';
import {
  DISPUTE_STATUSES,
  type BondToken,
  type Dispute,
  type DisputedDataset,
  type DisputeEventRef,
  type DisputePage,
  type DisputeParameters,
  type DisputeResolution,
  type DisputeStatus,
} from '@upstream/api-contract';
import { DISPUTE_LABELS, type DisputeLabel } from '@upstream/royalties';
import { OwnerResponseDto } from '../../contributions/datasets/dto/dataset-response.dto';

const ACCOUNT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const HASH = '0x3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b';
const TX = '0x9c1d4e2f8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d';

export class DisputeEventRefDto implements DisputeEventRef {
  @ApiProperty({ example: 1234 }) blockNumber!: number;
  @ApiProperty({ example: TX }) txHash!: string;
  @ApiProperty({ example: '2026-11-20T10:00:00.000Z', description: "The block's time" }) at!: string;
}

export class DisputeResolutionDto implements DisputeResolution {
  @ApiProperty({ enum: ['upheld', 'rejected'], example: 'upheld' }) outcome!: 'upheld' | 'rejected';
  @ApiProperty({
    type: [OwnerResponseDto],
    description:
      "Upheld: who receives the dataset's owner part from the opening on (shares sum to 10,000); rejected: []",
  })
  rightfulOwners!: OwnerResponseDto[];
  @ApiProperty({ example: ACCOUNT, description: 'The arbiter, or whoever closed it once expired' }) resolver!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Rejected: the runId under which the bond was paid into the splitter (to the owners, less its fee)',
  })
  bondRunId!: string | null;
  @ApiProperty({ type: DisputeEventRefDto }) event!: DisputeEventRefDto;
}

export class DisputedDatasetDto implements DisputedDataset {
  @ApiProperty({ example: '0b6cc9a4-3c1d-4b8e-9a57-2f7f0f3a2a11' }) id!: string;
  @ApiProperty({ example: 'Street cats of Lisbon' }) title!: string;
}

export class DisputeDto implements Dispute {
  @ApiProperty({ example: '1', description: "DisputeBonds' id (uint256, decimal)" }) id!: string;
  @ApiProperty({ example: TOKEN, description: 'DisputeBonds' }) contract!: string;
  @ApiProperty({ enum: DISPUTE_STATUSES, example: 'open' }) status!: DisputeStatus;
  @ApiProperty({ enum: DISPUTE_LABELS, example: 'INFRINGEMENT' }) label!: DisputeLabel;
  @ApiProperty({ example: HASH, description: "The disputed dataset's content root (its on-chain datasetId)" })
  contentRoot!: string;
  @ApiProperty({
    type: DisputedDatasetDto,
    nullable: true,
    description: 'The dataset registered here under that root; null if none is',
  })
  dataset!: DisputedDatasetDto | null;
  @ApiProperty({ example: ACCOUNT, description: 'Who opened it and posted the bond' }) disputer!: string;
  @ApiProperty({ example: TOKEN.toLowerCase(), description: "The bond's token" }) token!: string;
  @ApiProperty({ example: '10000000000000000000', description: 'The bond (smallest unit, decimal string)' })
  bond!: string;
  @ApiProperty({ example: HASH, description: 'SHA-256 (or any 32-byte digest) of the evidence' }) evidenceHash!: string;
  @ApiProperty({ example: 'ipfs://bafy…/evidence.pdf', description: 'Where the evidence can be read' })
  evidenceUri!: string;
  @ApiProperty({
    type: [String],
    example: [ACCOUNT],
    description: 'The accounts the disputer claims are the rightful owners',
  })
  claimedOwners!: string[];
  @ApiProperty({ type: DisputeEventRefDto, description: 'The DisputeOpened event' }) opened!: DisputeEventRefDto;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-11-27T10:00:00.000Z',
    description:
      "Open: from when anyone may close it as rejected (closeExpired), by the contract's timeout now; null once resolved, or when the chain could not be read",
  })
  closableFrom!: string | null;
  @ApiProperty({ type: DisputeResolutionDto, nullable: true, description: 'Null while open' })
  resolution!: DisputeResolutionDto | null;
}

export class DisputePageDto implements DisputePage {
  @ApiProperty({ type: [DisputeDto], description: 'Newest first' }) items!: DisputeDto[];
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
}

export class BondTokenDto implements BondToken {
  @ApiProperty({ example: TOKEN }) token!: string;
  @ApiProperty({ example: '10000000000000000000', description: 'Smallest unit, decimal string' }) minBond!: string;
}

export class DisputeParametersDto implements DisputeParameters {
  @ApiProperty({
    example: TOKEN,
    description: 'DisputeBonds: open(request) after approving the bond; closeExpired(id)',
  })
  contract!: string;
  @ApiProperty({ example: 31337 }) chainId!: number;
  @ApiProperty({
    example: 604800,
    description: 'Seconds after its opening from which anyone may close an unresolved dispute as rejected',
  })
  timeoutSeconds!: number;
  @ApiProperty({
    type: [BondTokenDto],
    description:
      'The bond tokens this service knows of (its payment token) that DisputeBonds accepts, with their minimum bonds',
  })
  bondTokens!: BondTokenDto[];
  @ApiProperty({
    example: '0x…',
    description: 'The role an account needs to uphold or reject: keccak256("ARBITER_ROLE")',
  })
  arbiterRole!: string;
  @ApiProperty({
    enum: DISPUTE_LABELS,
    isArray: true,
    description: "The labels in the contract's order (label = index)",
  })
  labels!: DisputeLabel[];
}
