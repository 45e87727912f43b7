import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ContributionsModule } from '../contributions/contributions.module';
import { HealthController } from './health.controller';

@Module({ imports: [TerminusModule, ContributionsModule], controllers: [HealthController] })
export class HealthModule {}
