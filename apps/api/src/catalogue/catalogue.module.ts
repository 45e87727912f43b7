import { Global, Module } from '@nestjs/common';
import { DatasetReadRepository } from './dataset-read.repository';

/** The catalogue's shared read model: which datasets are usable for licensing and for runs. */
@Global()
@Module({ providers: [DatasetReadRepository], exports: [DatasetReadRepository] })
export class CatalogueModule {}
