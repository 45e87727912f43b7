import { Module } from '@nestjs/common';
import { DisputesRepository } from './disputes.repository';
import { DisputesService } from './disputes.service';

/**
 * Disputes: the bonded disputes DisputeBonds records on-chain, followed by the indexer into
 * `disputes` and `dispute_resolutions` (the escrow rule itself lives in libs/royalties).
 */
@Module({
  providers: [DisputesRepository, DisputesService],
  exports: [DisputesRepository],
})
export class DisputesModule {}
