import { describe, expect, it } from 'vitest';
import { checkManifest, chunkSize, EMPTY_DRAFT, readManifest } from '../../../apps/web/src/lab/manifest';

const ROOT_A = '0x' + 'a1'.repeat(32);
const ROOT_B = '0x' + 'B2'.repeat(32);
const MODEL = '0x' + '4d'.repeat(32);

// The Lab page reads a dropped manifest and names every problem's field before anything is signed.
describe('web app: reading and checking a run manifest', () => {
  it('reads the JSON the CLI reads, and passes a good one with its entries in order', () => {
    const json = JSON.stringify({
      modelName: 'tiny-lm',
      modelHash: MODEL,
      weightUnit: 'tokens',
      startedAt: '2026-11-01T00:00:00Z',
      endedAt: 1_794_000_000,
      entries: [
        { datasetId: ROOT_A, weight: 3 },
        { datasetId: ROOT_B, weight: '7' },
      ],
    });
    const { draft, problems } = readManifest('run.json', json);
    expect(problems).toEqual([]);
    const { manifest, problems: checked } = checkManifest(draft);
    expect(checked).toEqual([]);
    expect(manifest).toMatchObject({
      modelName: 'tiny-lm',
      runRef: null,
      startedAt: Date.parse('2026-11-01T00:00:00Z') / 1000,
      endedAt: 1_794_000_000,
      entries: [
        { datasetId: ROOT_A, weight: 3n },
        { datasetId: ROOT_B.toLowerCase(), weight: 7n },
      ],
    });
  });

  it('reads a CSV of entries and keeps the run fields already filled in', () => {
    const base = { ...EMPTY_DRAFT, modelName: 'kept', modelHash: MODEL };
    const { draft, problems } = readManifest('entries.csv', `datasetId,weight\r\n${ROOT_A},5\n"${ROOT_B}",1\n\n`, base);
    expect(problems).toEqual([]);
    expect(draft).toMatchObject({ modelName: 'kept', entries: [{ datasetId: ROOT_A, weight: '5' }, { weight: '1' }] });
  });

  it('names the field and the reason of each problem', () => {
    const { draft, problems } = readManifest(
      'run.json',
      JSON.stringify({
        modelName: '',
        modelHash: '0x12',
        weightUnit: 'pages',
        startedAt: 200,
        endedAt: 100,
        extra: 1,
        entries: [
          { datasetId: ROOT_A, weight: 0 },
          { datasetId: ROOT_A.toUpperCase().replace('0X', '0x'), weight: 1 },
          { datasetId: 'nope', weight: 'x' },
        ],
      }),
    );
    expect(problems).toEqual([{ field: 'extra', reason: 'is not a manifest field' }]);
    const fields = checkManifest(draft).problems.map((p) => p.field);
    expect(fields).toEqual([
      'modelName',
      'modelHash',
      'weightUnit',
      'endedAt',
      'entries[0].weight',
      'entries[1].datasetId',
      'entries[2].datasetId',
      'entries[2].weight',
    ]);
    expect(checkManifest(draft).manifest).toBeNull();
  });

  it('refuses what is not a manifest: broken JSON, a CSV without its header, no entries', () => {
    expect(readManifest('run.json', '{ nope').problems[0]).toMatchObject({ field: 'manifest' });
    expect(readManifest('run.csv', 'a,b\n1,2').problems[0].reason).toContain('datasetId,weight');
    expect(checkManifest({ ...EMPTY_DRAFT }).problems).toContainEqual({
      field: 'entries',
      reason: 'a run must use at least one dataset',
    });
  });

  it('uploads in about ten chunks of at most 50,000 entries', () => {
    expect(chunkSize(1)).toBe(1);
    expect(chunkSize(2)).toBe(1);
    expect(chunkSize(95)).toBe(10);
    expect(chunkSize(2_000_000)).toBe(50_000);
  });
});
