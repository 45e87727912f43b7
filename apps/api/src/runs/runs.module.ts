import { Module } from '@nestjs/common';
import { LicensesModule } from '../licenses/licenses.module';
import { RunsController } from './runs.controller';
import { RunsRepository } from './runs.repository';
import { ChunkEntriesPreparer, ManifestEntriesPreparer } from './run-entries.preparer';
import { RunsService } from './runs.service';

/** Training runs: signed manifests, uploaded in chunks, checked against licenses, committed all at once and anchored. */
@Module({
  imports: [LicensesModule],
  controllers: [RunsController],
  providers: [RunsService, RunsRepository, ManifestEntriesPreparer, ChunkEntriesPreparer],
  exports: [RunsService, RunsRepository],
})
export class RunsModule {}
