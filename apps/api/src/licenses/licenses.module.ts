import { Module } from '@nestjs/common';
import { LicensesController } from './licenses.controller';
import { LicensesRepository } from './licenses.repository';
import { LicensesService } from './licenses.service';

/** Licenses: labs sign a dataset's terms; fees are paid through the RoyaltySplitter and seen by the indexer. */
@Module({
  controllers: [LicensesController],
  providers: [LicensesService, LicensesRepository],
  exports: [LicensesService, LicensesRepository],
})
export class LicensesModule {}
