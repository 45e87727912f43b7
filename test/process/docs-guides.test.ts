import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputMatches, parseGuide, startGuideSession, type GuideSession, type GuideStep } from '../support/doc-guide';
import { MAIN, ROOT } from '../support/service-process';

/**
 * The guides of the docs site, run as written. Each group gets a fresh service; each guide a fresh
 * shell in an empty folder, its blocks run in order. The auditor audits what the lab guide created; the
 * operator guide starts (and stops) a second API replica on its service's database.
 */
const GROUPS = [
  ['docs/guides/contributor.md'],
  ['docs/guides/lab.md', 'docs/guides/auditor.md'],
  ['docs/guides/operator.md'],
  ['docs/guides/governance.md'],
];
const GUIDES = GROUPS.flat();
const SAMPLE = join(ROOT, 'docs/public/samples/verify_dataset.py');
const STREET_CATS = '0x5b88c93eb2a466bddcdab345919e48b3640fd5ca283121db04e5338c16feb3cc';

/** Pythons to run the sample with: the one on PATH, and Debian's (where `python3-pycryptodome` installs). */
const PYTHONS = [...new Set(['python3', '/usr/bin/python3'])].filter(
  (p) => spawnSync(p, ['-c', 'import hashlib, urllib.request'], { stdio: 'ignore' }).status === 0,
);
const WITH_CRYPTODOME = PYTHONS.find(
  (p) => spawnSync(p, ['-c', 'from Cryptodome.Hash import keccak'], { stdio: 'ignore' }).status === 0,
);

function describeStep(guide: string, step: GuideStep): string {
  return `${guide}:${step.line}:\n${step.code.trimEnd()}`;
}

/** Short intervals only make the guides' waiting loops shorter; the commands are the page's. */
const SERVICE_ENV = { EPOCH_INTERVAL_MS: '1000', ANCHOR_INTERVAL_MS: '500', WORKER_INTERVAL_MS: '200' };

function runGuides(session: () => GuideSession, guides: string[]): void {
  for (const guide of guides) {
    it(`${guide}: every shell block runs and prints what the page shows`, { timeout: 600_000 }, async () => {
      await session().newShell();
      const steps = parseGuide(readFileSync(join(ROOT, guide), 'utf8'));
      const run = steps.filter((s) => !s.notRun);
      expect(run.length, 'shell blocks the test runs').toBeGreaterThan(3);
      expect(run.filter((s) => s.expected !== undefined).length, 'blocks with output to compare').toBeGreaterThan(3);
      for (const step of run) {
        const { code, output } = await session().run(step);
        if (code !== 0) throw new Error(`${describeStep(guide, step)}\nexited with ${code}; it printed:\n${output}`);
        if (step.expected !== undefined && !outputMatches(step.expected, output))
          throw new Error(`${describeStep(guide, step)}\nprinted:\n${output}\nbut the page shows:\n${step.expected}`);
      }
    });
  }
}

