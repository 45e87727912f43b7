import { All, Controller, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { UploadThrottle } from '../upload-throttle';
import { TusUploadsService } from './tus-uploads.service';

/**
 * tus 1.0 resumable uploads (POST /uploads, HEAD/PATCH/DELETE /uploads/:id), handed
 * to @tus/server as raw streams: no body parser touches them. Documented in the
 * README rather than OpenAPI, which cannot describe the protocol usefully.
 */
@ApiExcludeController()
@Controller('uploads')
export class UploadsController {
  constructor(private readonly uploads: TusUploadsService) {}

  @All()
  @UploadThrottle()
  create(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.uploads.handle(req, res);
  }

  @All(':id')
  @UploadThrottle()
  resume(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.uploads.handle(req, res);
  }
}
