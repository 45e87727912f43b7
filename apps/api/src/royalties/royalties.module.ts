import { Module } from '@nestjs/common';
import { DisputesModule } from '../disputes/disputes.module';
import { DisputeEscrowService } from './dispute-escrow.service';
import { EarnedVotesRuleService } from './earned-votes-rule.service';
import { EscrowRepository } from './escrow.repository';
import { EpochsRepository } from './epochs.repository';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';
import { RoyaltiesReadRepository } from './royalties-read.repository';
import { RoyaltiesController } from './royalties.controller';
import { RoyaltiesService } from './royalties.service';
import { SettlementService } from './settlement.service';

/**
 * Royalties: RunPaid → ledger (LedgerService), epochs settled on-chain (SettlementService),
 * and the public read side (balances, history, proofs, epochs and their inputs, payments).
 */
@Module({
  imports: [DisputesModule],
  controllers: [RoyaltiesController],
  providers: [
    EpochsRepository,
    EarnedVotesRuleService,
    LedgerRepository,
    EscrowRepository,
    DisputeEscrowService,
    RoyaltiesReadRepository,
    LedgerService,
    SettlementService,
    RoyaltiesService,
  ],
  exports: [LedgerService, SettlementService, RoyaltiesService, EarnedVotesRuleService],
})
export class RoyaltiesModule {}
