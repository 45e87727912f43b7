import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors } from '../common/errors/api-errors.decorator';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { Access, Caller } from './access.decorator';
import { AuthService } from './auth.service';
import type { ApiKeyRow } from './credentials.repository';
import { BlobHoldersRepository } from './delivery/blob-holders.repository';
import {
  ApiKeyInfoDto,
  ApiKeyListDto,
  CallerInfoDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  SessionDto,
  SignInDto,
  SignOutResultDto,
  SiweChallengeDto,
} from './dto/access.dto';
import type { Principal } from './principal';
import { SCOPES } from './principal';

@ApiTags('access')
@Controller('auth')
export class AuthController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly auth: AuthService,
    private readonly holders: BlobHoldersRepository,
  ) {}

  @Post('nonce')
  @HttpCode(200)
  @Access.public()
  @ApiOperation({ summary: 'A single-use nonce for a Sign-In with Ethereum (EIP-4361) message, valid 10 minutes' })
  @ApiOkResponse({ type: SiweChallengeDto })
  async nonce(): Promise<SiweChallengeDto> {
    const c = await this.auth.challenge();
    return {
      nonce: c.nonce,
      expiresAt: c.expiresAt.toISOString(),
      domain: c.domain ?? null,
      uri: c.uri ?? null,
      chainId: c.chainId,
    };
  }

  @Post('session')
  @Access.public()
  @ApiOperation({
    summary: 'Sign in: a signed SIWE message opens a session',
    description:
      'The domain must be this service (PUBLIC_URL, or the host you reached), the URI on it, the chain id this chain, the nonce one ' +
      'from POST /auth/nonce not used before, Issued At within 10 minutes, and the message unexpired. EOAs sign with personal_sign; ' +
      'contract wallets (a Safe, a DAO) are checked with ERC-1271 isValidSignature. The session lasts SESSION_TTL_HOURS, or until the ' +
      "message's Expiration Time if sooner.",
  })
  @ApiCreatedResponse({ type: SessionDto })
  @ApiErrors('VALIDATION_FAILED', ['SIWE_INVALID', 'the message or signature was refused; the detail says why'])
  async signIn(@Body() body: SignInDto, @Req() req: Request): Promise<SessionDto> {
    const session = await this.auth.signIn(body.message, body.signature, {
      host: req.headers.host,
      ip: req.ip,
      userAgent: req.headers['user-agent'],
    });
    return { token: session.token, account: session.account, expiresAt: session.expiresAt.toISOString() };
  }

  @Get('session')
  @Access.account('read')
  @ApiOperation({ summary: 'Who this credential is: account, session or API key, scopes, storage used' })
  @ApiOkResponse({ type: CallerInfoDto })
  @ApiErrors('UNAUTHENTICATED', 'CREDENTIAL_INVALID', 'SCOPE_REQUIRED')
  async whoami(@Caller() caller: Principal): Promise<CallerInfoDto> {
    return {
      account: caller.account,
      via: caller.via,
      scopes: caller.via === 'session' ? [...SCOPES] : [...caller.scopes],
      storage: {
        usedBytes: (await this.holders.usedBytes(caller.account)).toString(),
        limitBytes: this.runtime.config.uploadQuotaBytes.toString(),
      },
    };
  }

  @Post('logout')
  @HttpCode(200)
  @Access.session()
  @ApiOperation({ summary: 'End this session' })
  @ApiOkResponse({ type: SignOutResultDto })
  @ApiErrors('UNAUTHENTICATED', 'CREDENTIAL_INVALID', 'SESSION_REQUIRED')
  async logout(@Caller() caller: Principal): Promise<SignOutResultDto> {
    await this.auth.signOut(caller);
    return { revoked: 1 };
  }

  @Post('logout-all')
  @HttpCode(200)
  @Access.session()
  @ApiOperation({
    summary: 'Sign out everywhere: end every session of this account (its API keys are revoked one by one)',
  })
  @ApiOkResponse({ type: SignOutResultDto })
  @ApiErrors('UNAUTHENTICATED', 'CREDENTIAL_INVALID', 'SESSION_REQUIRED')
  async logoutAll(@Caller() caller: Principal): Promise<SignOutResultDto> {
    return { revoked: await this.auth.signOutEverywhere(caller) };
  }

  @Post('keys')
  @Access.session()
  @ApiOperation({
    summary: 'Create an API key for a machine: scopes, expiry, label; the key is shown once and stored hashed',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiErrors('VALIDATION_FAILED', 'UNAUTHENTICATED', 'CREDENTIAL_INVALID', 'SESSION_REQUIRED')
  async createKey(@Caller() caller: Principal, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { key, row } = await this.auth.createApiKey(caller, body.label, body.scopes, body.expiresInDays ?? 90);
    return { key, apiKey: keyDto(row) };
  }

  @Get('keys')
  @Access.session()
  @ApiOperation({ summary: "This account's API keys (never the keys themselves), newest first, with their last use" })
  @ApiOkResponse({ type: ApiKeyListDto })
  @ApiErrors('UNAUTHENTICATED', 'CREDENTIAL_INVALID', 'SESSION_REQUIRED')
  async listKeys(@Caller() caller: Principal): Promise<ApiKeyListDto> {
    return { items: (await this.auth.listApiKeys(caller)).map(keyDto) };
  }

  @Delete('keys/:id')
  @Access.session()
  @ApiOperation({ summary: 'Revoke one of this account’s API keys (at once; revoking twice is harmless)' })
  @ApiOkResponse({ type: ApiKeyInfoDto })
  @ApiErrors('UNAUTHENTICATED', 'CREDENTIAL_INVALID', 'SESSION_REQUIRED', 'API_KEY_NOT_FOUND')
  async revokeKey(@Caller() caller: Principal, @Param('id') id: string): Promise<ApiKeyInfoDto> {
    return keyDto(await this.auth.revokeApiKey(caller, id));
  }
}

function keyDto(row: ApiKeyRow): ApiKeyInfoDto {
  return {
    id: row.id,
    label: row.label,
    scopes: row.scopes,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    lastUsedIp: row.last_used_ip,
  };
}
