import { All, Controller, Param, Patch, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BodyCheckedByHandler } from '../../common/body/content-type.guard';
import { UploadThrottle } from '../upload-throttle';
import { applyMethodOverride, TusUploadsService } from './tus-uploads.service';
import { Access, Caller, OptionalCaller } from '../../access/access.decorator';
import type { Principal } from '../../access/principal';

/**
 * tus 1.0 resumable uploads (POST /uploads, HEAD/PATCH/DELETE /uploads/:id) as raw
 * streams: no body parser touches them. PATCH streams straight into the store; the rest
 * goes to @tus/server. Documented in docs/reference/uploads.md rather than OpenAPI, which cannot
 * describe the protocol usefully.
 */
@ApiExcludeController()
@Access.account('upload')
@BodyCheckedByHandler()
@Controller('uploads')
export class UploadsController {
  constructor(private readonly uploads: TusUploadsService) {}

  @All()
  @UploadThrottle()
  create(@Req() req: Request, @Res() res: Response, @OptionalCaller() caller: Principal | undefined): Promise<void> {
    return this.uploads.handle(req, res, caller);
  }

  @Patch(':id')
  @UploadThrottle()
  append(
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
    @Caller() caller: Principal,
  ): Promise<void> {
    return this.uploads.patch(id, req, res, caller);
  }

  /**
   * HEAD and DELETE; and a POST carrying `X-HTTP-Method-Override` (tus 1.0, for clients behind
   * proxies that drop PATCH or DELETE), handled as the method it names.
   */
  @All(':id')
  @UploadThrottle()
  resume(
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
    @OptionalCaller() caller: Principal | undefined,
  ): Promise<void> {
    applyMethodOverride(req);
    if (req.method === 'PATCH' && caller) return this.uploads.patch(id, req, res, caller);
    return this.uploads.handleOwn(id, req, res, caller);
  }
}
