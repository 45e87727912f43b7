import type { ExecutionContext } from '@nestjs/common';
import { Throttle } from '@nestjs/throttler';
import type { Request } from 'express';

/** Where the module puts UPLOAD_RATE_LIMIT_PER_MINUTE for the throttler to read per request. */
export const UPLOAD_RATE_LIMIT_LOCAL = 'upstreamUploadRateLimitPerMinute';

function uploadRateLimit(context: ExecutionContext): number {
  const request = context.switchToHttp().getRequest<Request>();
  return Number(request.app?.locals?.[UPLOAD_RATE_LIMIT_LOCAL] ?? 6_000);
}

/** Upload routes count against UPLOAD_RATE_LIMIT_PER_MINUTE instead of the general RATE_LIMIT_PER_MINUTE. */
export const UploadThrottle = () => Throttle({ default: { limit: uploadRateLimit, ttl: 60_000 } });
