// Catalogue rows for royalty tests, inserted exactly as the catalogue schema defines them
// (datasets, owners, parents, anchor items, training runs, run entries, licenses), so the
// royalty suites do not depend on the contributions and runs APIs.
import { randomBytes } from 'node:crypto';
import { Contract, Wallet } from 'ethers';
import { Pool } from 'pg';
import { artifacts } from '@upstream/chain';
import type { TestApp } from './app';

const hex32 = () => '0x' + randomBytes(32).toString('hex');

export interface FixtureDataset {
  id: string;
  contentRoot: string;
}

export interface FixtureRun {
  id: string;
  runId: string;
}

export class RoyaltyFixtures {
  private constructor(readonly pool: Pool) {}

  static connect(databaseUrl: string): RoyaltyFixtures {
    return new RoyaltyFixtures(new Pool({ connectionString: databaseUrl, max: 2 }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async anchorItem(kind: 0 | 1): Promise<string> {
    const { rows } = await this.pool.query(`INSERT INTO anchor_items (kind, leaf) VALUES ($1, $2) RETURNING id`, [
      kind,
      hex32(),
    ]);
    return String(rows[0].id);
  }

  async dataset(options: {
    owners: { account: string; shareBps: number }[];
    parents?: { dataset: FixtureDataset; upstreamBps: number }[];
    contentRoot?: string;
    title?: string;
  }): Promise<FixtureDataset> {
    const contentRoot = (options.contentRoot ?? hex32()).toLowerCase();
    const anchor = await this.anchorItem(0);
    const { rows } = await this.pool.query(
      `INSERT INTO datasets (content_root, title, registrant, storage, external_uri, file_count, total_bytes, license_template,
                             license_terms, license_terms_hash, nonce, deadline, signature, digest, anchor_item_id, contribution_version)
       VALUES ($1, $2, $3, 'external', 'https://example.org/data', 1, 1024, 'open-royalty', '{}'::jsonb, $4, $5,
               now() + interval '1 day', '0x', $6, $7, 2)
       RETURNING id`,
      [
        contentRoot,
        options.title ?? 'fixture dataset',
        options.owners[0].account.toLowerCase(),
        hex32(),
        BigInt('0x' + randomBytes(8).toString('hex')).toString(),
        hex32(),
        anchor,
      ],
    );
    const id: string = rows[0].id;
    for (const o of options.owners) {
      await this.pool.query(`INSERT INTO dataset_owners (dataset_id, account, share_bps) VALUES ($1, $2, $3)`, [
        id,
        o.account.toLowerCase(),
        o.shareBps,
      ]);
    }
    for (const p of options.parents ?? []) {
      await this.pool.query(`INSERT INTO dataset_parents (dataset_id, parent_id, upstream_bps) VALUES ($1, $2, $3)`, [
        id,
        p.dataset.id,
        p.upstreamBps,
      ]);
    }
    return { id, contentRoot };
  }

  async run(options: {
    lab: string;
    entries: { dataset: FixtureDataset; weight: bigint }[];
    runId?: string;
  }): Promise<FixtureRun> {
    const runId = (options.runId ?? hex32()).toLowerCase();
    const anchor = await this.anchorItem(1);
    const total = options.entries.reduce((s, e) => s + e.weight, 0n);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `INSERT INTO training_runs (run_id, lab, model_name, model_hash, run_ref, entries_root, entry_count, weight_unit, total_weight,
                                    started_at, ended_at, nonce, deadline, signature, digest, anchor_item_id)
         VALUES ($1, $2, 'fixture-model', $3, $4, $5, $6, 'tokens', $7, now() - interval '1 hour', now(), 1, now() + interval '1 day', '0x', $8, $9)
         RETURNING id`,
        [
          runId,
          options.lab.toLowerCase(),
          hex32(),
          hex32(),
          hex32(),
          options.entries.length,
          total.toString(),
          hex32(),
          anchor,
        ],
      );
      const id: string = rows[0].id;
      await client.query(
        `INSERT INTO run_entries (run_id, position, dataset_id, weight)
         SELECT $1, t.position, t.dataset_id, t.weight::numeric FROM unnest($2::int[], $3::uuid[], $4::text[]) AS t(position, dataset_id, weight)`,
        [
          id,
          options.entries.map((_, i) => i),
          options.entries.map((e) => e.dataset.id),
          options.entries.map((e) => e.weight.toString()),
        ],
      );
      await client.query('COMMIT');
      return { id, runId };
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  async license(options: {
    dataset: FixtureDataset;
    licensee: string;
    paymentRef?: string;
  }): Promise<{ id: string; paymentRef: string }> {
    const paymentRef = (options.paymentRef ?? hex32()).toLowerCase();
    const { rows } = await this.pool.query(
      `INSERT INTO licenses (dataset_id, licensee, terms_hash, status, payment_ref, nonce, deadline, signature, digest)
       VALUES ($1, $2, $3, 'pending_payment', $4, 1, now() + interval '1 day', '0x', $5) RETURNING id`,
      [options.dataset.id, options.licensee.toLowerCase(), hex32(), paymentRef, hex32()],
    );
    return { id: rows[0].id, paymentRef };
  }

  /** Payments where fee + Σ ledger + Σ escrow still held ≠ amount: the ledger invariant, checked in SQL. */
  async invariantViolations(): Promise<unknown[]> {
    const { rows } = await this.pool.query(
      `SELECT p.id, p.amount, p.fee, l.total AS ledger, h.total AS held
       FROM royalty_payments p,
            LATERAL (SELECT COALESCE(SUM(amount), 0) AS total FROM ledger_entries WHERE payment_id = p.id) l,
            LATERAL (SELECT COALESCE(SUM(amount), 0) AS total FROM escrow_entries
                     WHERE payment_id = p.id AND released_by IS NULL) h
       WHERE p.allocation_seq IS NOT NULL AND p.fee + l.total + h.total <> p.amount`,
    );
    return rows;
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }
}

/** What `oneOwnerRun` arranges: the fixtures' connection, the owner, the run, and the splitter's facts. */
export interface OneOwnerRun {
  fx: RoyaltyFixtures;
  /** Dev account 3, lowercase: owns the run's one dataset at 100 %. */
  owner: string;
  /** A run by dev account 8 over that dataset (weight 1), to be paid with `payRunWith`. */
  run: FixtureRun;
  splitter: Contract;
  feeBps: bigint;
  /** The payment token, lowercase. */
  token: string;
}

/** One owner at 100 % of one dataset, one run of it by account 8, and the deployment indexed. */
export async function oneOwnerRun(t: TestApp): Promise<OneOwnerRun> {
  const fx = RoyaltyFixtures.connect(t.database.url);
  const owner = new Wallet(t.chain.privateKey(3)).address.toLowerCase();
  const dataset = await fx.dataset({ owners: [{ account: owner, shareBps: 10_000 }] });
  const run = await fx.run({ lab: new Wallet(t.chain.privateKey(8)).address, entries: [{ dataset, weight: 1n }] });
  const splitter = new Contract(
    t.chain.deployment.contracts.RoyaltySplitter,
    artifacts.RoyaltySplitter.abi,
    t.chain.provider,
  );
  const feeBps = BigInt(await splitter.feeBps());
  const token = t.chain.deployment.contracts.PaymentToken!.toLowerCase();
  await t.tick(); // index the deployment
  return { fx, owner, run, splitter, feeBps, token };
}

/** The royalty stories' datasets and run (dispute-escrow, royalties-journey), and who owns them. */
export interface ParentDerivedOther {
  /** Owned by `p` alone; takes 10 % upstream of `derived`. */
  parent: FixtureDataset;
  /** Co-owned 60/40 by `a` and `b`. */
  derived: FixtureDataset;
  /** Owned by `c` alone. */
  other: FixtureDataset;
  /** By `lab`: `derived` at weight 3, `other` at weight 1. */
  run: FixtureRun;
}

/**
 * `derived` (a 60 %, b 40 %) of `parent` (p, 10 % upstream) and `other` (c), in one run by `lab` weighing them 3:1:
 * a payment's net splits by weight, then upstream, then by co-owner share, each step with a remainder.
 */
export async function parentDerivedOther(
  fx: RoyaltyFixtures,
  who: { a: string; b: string; c: string; p: string; lab: string },
): Promise<ParentDerivedOther> {
  const parent = await fx.dataset({ owners: [{ account: who.p, shareBps: 10_000 }] });
  const derived = await fx.dataset({
    owners: [
      { account: who.a, shareBps: 6_000 },
      { account: who.b, shareBps: 4_000 },
    ],
    parents: [{ dataset: parent, upstreamBps: 1_000 }],
  });
  const other = await fx.dataset({ owners: [{ account: who.c, shareBps: 10_000 }] });
  const run = await fx.run({
    lab: who.lab,
    entries: [
      { dataset: derived, weight: 3n },
      { dataset: other, weight: 1n },
    ],
  });
  return { parent, derived, other, run };
}
