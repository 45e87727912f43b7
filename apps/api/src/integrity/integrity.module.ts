import { Module } from '@nestjs/common';
import { OverlapRepository } from './overlap.repository';
import { OverlapService } from './overlap.service';
import { OverlapsController } from './overlaps.controller';

/**
 * Integrity (issue 15): exact overlap between datasets by SHA-256, checked in every registration's
 * transaction (contributions calls OverlapService), and the public record of what was found.
 */
@Module({
  controllers: [OverlapsController],
  providers: [OverlapRepository, OverlapService],
  exports: [OverlapService],
})
export class IntegrityModule {}
