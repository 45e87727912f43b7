import { Module } from '@nestjs/common';
import { LedgerService } from './ledger.service';
import { RoyaltiesController } from './royalties.controller';
import { RoyaltiesService } from './royalties.service';
import { SettlementService } from './settlement.service';

/**
 * Royalties: RunPaid → ledger (LedgerService), epochs settled on-chain (SettlementService),
 * and the public read side (balances, history, proofs, epochs and their inputs, payments).
 */
@Module({
  controllers: [RoyaltiesController],
  providers: [LedgerService, SettlementService, RoyaltiesService],
  exports: [LedgerService, SettlementService, RoyaltiesService],
})
export class RoyaltiesModule {}
