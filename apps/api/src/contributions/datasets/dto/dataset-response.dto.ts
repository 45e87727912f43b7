import { ApiProperty } from '@nestjs/swagger';
import type {
  ContributorDataset,
  ContributorDatasetPage,
  DatasetDetail,
  DatasetFile,
  DatasetLicense,
  DatasetOwner,
  DatasetOwnerPage,
  DatasetPage,
  DatasetParent,
  DatasetSummary,
  FilePage,
  FileProof,
  Lineage,
  LineageNode,
} from '@upstream/api-contract';
import { DATASET_TAGS, OWNERS_PER_ENTRY, type DatasetTag } from '@upstream/api-contract';
import { DatasetOverlapSummaryDto } from '../../../integrity/dto/overlap-response.dto';
import { AnchorResponseDto } from '../../../anchoring/dto/anchor-status.dto';
import { DatasetTakedownDto } from '../../../integrity/dto/takedown.dto';

const ROOT = '0x3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b';
const UUID = '0b6cc9a4-3c1d-4b8e-9a57-2f7f0f3a2a11';
const ACCOUNT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const TX = '0x5f0b1c0e3c5d2f7a9e8b6c4d2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39';

export class OwnerResponseDto implements DatasetOwner {
  @ApiProperty({ example: ACCOUNT, description: 'Lowercase address' }) account!: string;
  @ApiProperty({ example: 6000 }) shareBps!: number;
}

export class DatasetOwnerPageDto implements DatasetOwnerPage {
  @ApiProperty({ example: UUID }) datasetId!: string;
  @ApiProperty({ type: [OwnerResponseDto], description: 'In the order they were signed' }) items!: OwnerResponseDto[];
  @ApiProperty({ example: 2 }) total!: number;
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
}

export class LicenseResponseDto implements DatasetLicense {
  @ApiProperty({ example: 'open-training' }) template!: string;
  @ApiProperty({
    example: {
      template: 'open-training',
      version: 1,
      training: true,
      commercialUse: true,
      attribution: true,
      redistribution: false,
      fee: null,
    },
    description: 'The terms document; its canonical JSON hashes to termsHash',
    type: 'object',
    additionalProperties: true,
  })
  terms!: Record<string, unknown>;
  @ApiProperty({ example: ROOT, description: 'keccak256 of the canonical JSON of terms (signed in the Contribution)' })
  termsHash!: string;
  @ApiProperty({ example: true }) licensingOpen!: boolean;
  @ApiProperty({
    example: false,
    description:
      'The terms are a license template governance approved (GET /governance/license-templates lists termsHash); false without a registry',
  })
  approvedTemplate!: boolean;
}

export class DatasetSummaryDto implements DatasetSummary {
  @ApiProperty({ example: UUID }) id!: string;
  @ApiProperty({ example: ROOT, description: 'Merkle root over the file entries: the on-chain dataset id' })
  contentRoot!: string;
  @ApiProperty({ example: 'Street cats of Lisbon' }) title!: string;
  @ApiProperty({ example: '12,000 photos of cats' }) description!: string;
  @ApiProperty({
    enum: ['uploaded', 'external'],
    example: 'uploaded',
    description: 'external: registered by hashes alone, the bytes are not here',
  })
  storage!: string;
  @ApiProperty({ enum: ['public', 'licensed', 'private'], description: 'Who may fetch the bytes' })
  accessPolicy!: string;
  @ApiProperty({ type: String, nullable: true, example: null }) externalUri!: string | null;
  @ApiProperty({ example: 12000 }) fileCount!: number;
  @ApiProperty({ example: '734003200', description: 'Bytes (decimal string)' }) totalBytes!: string;
  @ApiProperty({ example: ACCOUNT, description: 'Address that signed the registration' }) registrant!: string;
  @ApiProperty({
    type: [OwnerResponseDto],
    description: `In the order they were signed. A list entry carries the first ${OWNERS_PER_ENTRY} (the rest are at \`ownersUrl\`); a dataset's detail carries them all`,
  })
  owners!: OwnerResponseDto[];
  @ApiProperty({ example: 2, description: 'How many owners the dataset has' }) ownerCount!: number;
  @ApiProperty({ example: `/datasets/${UUID}/owners`, description: 'The full, paged list of owners' })
  ownersUrl!: string;
  @ApiProperty({ type: LicenseResponseDto }) license!: LicenseResponseDto;
  @ApiProperty({ type: String, nullable: true, example: null }) previousVersionId!: string | null;
  @ApiProperty({ example: '2026-11-20T10:00:00.000Z' }) createdAt!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'When its owners took it down (no new licenses, no deliveries); null while it is live',
  })
  takenDownAt!: string | null;
  @ApiProperty({
    enum: Object.values(DATASET_TAGS),
    isArray: true,
    example: [],
    description:
      'Integrity tags: disputed (a dispute against it is open), disputed-upheld (one was upheld: delisted, no new licenses, deliveries or runs), review:upstream-disputed (a dataset it derives from was)',
  })
  tags!: DatasetTag[];
  @ApiProperty({
    type: [String],
    example: [],
    description: 'Ids of the disputes open against it (/disputes/<id>), oldest first',
  })
  openDisputes!: string[];
}

