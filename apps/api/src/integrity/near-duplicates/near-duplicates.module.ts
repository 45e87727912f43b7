import { Module } from '@nestjs/common';
import { ContributionsModule } from '../../contributions/contributions.module';
import { NearDuplicateRepository } from './near-duplicate.repository';
import { NearDuplicateService } from './near-duplicate.service';
import { SimilarController } from './similar.controller';

/**
 * Near-duplicates (issue 15): signatures of uploaded bytes (MinHash for text, pHash for images) with a
 * banded LSH index, computed by the worker after upload, and the flags between similar datasets. Apart from
 * IntegrityModule because it reads blobs (ContributionsModule's store), and contributions imports that one.
 */
@Module({
  imports: [ContributionsModule],
  controllers: [SimilarController],
  providers: [NearDuplicateRepository, NearDuplicateService],
  exports: [NearDuplicateService],
})
export class NearDuplicatesModule {}
