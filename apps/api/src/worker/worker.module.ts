import { Global, Module } from '@nestjs/common';
import { ChainSyncService } from './chain-sync.service';
import { WorkerConditionsRepository } from './worker-conditions.repository';
import { WorkerService } from './worker.service';

@Global()
@Module({
  providers: [ChainSyncService, WorkerService, WorkerConditionsRepository],
  exports: [ChainSyncService, WorkerService, WorkerConditionsRepository],
})
export class WorkerModule {}