export class ParentResponseDto implements DatasetParent {
  @ApiProperty({ example: UUID }) id!: string;
  @ApiProperty({ example: ROOT }) contentRoot!: string;
  @ApiProperty({ example: 'Cats, raw' }) title!: string;
  @ApiProperty({ example: 1000 }) upstreamBps!: number;
}

export class DatasetDetailDto extends DatasetSummaryDto implements DatasetDetail {
  @ApiProperty({ type: [ParentResponseDto], description: 'In the order they were signed' })
  parents!: ParentResponseDto[];
  @ApiProperty({ type: [String], example: [], description: 'Datasets registered as new versions of this one' })
  nextVersionIds!: string[];
  @ApiProperty({
    enum: [1, 2],
    example: 2,
    description:
      'EIP-712 Contribution type it was signed under: 2 adds metadataHash (title, description, externalUri as shown); 1 signed no metadata',
  })
  contributionVersion!: 1 | 2;
  @ApiProperty({
    type: String,
    nullable: true,
    example: TX,
    description:
      'keccak256 of the canonical JSON {"description","externalUri","title"} the owners signed; null for version 1',
  })
  metadataHash!: string | null;
  @ApiProperty({ example: '1731000000123' }) nonce!: string;
  @ApiProperty({ example: '2030-01-01T00:00:00.000Z' }) deadline!: string;
  @ApiProperty({ example: '0x' + '1b'.repeat(65) }) signature!: string;
  @ApiProperty({ example: TX, description: 'EIP-712 digest of the signed Contribution (the anchored leaf)' })
  digest!: string;
  @ApiProperty({ type: AnchorResponseDto }) anchorStatus!: AnchorResponseDto;
  @ApiProperty({
    type: DatasetOverlapSummaryDto,
    description: 'Earlier datasets sharing files with it (by SHA-256), as its registration found them',
  })
  overlaps!: DatasetOverlapSummaryDto;
  @ApiProperty({
    type: DatasetTakedownDto,
    nullable: true,
    description: 'Its owners withdrew it: no new licenses, no deliveries; null while it is live',
  })
  takedown!: DatasetTakedownDto | null;
}

export class DatasetPageDto implements DatasetPage {
  @ApiProperty({ type: [DatasetSummaryDto] }) items!: DatasetSummaryDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'MjAyNi0xMS0yMFQxMDowMDowMC4wMDBafDBiNmNjOWE0',
    description: 'Pass as `cursor` for the next page; null on the last',
  })
  nextCursor!: string | null;
}

export class ContributorDatasetDto extends DatasetSummaryDto implements ContributorDataset {
  @ApiProperty({ example: 6000, description: "This contributor's share of the dataset" }) shareBps!: number;
}

export class ContributorDatasetPageDto implements ContributorDatasetPage {
  @ApiProperty({ type: [ContributorDatasetDto] }) items!: ContributorDatasetDto[];
  @ApiProperty({ type: String, nullable: true, example: null }) nextCursor!: string | null;
}

export class FileResponseDto implements DatasetFile {
  @ApiProperty({ example: 'images/cat-0001.jpg' }) path!: string;
  @ApiProperty({ example: '48213' }) size!: string;
  @ApiProperty({ example: SHA }) sha256!: string;
}

export class FilePageDto implements FilePage {
  @ApiProperty({ type: [FileResponseDto] }) items!: FileResponseDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'images/cat-0100.jpg',
    description: 'Pass as `cursor` for the next page (paths in UTF-8 byte order); null on the last',
  })
  nextCursor!: string | null;
}

export class FileProofDto implements FileProof {
  @ApiProperty({ example: ROOT }) contentRoot!: string;
  @ApiProperty({ type: FileResponseDto }) file!: FileResponseDto;
  @ApiProperty({
    type: [String],
    example: [TX],
    description: 'StandardMerkleTree proof of the leaf abi.encode(string path, uint256 size, bytes32 sha256)',
  })
  proof!: string[];
}

export class LineageNodeDto implements LineageNode {
  @ApiProperty({ example: UUID }) id!: string;
  @ApiProperty({ example: ROOT }) contentRoot!: string;
  @ApiProperty({ example: 'Cats, raw' }) title!: string;
  @ApiProperty({ example: 1, description: 'Generations away (1 = direct parent or child)' }) depth!: number;
  @ApiProperty({ example: UUID, description: 'The dataset one step closer to the one asked about' }) via!: string;
  @ApiProperty({ example: 1000, description: 'upstreamBps of this link' }) upstreamBps!: number;
}

export class LineageDto implements Lineage {
  @ApiProperty({ example: UUID }) id!: string;
  @ApiProperty({ example: ROOT }) contentRoot!: string;
  @ApiProperty({ type: [LineageNodeDto] }) ancestors!: LineageNodeDto[];
  @ApiProperty({ type: [LineageNodeDto] }) descendants!: LineageNodeDto[];
}
