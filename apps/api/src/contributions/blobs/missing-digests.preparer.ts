import { Injectable } from '@nestjs/common';
import type { BodyPreparer } from '../../common/body/prepared-body';
import type { JsonBodySource } from '../../common/body/raw-json-body';
import { OFF_LOOP_BODY_BYTES } from '../../common/body/request-limits';
import { OffLoopPool } from '../../common/off-loop/off-loop.pool';
import { prepareMissingDigests, type MissingDigestsResult } from './missing-digests';

/** The digests of a `POST /blobs/missing` body, in a worker thread when the body is long (100,000 digests is ~6.7 MB). */
@Injectable()
export class MissingDigestsPreparer implements BodyPreparer<MissingDigestsResult> {
  constructor(private readonly pool: OffLoopPool) {}

  async prepare({ raw, parsed }: JsonBodySource): Promise<MissingDigestsResult> {
    if (raw === undefined || raw.length <= OFF_LOOP_BODY_BYTES) return prepareMissingDigests(parsed);
    return this.pool.run('missingDigestsOfBody', raw);
  }
}
