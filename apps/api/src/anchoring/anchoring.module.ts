import { Global, Module } from '@nestjs/common';
import { AnchoringRepository } from './anchoring.repository';
import { AnchoringService } from './anchoring.service';

@Global()
@Module({ providers: [AnchoringRepository, AnchoringService], exports: [AnchoringService] })
export class AnchoringModule {}
