import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { GovernanceController } from './governance.controller';
import { GovernanceRepository } from './governance.repository';
import { GovernanceService } from './governance.service';

@Module({
  imports: [ChainModule],
  controllers: [GovernanceController],
  providers: [GovernanceService, GovernanceRepository],
  exports: [GovernanceService],
})
export class GovernanceModule {}
