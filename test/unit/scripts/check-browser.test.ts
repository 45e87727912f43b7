import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_ENTRIES, checkBrowserEntry } from '../../../scripts/check-browser';

describe('check:browser (scripts/check-browser.ts)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'check-browser-'));
    await writeFile(
      join(dir, 'direct.ts'),
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    );
    await writeFile(
      join(dir, 'hasher.ts'),
      "import { createHash } from 'crypto';\nexport const sha = () => createHash('sha256');\n",
    );
    await writeFile(join(dir, 'transitive.ts'), "export { sha } from './hasher';\n");
    await writeFile(join(dir, 'clean.ts'), 'export const twice = (n: number) => n * 2;\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('flags an entry that imports node:fs', async () => {
    const { nodeImports } = await checkBrowserEntry('direct.ts', { absWorkingDir: dir });
    expect(nodeImports).toEqual([{ specifier: 'node:fs', importer: 'direct.ts', chain: ['direct.ts', 'node:fs'] }]);
  });

  it('flags a bare built-in reached through another module, naming the chain', async () => {
    const { nodeImports } = await checkBrowserEntry('transitive.ts', { absWorkingDir: dir });
    expect(nodeImports.map((i) => i.chain)).toEqual([['transitive.ts', 'hasher.ts', 'crypto']]);
  });

  it('passes an entry with no Node imports', async () => {
    expect((await checkBrowserEntry('clean.ts', { absWorkingDir: dir })).nodeImports).toEqual([]);
  });

  it('passes the libs’ browser entries and flags the Node half of provenance', async () => {
    for (const entry of Object.values(BROWSER_ENTRIES)) {
      expect((await checkBrowserEntry(entry)).nodeImports, entry).toEqual([]);
    }
    const node = await checkBrowserEntry('libs/provenance/src/node/index.ts');
    expect(node.nodeImports.map((i) => i.specifier).sort()).toEqual([
      'node:crypto',
      'node:fs',
      'node:fs/promises',
      'node:path',
      'node:stream',
    ]);
  });
});