describe.skipIf(!existsSync(MAIN))('docs that run: the contributor guide and the Python sample', () => {
  let session: GuideSession;

  beforeAll(async () => {
    session = await startGuideSession(SERVICE_ENV);
  }, 120_000);
  afterAll(async () => session?.close(), 60_000);

  runGuides(() => session, GROUPS[0]);

  // Against the records the contributor guide created.
  describe('the Python sample (no Ethereum library) re-checks a real record', () => {
    it.each(PYTHONS)('with %s and its pure-Python Keccak', (python) => {
      const res = spawnSync(python, [SAMPLE, session.api, STREET_CATS, '--rpc', session.rpc], {
        encoding: 'utf8',
        env: { ...process.env, UPSTREAM_SAMPLE_PURE_KECCAK: '1' },
      });
      expect(res.stderr).toBe('');
      expect(res.stdout).toMatch(
        new RegExp(
          [
            'keccak-256     pure Python',
            'files          3',
            `content root   ${STREET_CATS}`,
            `record says    ${STREET_CATS}  MATCH`,
            'batch proof    digest in batch root 0x[0-9a-f]{64}  VALID',
            'on chain       anchoredAt\\(batch root\\) = \\d+  ANCHORED',
          ].join('\\n'),
        ),
      );
      expect(res.status).toBe(0);
    });

    // Debian's package: `apt-get install python3-pycryptodome` (imported as Cryptodome). Without it the
    // sample falls back to its own Keccak, tested above.
    it.skipIf(!WITH_CRYPTODOME)('with python3-pycryptodome’s keccak', () => {
      const res = spawnSync(WITH_CRYPTODOME!, [SAMPLE, session.api, STREET_CATS, '--rpc', session.rpc], {
        encoding: 'utf8',
      });
      expect(res.stdout).toContain('keccak-256     Cryptodome.Hash\n');
      expect(res.stdout).toContain(`record says    ${STREET_CATS}  MATCH\n`);
      expect(res.stdout).toContain('ANCHORED');
      expect(res.status).toBe(0);
    });

    // Python 3 ships with Debian; without any, the sample's tests are skipped (and say so in the report).
    it.skipIf(PYTHONS.length === 0)(
      'says MISMATCH and exits 1 when a served file list differs from what was signed',
      async () => {
        // A copy of the real record whose second file claims one byte more, served as the API would.
        const get = async (path: string) => (await fetch(`${session.api}${path}`)).text();
        const dataset = await get(`/datasets/${STREET_CATS}`);
        const files = JSON.parse(await get(`/datasets/${STREET_CATS}/files?limit=500`)) as {
          items: { size: string }[];
        };
        files.items[1].size = String(Number(files.items[1].size) + 1);
        const server: Server = createServer((req, res) => {
          res.setHeader('Content-Type', 'application/json');
          res.end(req.url?.includes('/files') ? JSON.stringify(files) : dataset);
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        try {
          const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
          // Asynchronously: the server answering it lives in this process.
          const res = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
            const child = spawn(PYTHONS[0], [SAMPLE, url, STREET_CATS], { stdio: ['ignore', 'pipe', 'inherit'] });
            let stdout = '';
            child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
            child.once('exit', (status) => resolve({ status, stdout }));
          });
          expect(res.stdout).toContain(`record says    ${STREET_CATS}  MISMATCH`);
          expect(res.status).toBe(1);
        } finally {
          server.close();
        }
      },
    );
  });

  it('serves the built docs site under /docs-site/, generated reference included', async () => {
    const index = await fetch(`${session.api}/docs-site/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('Upstream');
    const errors = await fetch(`${session.api}/docs-site/reference/errors.html`);
    expect(errors.status).toBe(200);
    expect(await errors.text()).toContain('LICENSE_REQUIRED');
  });

  it('lists the guides it runs in the docs (a new guide is added to GUIDES)', () => {
    const pages = readFileSync(join(ROOT, 'docs/.vitepress/config.mts'), 'utf8');
    for (const guide of GUIDES) expect(pages).toContain(`/${relative('docs', guide).replace(/\.md$/, '')}`);
  });
});

describe.skipIf(!existsSync(MAIN))('docs that run: the lab guide, then the auditor guide on its records', () => {
  let session: GuideSession;
  beforeAll(async () => {
    session = await startGuideSession(SERVICE_ENV);
  }, 120_000);
  afterAll(async () => session?.close(), 60_000);

  runGuides(() => session, GROUPS[1]);
});

describe.skipIf(!existsSync(MAIN))('docs that run: the operator guide', () => {
  let session: GuideSession;
  beforeAll(async () => {
    session = await startGuideSession(SERVICE_ENV);
  }, 120_000);
  afterAll(async () => session?.close(), 60_000);

  runGuides(() => session, GROUPS[2]);
});

describe.skipIf(!existsSync(MAIN))('docs that run: the governance guide, with a 20-block vote', () => {
  let session: GuideSession;
  beforeAll(async () => {
    session = await startGuideSession({ ...SERVICE_ENV, LOCAL_VOTING_PERIOD_BLOCKS: '20' });
  }, 120_000);
  afterAll(async () => session?.close(), 60_000);

  runGuides(() => session, GROUPS[3]);
});
