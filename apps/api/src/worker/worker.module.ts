import { Global, Module } from '@nestjs/common';
import { ChainSyncService } from './chain-sync.service';
import { WorkerService } from './worker.service';

@Global()
@Module({ providers: [ChainSyncService, WorkerService], exports: [ChainSyncService, WorkerService] })
export class WorkerModule {}
