import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { DisputeReadService } from './dispute-read.service';
import { DisputesController } from './disputes.controller';
import { DisputesRepository } from './disputes.repository';
import { DisputesService } from './disputes.service';

/**
 * Disputes: the bonded disputes DisputeBonds records on-chain, followed by the indexer into
 * `disputes` and `dispute_resolutions` (the escrow rule itself lives in libs/royalties), and the public
 * routes that read them. What an upheld dispute delists is answered by the catalogue's read model.
 */
@Module({
  imports: [ChainModule],
  controllers: [DisputesController],
  providers: [DisputesRepository, DisputesService, DisputeReadService],
  exports: [DisputesRepository],
})
export class DisputesModule {}
