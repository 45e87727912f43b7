// TEST FIXTURE ONLY: writes catalogue rows (datasets, owners, parents, anchor items, licenses)
// straight into a test database, exactly as the schema defines them, for suites and benchmarks
// that need many datasets without registering each through POST /datasets.
import { randomBytes } from 'node:crypto';
import { withClient } from './pg-client';
import {
  buildRunEntriesTree,
  licenseAcceptanceTypedData,
  licenseTerms,
  licenseTermsHash,
  trainingRunTypedData,
  type LicenseTerms,
  type UpstreamDomain,
} from '@upstream/provenance';

export interface FixtureDataset {
  id: string;
  contentRoot: string;
  terms: LicenseTerms;
  termsHash: string;
}

export interface FixtureDatasetOptions {
  title?: string;
  owners?: { account: string; shareBps: number }[];
  parents?: { id: string; upstreamBps: number }[];
  /** Default open-training; paid-per-run needs `fee`. */
  template?: 'open-training' | 'paid-per-run' | 'research-only';
  fee?: { token: string; amount: bigint };
  /** Extra term fields, e.g. `{ durationDays: 30 }`. */
  extraTerms?: Record<string, unknown>;
  licensingOpen?: boolean;
}

export { withClient };

const hex32 = () => '0x' + randomBytes(32).toString('hex');

/** One dataset with its owners, parents and (unbatched) anchor item. */
export async function insertDataset(url: string, options: FixtureDatasetOptions = {}): Promise<FixtureDataset> {
  const template = options.template ?? 'open-training';
  const base = template === 'paid-per-run' ? licenseTerms('paid-per-run', options.fee!) : licenseTerms(template);
  const terms = { ...base, ...options.extraTerms } as LicenseTerms;
  const termsHash = licenseTermsHash(terms);
  const contentRoot = hex32();
  const owners = options.owners ?? [{ account: '0x' + randomBytes(20).toString('hex'), shareBps: 10_000 }];
  return withClient(url, async (c) => {
    await c.query('BEGIN');
    const digest = hex32();
    const {
      rows: [item],
    } = await c.query(`INSERT INTO anchor_items (kind, leaf) VALUES (0, $1) RETURNING id`, [digest]);
    const {
      rows: [dataset],
    } = await c.query(
      `INSERT INTO datasets (content_root, title, registrant, storage, external_uri, file_count, total_bytes, license_template, license_terms,
                             license_terms_hash, licensing_open, nonce, deadline, signature, digest, anchor_item_id, contribution_version)
       VALUES ($1, $2, $3, 'external', 'https://example.org/data', 1, 1024, $4, $5, $6, $7, 1, now() + interval '1 day', '0x', $8, $9, 2)
       RETURNING id`,
      [
        contentRoot,
        options.title ?? 'fixture dataset',
        owners[0].account.toLowerCase(),
        template,
        terms,
        termsHash,
        options.licensingOpen ?? true,
        digest,
        item.id,
      ],
    );
    await c.query(
      `INSERT INTO dataset_owners (dataset_id, account, share_bps) SELECT $1, a, b FROM unnest($2::text[], $3::int[]) AS t(a, b)`,
      [dataset.id, owners.map((o) => o.account.toLowerCase()), owners.map((o) => o.shareBps)],
    );
    for (const p of options.parents ?? []) {
      await c.query(`INSERT INTO dataset_parents (dataset_id, parent_id, upstream_bps) VALUES ($1, $2, $3)`, [
        dataset.id,
        p.id,
        p.upstreamBps,
      ]);
    }
    await c.query('COMMIT');
    return { id: dataset.id, contentRoot, terms, termsHash };
  });
}

/**
 * `count` open-training datasets owned 100 % by `owner`, in one set-based statement each for anchor
 * items, datasets and owners. Content roots are derived from `seed` and the index; returned in index order.
 */
export async function insertDatasetsBulk(
  url: string,
  count: number,
  owner: string,
  seed = randomBytes(4).toString('hex'),
): Promise<string[]> {
  const terms = licenseTerms('open-training');
  const termsHash = licenseTermsHash(terms);
  return withClient(url, async (c) => {
    await c.query('BEGIN');
    await c.query(
      `CREATE TEMP TABLE fixture_roots ON COMMIT DROP AS
       SELECT i, '0x' || md5($1 || ':' || i) || md5($1 || ':' || i || ':b') AS root,
                 '0x' || md5($1 || ':d:' || i) || md5($1 || ':d:' || i || ':b') AS digest
       FROM generate_series(0, $2 - 1) AS i`,
      [seed, count],
    );
    await c.query(`INSERT INTO anchor_items (kind, leaf) SELECT 0, digest FROM fixture_roots ORDER BY i`);
    await c.query(
      `INSERT INTO datasets (content_root, title, registrant, storage, external_uri, file_count, total_bytes, license_template, license_terms,
                             license_terms_hash, nonce, deadline, signature, digest, anchor_item_id, contribution_version)
       SELECT r.root, 'bulk fixture ' || r.i, $1, 'external', 'https://example.org/data', 1, 1024, 'open-training', $2, $3, r.i,
              now() + interval '1 day', '0x', r.digest, a.id, 2
       FROM fixture_roots r JOIN anchor_items a ON a.leaf = r.digest`,
      [owner.toLowerCase(), terms, termsHash],
    );
    await c.query(
      `INSERT INTO dataset_owners (dataset_id, account, share_bps) SELECT d.id, $1, 10000 FROM fixture_roots r JOIN datasets d ON d.content_root = r.root`,
      [owner.toLowerCase()],
    );
    const { rows } = await c.query({ text: `SELECT root FROM fixture_roots ORDER BY i`, rowMode: 'array' });
    await c.query('COMMIT');
    return rows.map((r: string[]) => r[0]);
  });
}

