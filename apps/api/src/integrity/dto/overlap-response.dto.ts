import { ApiProperty } from '@nestjs/swagger';
import type {
  DatasetOwner,
  DatasetOverlap,
  DatasetOverlapPage,
  DatasetOverlapSummary,
  OverlapRelation,
} from '@upstream/api-contract';
import { OVERLAPS_PER_SUMMARY, OWNERS_PER_ENTRY } from '@upstream/api-contract';

const ROOT = '0x3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b';
const UUID = '0b6cc9a4-3c1d-4b8e-9a57-2f7f0f3a2a11';
const ACCOUNT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';

/** An owner of the other dataset (declared here, not imported, as the dataset page's DTOs import these). */
export class OverlapOwnerDto implements DatasetOwner {
  @ApiProperty({ example: ACCOUNT, description: 'Lowercase address' }) account!: string;
  @ApiProperty({ example: 10000 }) shareBps!: number;
}

export class DatasetOverlapDto implements DatasetOverlap {
  @ApiProperty({ example: UUID, description: 'The other dataset' }) datasetId!: string;
  @ApiProperty({ example: ROOT }) contentRoot!: string;
  @ApiProperty({ example: 'Street cats of Lisbon' }) title!: string;
  @ApiProperty({
    type: [OverlapOwnerDto],
    description: `The other dataset's first ${OWNERS_PER_ENTRY} owners, in signed order`,
  })
  owners!: OverlapOwnerDto[];
  @ApiProperty({ example: 1 }) ownerCount!: number;
  @ApiProperty({
    example: 120,
    description: "Files of the newer dataset whose SHA-256 the other holds (empty files don't count)",
  })
  sharedFiles!: number;
  @ApiProperty({ example: '5242880', description: 'Their bytes (decimal string)' }) sharedBytes!: string;
  @ApiProperty({ example: 0.42, minimum: 0, maximum: 1, description: "sharedBytes / the newer dataset's totalBytes" })
  fraction!: number;
  @ApiProperty({ example: '2026-11-20T10:00:00.000Z', description: 'When the other dataset was registered' })
  registeredAt!: string;
  @ApiProperty({
    enum: ['own', 'declared', 'undeclared'],
    example: 'declared',
    description:
      'How the rule treated the earlier dataset of the pair: own (the same owner accounts), declared (a declared parent or its ancestor), undeclared (counted towards OVERLAP_REFUSE_FRACTION)',
  })
  relation!: OverlapRelation;
}

export class DatasetOverlapSummaryDto implements DatasetOverlapSummary {
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-11-20T10:00:00.000Z',
    description: 'When the registration checked overlaps; null for datasets registered before they were checked',
  })
  checkedAt!: string | null;
  @ApiProperty({ example: 1, description: 'Earlier datasets sharing files with it' }) count!: number;
  @ApiProperty({
    example: 0.1,
    minimum: 0,
    maximum: 1,
    description: 'Share of its bytes in earlier datasets of other owners outside its lineage',
  })
  undeclaredFraction!: number;
  @ApiProperty({
    type: [DatasetOverlapDto],
    description: `The largest overlaps by shared bytes, at most ${OVERLAPS_PER_SUMMARY}`,
  })
  items!: DatasetOverlapDto[];
  @ApiProperty({ example: `/datasets/${UUID}/overlaps`, description: 'All of them, paged' }) url!: string;
}

export class DatasetOverlapPageDto implements DatasetOverlapPage {
  @ApiProperty({ example: UUID }) datasetId!: string;
  @ApiProperty({ enum: ['earlier', 'later'], example: 'earlier' }) direction!: 'earlier' | 'later';
  @ApiProperty({ type: [DatasetOverlapDto], description: 'Largest shared bytes first' }) items!: DatasetOverlapDto[];
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
}
