import { ApiProperty } from '@nestjs/swagger';
import type { DatasetSimilarity, DatasetSimilarPage, OverlapRelation, SimilarityStatus } from '@upstream/api-contract';
import { OWNERS_PER_ENTRY } from '@upstream/api-contract';
import { OverlapOwnerDto } from './overlap-response.dto';

const ROOT = '0x3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b';
const UUID = '0b6cc9a4-3c1d-4b8e-9a57-2f7f0f3a2a11';

export class DatasetSimilarityDto implements DatasetSimilarity {
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
    example: 0.87,
    minimum: 0,
    maximum: 1,
    description:
      "Estimated share of the newer dataset (its text and image files, by bytes) that is a near or exact copy of the other's: Σ bytes × best file similarity / bytes",
  })
  similarity!: number;
  @ApiProperty({ example: 12, description: 'Files of the newer dataset with a near-duplicate in the other' })
  matchedFiles!: number;
  @ApiProperty({ example: '4563', description: 'Their bytes weighted by similarity (decimal string)' })
  matchedBytes!: string;
  @ApiProperty({ example: '2026-11-20T10:00:00.000Z', description: 'When the other dataset was registered' })
  registeredAt!: string;
  @ApiProperty({
    enum: ['own', 'declared', 'undeclared'],
    example: 'undeclared',
    description:
      'The earlier dataset of the pair, seen from the newer: own (the same owner accounts), declared (in its declared lineage), undeclared (neither)',
  })
  relation!: OverlapRelation;
}

export class DatasetSimilarPageDto implements DatasetSimilarPage {
  @ApiProperty({ example: UUID }) datasetId!: string;
  @ApiProperty({ enum: ['earlier', 'later'], example: 'earlier' }) direction!: 'earlier' | 'later';
  @ApiProperty({
    enum: ['pending', 'checked', 'no-bytes'],
    example: 'checked',
    description:
      'pending: the worker has not compared it yet (it does, in registration order, after upload); checked; no-bytes: registered by hashes alone',
  })
  status!: SimilarityStatus;
  @ApiProperty({ type: String, nullable: true, example: '2026-11-20T10:00:05.000Z' }) checkedAt!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 12,
    description: 'Its distinct files with a signature (text or image); null until checked',
  })
  signedFiles!: number | null;
  @ApiProperty({ type: String, nullable: true, example: '5245', description: 'Their bytes (decimal string)' })
  signedBytes!: string | null;
  @ApiProperty({ example: 0.5, description: 'The least similarity flagged (NEAR_DUPLICATE_SIMILARITY)' })
  threshold!: number;
  @ApiProperty({ type: [DatasetSimilarityDto], description: 'Most similar first' }) items!: DatasetSimilarityDto[];
  @ApiProperty({ example: 1 }) total!: number;
  @ApiProperty({ example: 100 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
}