/** Active licenses for `licensee` on every dataset with one of `contentRoots` (set-based). */
export async function insertActiveLicensesBulk(url: string, licensee: string, contentRoots: string[]): Promise<void> {
  await insertActiveLicenses(url, licensee, `d.content_root = ANY($2::text[])`, contentRoots);
}

/** Active licenses for `licensee` on every dataset owned by `owner` (set-based; for benchmarks). */
export async function insertActiveLicensesForOwner(url: string, licensee: string, owner: string): Promise<void> {
  await insertActiveLicenses(
    url,
    licensee,
    `d.id IN (SELECT dataset_id FROM dataset_owners WHERE account = $2)`,
    owner.toLowerCase(),
  );
}

async function insertActiveLicenses(url: string, licensee: string, where: string, param: unknown): Promise<void> {
  await withClient(url, (c) =>
    c.query(
      `INSERT INTO licenses (dataset_id, licensee, terms_hash, status, nonce, deadline, signature, digest, activated_at)
       SELECT d.id, $1::text, d.license_terms_hash, 'active', 0, now() + interval '1 day', '0x',
              '0x' || md5($1::text || d.id::text) || md5(d.id::text || $1::text), now()
       FROM datasets d WHERE ${where}`,
      [licensee.toLowerCase(), param],
    ),
  );
}

// ---- signing helpers for lab tests (what the CLI does, inline) ----

export interface ManifestInput {
  modelName?: string;
  modelHash?: string;
  runRef?: string;
  weightUnit?: string;
  startedAt?: number;
  endedAt?: number;
  nonce?: bigint;
  deadline?: number;
  entries: { datasetId: string; weight: bigint }[];
}

/** Body for POST /runs (without entries): the manifest signed by `wallet`, entries root computed here. */
export async function signRunManifest(
  wallet: { address: string; signTypedData: (d: never, t: never, m: never) => Promise<string> },
  domain: UpstreamDomain,
  input: ManifestInput,
): Promise<{ body: Record<string, unknown>; runId: string; entriesRoot: string }> {
  const tree = await buildRunEntriesTree(input.entries);
  const now = Math.floor(Date.now() / 1000);
  const message = {
    runRef: input.runRef ?? hex32(),
    modelName: input.modelName ?? 'test-model',
    modelHash: input.modelHash ?? hex32(),
    entriesRoot: tree.root,
    entryCount: BigInt(input.entries.length),
    weightUnit: input.weightUnit ?? 'tokens',
    startedAt: BigInt(input.startedAt ?? now - 7200),
    endedAt: BigInt(input.endedAt ?? now - 3600),
    nonce: input.nonce ?? BigInt('0x' + randomBytes(8).toString('hex')),
    deadline: BigInt(input.deadline ?? now + 3600),
  };
  const td = trainingRunTypedData(domain, message);
  const signature = await wallet.signTypedData(td.domain as never, td.types as never, td.message as never);
  return {
    runId: td.digest,
    entriesRoot: tree.root,
    body: {
      lab: wallet.address,
      runRef: message.runRef,
      modelName: message.modelName,
      modelHash: message.modelHash,
      entriesRoot: message.entriesRoot,
      entryCount: input.entries.length,
      weightUnit: message.weightUnit,
      startedAt: Number(message.startedAt),
      endedAt: Number(message.endedAt),
      nonce: message.nonce.toString(),
      deadline: Number(message.deadline),
      signature,
    },
  };
}

/** Body for POST /licenses: the lab's signed LicenseAcceptance of a dataset's terms. */
export async function signLicense(
  wallet: { address: string; signTypedData: (d: never, t: never, m: never) => Promise<string> },
  domain: UpstreamDomain,
  input: { datasetId: string; termsHash: string; nonce?: bigint; deadline?: number },
): Promise<Record<string, unknown>> {
  const message = {
    datasetId: input.datasetId,
    termsHash: input.termsHash,
    licensee: wallet.address,
    nonce: input.nonce ?? BigInt('0x' + randomBytes(8).toString('hex')),
    deadline: BigInt(input.deadline ?? Math.floor(Date.now() / 1000) + 3600),
  };
  const td = licenseAcceptanceTypedData(domain, message);
  const signature = await wallet.signTypedData(td.domain as never, td.types as never, td.message as never);
  return { ...message, nonce: message.nonce.toString(), deadline: Number(message.deadline), signature };
}
