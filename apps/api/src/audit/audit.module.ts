import { Module } from '@nestjs/common';
import { LicensesModule } from '../licenses/licenses.module';
import { RunsModule } from '../runs/runs.module';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

/** Public audit: "which data trained this model?" and "which runs used my dataset?", as JSON and Croissant JSON-LD. */
@Module({
  imports: [LicensesModule, RunsModule],
  controllers: [AuditController],
  providers: [AuditService, AuditRepository],
})
export class AuditModule {}
