import { Module } from '@nestjs/common';
import { OverlapRepository } from './overlap.repository';
import { OverlapService } from './overlap.service';
import { OverlapsController } from './overlaps.controller';
import { TakedownRepository } from './takedown.repository';
import { TakedownService } from './takedown.service';
import { TakedownsController } from './takedowns.controller';

/**
 * Integrity (issue 15): exact overlap between datasets by SHA-256, checked in every registration's
 * transaction (contributions calls OverlapService), and the public record of what was found; owners'
 * signed takedowns, which licensing and delivery honour through DatasetReadRepository.
 */
@Module({
  controllers: [OverlapsController, TakedownsController],
  providers: [OverlapRepository, OverlapService, TakedownRepository, TakedownService],
  exports: [OverlapService, TakedownService],
})
export class IntegrityModule {}
