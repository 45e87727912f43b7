import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocate } from '@upstream/royalties';
import {
  ALLOCATION_EXAMPLES,
  GENERATORS,
  ROOT,
  cliMarkdown,
  docsPages,
  renderPage,
} from '../../../scripts/docs-reference';

/** The docs site's generated reference tables agree with the code they describe. */
describe('docs reference pages are generated from the code', () => {
  const pages = docsPages();

  it.each(pages.map((p) => [relative(ROOT, p), p]))(
    '%s is up to date (npm run docs:reference)',
    async (_name, page) => {
      const text = readFileSync(page, 'utf8');
      expect(await renderPage(text)).toBe(text);
    },
  );

  it('rebuilds a stale region and refuses an unknown one', async () => {
    const stale = 'intro\n<!-- generated:leaves -->\n| old table |\n<!-- /generated:leaves -->\nafter\n';
    const fresh = await renderPage(stale);
    expect(fresh).not.toContain('| old table |');
    expect(fresh).toContain('`abi.encode(string, uint256, bytes32)`');
    expect(fresh.endsWith('<!-- /generated:leaves -->\nafter\n')).toBe(true);
    await expect(renderPage('<!-- generated:nope -->\n<!-- /generated:nope -->')).rejects.toThrow(
      'no generator named nope',
    );
  });

  it('uses every generator on some page, once', () => {
    const all = pages.map((p) => readFileSync(p, 'utf8')).join('\n');
    for (const name of Object.keys(GENERATORS))
      expect(all.split(`<!-- generated:${name} -->`).length - 1, name).toBe(1);
  });

  it('prints each command’s own --help, so the CLI page and --help cannot disagree', async () => {
    const page = await cliMarkdown();
    const { buildProgram } = await import('../../../apps/cli/src/main.js');
    const upload = buildProgram().commands.find((c: { name(): string }) => c.name() === 'upload')!;
    upload.configureHelp({ helpWidth: 100 });
    expect(page).toContain(upload.helpInformation().trimEnd());
    expect(page).toContain('--fee-token <address>');
  });

  it('shows worked examples whose shares add up to the payment', () => {
    for (const { input } of ALLOCATION_EXAMPLES) {
      const result = allocate(input);
      expect(result.fee + result.shares.reduce((sum, s) => sum + s.amount, 0n)).toBe(input.amount);
    }
  });
});
