import { Injectable } from '@nestjs/common';
import type { BodyPreparer } from '../common/body/prepared-body';
import type { JsonBodySource } from '../common/body/raw-json-body';
import { OFF_LOOP_BODY_BYTES } from '../common/body/request-limits';
import { OffLoopPool } from '../common/off-loop/off-loop.pool';
import { prepareRunEntries, type RunEntriesResult } from './run-entries.validator';

/**
 * A run body's `entries` (up to 50,000 a request): checked on the event loop when the body is
 * short, parsed and checked in a worker thread when it is long (the body reader then left them out
 * of the body it parsed).
 */
@Injectable()
abstract class RunEntriesPreparer implements BodyPreparer<RunEntriesResult> {
  protected abstract readonly required: boolean;

  constructor(private readonly pool: OffLoopPool) {}

  async prepare({ raw, parsed }: JsonBodySource): Promise<RunEntriesResult> {
    if (raw === undefined || raw.length <= OFF_LOOP_BODY_BYTES) return prepareRunEntries(parsed, this.required);
    return this.pool.run('runEntriesOfBody', { raw, required: this.required });
  }
}

/** `POST /runs`: the manifest may carry all its entries, the first chunk, or none. */
@Injectable()
export class ManifestEntriesPreparer extends RunEntriesPreparer {
  protected readonly required = false;
}

/** `POST /runs/:id/entries`: a chunk of at least one entry. */
@Injectable()
export class ChunkEntriesPreparer extends RunEntriesPreparer {
  protected readonly required = true;
}
