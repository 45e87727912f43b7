import { Global, Module } from '@nestjs/common';
import { AnchoringService } from './anchoring.service';

@Global()
@Module({ providers: [AnchoringService], exports: [AnchoringService] })
export class AnchoringModule {}
