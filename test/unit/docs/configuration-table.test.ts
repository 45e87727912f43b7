import { readFileSync } from 'node:fs';
import { getMetadataStorage } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { EnvDto } from '../../../apps/api/src/config/env.dto';

/** Every setting the service validates at start-up, by its name. */
const SETTINGS = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(EnvDto, '', true, false)
      .map((m) => m.propertyName),
  ),
];

/** The `variable` column of the first table under `heading` (a cell may name several, joined by `·`). */
function tableVariables(markdown: string, heading: RegExp): Set<string> {
  const section = markdown.split(/^(?=#{1,2} )/m).find((s) => heading.test(s.split('\n')[0]));
  if (!section) throw new Error(`no section ${heading}`);
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return new Set(rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1])));
}

describe('the configuration tables name every setting the service reads', () => {
  it('finds the settings (the test reads them from the validated class)', () => {
    expect(SETTINGS).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'WORKER_MODE', 'BLOB_STORE_URL']));
  });

  it.each([
    ['README.md', /^## Configuration/],
    ['docs/reference/configuration.md', /^# Configuration/],
  ])('%s lists each one, and nothing else', (file, heading) => {
    const listed = tableVariables(readFileSync(file, 'utf8'), heading);
    expect([...listed].sort()).toEqual([...SETTINGS].sort());
  });
});
