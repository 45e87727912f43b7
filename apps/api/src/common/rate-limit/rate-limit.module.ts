import { Module } from '@nestjs/common';
import { RateLimitHitsRepository } from './rate-limit-hits.repository';

/** The shared rate-limit counters' repository, for ThrottlerModule's storage factory. */
@Module({ providers: [RateLimitHitsRepository], exports: [RateLimitHitsRepository] })
export class RateLimitModule {}
