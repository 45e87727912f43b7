import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AnchorBatch, AnchorEvent, AnchorTransaction, DatasetAnchorStatus } from '@upstream/api-contract';

const ROOT = '0x3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b';
const TX = '0x5f0b1c0e3c5d2f7a9e8b6c4d2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a39';

/** Where an anchored record (a registration, a takedown) stands: pending, in a batch, anchored on-chain. */
export class AnchorBatchDto implements AnchorBatch {
  @ApiProperty({ example: '7' }) id!: string;
  @ApiProperty({ example: ROOT, description: 'Batch root posted to ProvenanceRegistry.anchor' }) root!: string;
  @ApiProperty({ example: 100 }) itemCount!: number;
  @ApiProperty({ type: [String], example: [TX], description: 'StandardMerkleTree proof of `leaf` (bytes32) in `root`' })
  proof!: string[];
}

export class AnchorTransactionDto implements AnchorTransaction {
  @ApiProperty({ example: 'mined' }) status!: string;
  @ApiProperty({ type: String, nullable: true, example: TX }) hash!: string | null;
}

export class AnchorEventDto implements AnchorEvent {
  @ApiProperty({ example: TX }) txHash!: string;
  @ApiProperty({ example: 1234 }) blockNumber!: number;
  @ApiProperty({ example: '2026-11-20T10:00:05.000Z' }) anchoredAt!: string;
}

export class AnchorResponseDto implements DatasetAnchorStatus {
  @ApiProperty({ enum: ['pending', 'batched', 'anchored'], example: 'anchored' }) state!: string;
  @ApiProperty({
    example: TX,
    description: "The leaf: the signed record's EIP-712 digest (a registration's, a takedown's)",
  })
  leaf!: string;
  @ApiProperty({
    example: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    description: 'ProvenanceRegistry; check `anchoredAt(batch.root) > 0`',
  })
  registry!: string;
  @ApiPropertyOptional({ type: AnchorBatchDto }) batch?: AnchorBatchDto;
  @ApiPropertyOptional({ type: AnchorTransactionDto }) transaction?: AnchorTransactionDto;
  @ApiPropertyOptional({ type: AnchorEventDto }) anchor?: AnchorEventDto;
}
