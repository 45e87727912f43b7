import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './access.decorator';

/** The rate limit counts a signed-in caller per account (all its sessions and keys together), anyone else per IP. */
@Injectable()
export class AccountThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as AuthenticatedRequest;
    return Promise.resolve(request.principal ? `account:${request.principal.account}` : `ip:${request.ip ?? ''}`);
  }
}
