import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ChainModule } from '../chain/chain.module';
import { AccessRulesCheck } from './access-rules.check';
import { AccessGuard } from './access.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { CredentialsRepository } from './credentials.repository';
import { BlobHoldersRepository } from './delivery/blob-holders.repository';
import { DeliveryAccessService } from './delivery/delivery-access.service';
import { DeliveryRepository } from './delivery/delivery.repository';
import { SignatureVerifier } from './signature-verifier';

/**
 * Who is calling and what they may fetch and store: Sign-In with Ethereum sessions, API keys, the
 * route guard (every route states its `@Access` rule), and the one delivery guard of byte-serving paths.
 */
@Global()
@Module({
  imports: [ChainModule, DiscoveryModule],
  controllers: [AuthController],
  providers: [
    CredentialsRepository,
    BlobHoldersRepository,
    DeliveryRepository,
    SignatureVerifier,
    AuthService,
    DeliveryAccessService,
    AccessGuard,
    AccessRulesCheck,
  ],
  exports: [
    AccessGuard,
    AuthService,
    DeliveryAccessService,
    BlobHoldersRepository,
    DeliveryRepository,
    SignatureVerifier,
  ],
})
export class AccessModule {}
