import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  prepareParties,
  prepareRegistration,
  registrationOfBody,
} from '../../../apps/api/src/contributions/datasets/file-list/file-list';
import {
  fileColumnBatches,
  fileColumnsOf,
  fileEntriesOf,
  PATH_SEPARATOR,
} from '../../../apps/api/src/contributions/datasets/file-list/file-columns';
import { prepareMissingDigests } from '../../../apps/api/src/contributions/blobs/missing-digests';
import { prepareRunEntries } from '../../../apps/api/src/runs/run-entries.validator';

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
const address = hex(40).map((h) => `0x${h}`);
const bytes32 = hex(64).map((h) => `0x${h}`);

/**
 * The long lists read outside the DTOs (in a worker thread for long bodies): each keeps what it
 * was sent, in order, and names every refused item by its place in the body.
 */
describe('long lists read outside the DTOs', () => {
  it('keeps owners and parents as sent, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ account: address, shareBps: fc.integer({ min: 0, max: 10_000 }) }), { minLength: 1 }),
        fc.array(fc.record({ datasetId: bytes32, upstreamBps: fc.integer({ min: 0, max: 10_000 }) })),
        (owners, parents) => {
          const prepared = prepareParties({ owners, parents });
          expect(prepared).toEqual({ ok: true, lists: { owners, parents } });
        },
      ),
    );
    expect(prepareParties({ owners: [{ account: `0x${'ab'.repeat(20)}`, shareBps: 10_000 }] })).toMatchObject({
      ok: true,
      lists: { parents: [] },
    });
  });

  it('names each malformed owner and parent field, and unknown keys', () => {
    const prepared = prepareParties({
      owners: [
        { account: '0xabc', shareBps: 10_000 },
        { account: `0x${'11'.repeat(20)}`, shareBps: 1.5 },
        { account: `0x${'11'.repeat(20)}`, shareBps: 1, role: 'x' },
        'alice',
      ],
      parents: [{ datasetId: '0x12', upstreamBps: '10' }],
    });
    expect(prepared.ok).toBe(false);
    expect(!prepared.ok && prepared.errors.map((e) => e.field)).toEqual([
      'owners[0].account',
      'owners[1].shareBps',
      'owners[2].role',
      'owners[3]',
      'parents[0].datasetId',
      'parents[0].upstreamBps',
    ]);
    expect(prepareParties({ owners: [] })).toEqual({
      ok: false,
      errors: [{ field: 'owners', reason: 'owners must list at least one owner' }],
    });
    expect(prepareParties({ parents: {} })).toMatchObject({
      ok: false,
      errors: [{ field: 'owners' }, { field: 'parents' }],
    });
  });

  it('names the refusals of files, owners and parents of one registration together', async () => {
    const prepared = await prepareRegistration({
      files: [{ path: 'a.txt', size: '1', sha256: 'zz' }],
      owners: [{ account: '0x1', shareBps: 10_000 }],
    });
    expect(!prepared.ok && prepared.errors.map((e) => e.field)).toEqual(['files[0].sha256', 'owners[0].account']);
  });

  it('reads a long body as a stream (the worker task) to the same answer as the parsed body, refusals included', async () => {
    const file = fc.record({
      path: fc.oneof(
        fc.constantFrom('a.txt', 'b/c.bin', 'B', './x', 'a/../b', 'dup', 'dup', '\u{1f600}', '\u0001'),
        fc.string(),
      ),
      size: fc.oneof(
        fc.constantFrom('0', '18446744073709551615', '18446744073709551616', '-1', 7, 1.5),
        fc.nat().map(String),
      ),
      sha256: fc.oneof(hex(64), fc.constantFrom('zz', 'AB'.repeat(32), '0x' + 'ab'.repeat(32))),
    });
    const body = fc.record({
      title: fc.constant('t'),
      files: fc.oneof(fc.array(file, { maxLength: 12 }), fc.constantFrom({}, 'x', null)),
      owners: fc.constantFrom(
        [{ account: '0x' + '1'.repeat(40), shareBps: 10_000 }],
        [{ account: '0x1', shareBps: 1 }],
      ),
    });
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const streamed = await registrationOfBody(Buffer.from(JSON.stringify(b)));
        expect(streamed).toEqual(await prepareRegistration(JSON.parse(JSON.stringify(b))));
      }),
      { numRuns: 200 },
    );
    expect(await registrationOfBody(Buffer.from('{"files":[{"path":"a","size":"1",'))).toMatchObject({
      ok: false,
      errors: [{ field: 'body' }],
    });
  });

  it('gives a run chunk as columns that split back into its entries, named from the chunk offset', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(bytes32, { minLength: 1, maxLength: 50 }),
        fc.nat({ max: 1_000_000 }),
        (roots, offset) => {
          const entries = roots.map((datasetId, i) => ({ datasetId, weight: String(i + 1) }));
          const prepared = prepareRunEntries({ offset, entries }, true);
          expect(prepared.ok && prepared.roots.split(',')).toEqual(roots);
          expect(prepared.ok && prepared.weights.split(',')).toEqual(entries.map((e) => e.weight));
          expect(prepared.count).toBe(roots.length);
        },
      ),
    );
    const refused = prepareRunEntries(
      { offset: 100, entries: [{ datasetId: `0x${'aa'.repeat(32)}`, weight: '0' }] },
      true,
    );
    expect(refused).toMatchObject({ ok: false, count: 1, errors: [{ field: 'entries[100].weight' }] });
    expect(prepareRunEntries({ offset: 0 }, false)).toMatchObject({ ok: true, present: false, count: 0 });
    expect(prepareRunEntries({ offset: 0 }, true)).toMatchObject({ ok: false, errors: [{ field: 'entries' }] });
    expect(prepareRunEntries({ offset: 0, entries: [] }, true)).toMatchObject({
      ok: false,
      errors: [{ field: 'entries' }],
    });
  });

  it('normalises digests (0x, capitals) and names a malformed one by its place', () => {
    const digest = 'AB'.repeat(32);
    expect(prepareMissingDigests({ sha256s: [`0x${digest}`, digest.toLowerCase()] })).toEqual({
      ok: true,
      sha256s: `${digest.toLowerCase()},${digest.toLowerCase()}`,
    });
    expect(prepareMissingDigests({ sha256s: [digest, 'x', 7] })).toMatchObject({
      ok: false,
      errors: [{ field: 'sha256s[1]' }, { field: 'sha256s[2]' }],
    });
    expect(prepareMissingDigests({})).toMatchObject({ ok: false, errors: [{ field: 'sha256s' }] });
  });
});

describe('a registration written in batches of files (fileColumnBatches)', () => {
  it('cuts the columns into runs of at most the batch size that hold every file once, in order', () => {
    const entry = fc.record({
      path: fc.string({ minLength: 1, maxLength: 12 }).filter((p) => !p.includes(PATH_SEPARATOR)),
      size: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      sha256: hex(64),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 45 }), (files, size) => {
        const columns = fileColumnsOf(files);
        const batches = [...fileColumnBatches(columns, size)];
        expect(batches.every((b) => b.count >= 1 && b.count <= size)).toBe(true);
        const back = batches.flatMap((b) => fileEntriesOf({ ...b, totalBytes: '0' }));
        expect(back).toEqual(files);
        expect(batches.map((b) => b.count).reduce((a, b) => a + b)).toBe(files.length);
      }),
    );
  });
});
