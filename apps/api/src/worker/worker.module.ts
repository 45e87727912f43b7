import { Global, Module } from '@nestjs/common';
import { ChainSyncService } from './chain-sync.service';
import { LeaderLockRepository } from './leader-lock.repository';
import { WorkerConditionsRepository } from './worker-conditions.repository';
import { WorkerService } from './worker.service';

@Global()
@Module({
  providers: [ChainSyncService, WorkerService, WorkerConditionsRepository, LeaderLockRepository],
  exports: [ChainSyncService, WorkerService, WorkerConditionsRepository],
})
export class WorkerModule {}
