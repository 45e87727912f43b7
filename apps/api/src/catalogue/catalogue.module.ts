import { Global, Module } from '@nestjs/common';
import { DatasetReadRepository } from './dataset-read.repository';
import { UsedNoncesRepository } from './used-nonces.repository';

/** What every signed catalogue record shares: the dataset read model (usable for licensing, for runs) and used nonces. */
@Global()
@Module({
  providers: [DatasetReadRepository, UsedNoncesRepository],
  exports: [DatasetReadRepository, UsedNoncesRepository],
})
export class CatalogueModule {}
