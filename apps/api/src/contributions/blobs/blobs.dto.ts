import { ApiProperty } from '@nestjs/swagger';
import { Exclude } from 'class-transformer';
import { Allow } from 'class-validator';
import { MAX_MISSING_DIGESTS } from '../../common/body/request-limits';

const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export class BlobResponseDto {
  @ApiProperty({
    example: SHA,
    description: "SHA-256 of the bytes (what `sha256sum` prints): the blob's content address",
  })
  sha256!: string;
  @ApiProperty({ example: '1048576', description: 'Size in bytes (decimal string)' })
  size!: string;
  @ApiProperty({ example: true, description: 'false when identical bytes were already stored' })
  created!: boolean;
}

export class MissingBlobsRequestDto {
  /**
   * Not on the instance: the route's `PrepareBody(MissingDigestsPreparer)` reads the digests from
   * the body (in a worker thread for a long list).
   */
  @ApiProperty({
    type: [String],
    example: [SHA],
    description: `Digests to look up (at most ${MAX_MISSING_DIGESTS.toLocaleString('en-US')})`,
  })
  @Exclude({ toClassOnly: true })
  @Allow()
  sha256s?: string[];
}

export class MissingBlobsResponseDto {
  @ApiProperty({ type: [String], example: [SHA], description: 'The digests the store does not hold yet: upload these' })
  missing!: string[];
}
