// What must hold between the chain and the database once settlement is quiet, checked from
// the outside: the chain's logs, the public API and SQL. Shared by the rollback e2e test, the
// property test and the kill -9 process test.
import { Contract, Interface, type JsonRpcProvider } from 'ethers';
import { artifacts } from '@upstream/chain';
import { earnedVotes, type EpochInputs } from '@upstream/royalties';
import { verifyEpoch } from '../../apps/cli/src/commands/royalties.command';

const splitterAbi = new Interface(artifacts.RoyaltySplitter.abi);

export interface SettlementAuditTarget {
  provider: JsonRpcProvider;
  splitter: string;
  /** GET on the API (path → parsed JSON body), e.g. through supertest or fetch. */
  get(path: string): Promise<unknown>;
  /** SQL on the service's database. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * Problems found, empty when:
 * - the accepted root rebuilds from the API's public inputs (`verify-epoch` MATCH);
 * - the ledger holds exactly the RunPaid events the chain has (none missing, none extra);
 * - every account's cumulative in the accepted root equals its ledger (after quiescence);
 * - no account's claim against the accepted root would revert;
 * - every epoch's stored per-token totals (what `GET /epochs` shows) are the sums and counts of its leaves.
 */
export async function auditSettlement(
  t: SettlementAuditTarget,
  options: { expectQuiescent: boolean },
): Promise<string[]> {
  const problems: string[] = [];
  const splitter = new Contract(t.splitter, artifacts.RoyaltySplitter.abi, t.provider);

  const onChain = new Set<string>();
  for (const log of await t.provider.getLogs({
    address: t.splitter,
    topics: [splitterAbi.getEvent('RunPaid')!.topicHash],
    fromBlock: 0,
    toBlock: 'latest',
  })) {
    onChain.add(`${log.transactionHash.toLowerCase()}:${log.index}`);
  }
  const inLedger = new Set(
    (await t.query<{ k: string }>(`SELECT lower(trim(tx_hash)) || ':' || log_index AS k FROM royalty_payments`)).map(
      (r) => r.k,
    ),
  );
  for (const k of onChain) if (!inLedger.has(k)) problems.push(`payment ${k} is on the chain but not in the ledger`);
  for (const k of inLedger) if (!onChain.has(k)) problems.push(`payment ${k} is in the ledger but not on the chain`);
  problems.push(...(await checkEpochTotals(t)));

  // The service keeps settling while we read: a root it sends may be accepted between two reads,
  // and the API learns of it one indexer pass later. Check everything against one block at which the
  // API's accepted epoch is the chain's; a disagreement that outlasts a few indexer passes is a defect.
  const deadline = Date.now() + AGREEMENT_TIMEOUT_MS;
  for (;;) {
    const blockTag = await t.provider.getBlockNumber();
    const [epoch, root] = await Promise.all([
      splitter.currentEpoch({ blockTag }).then(Number),
      splitter.currentRoot({ blockTag }) as Promise<string>,
    ]);
    const served = (await t.get(`/contributors/${ZERO_ADDRESS}/proofs`)) as ServedRoot;
    if ((served.epoch ?? 0) === epoch && (epoch === 0 || served.root === root)) {
      const claims = await checkClaims(t, splitter, { epoch, root, blockTag }, options);
      if (claims !== 'moved') return [...problems, ...claims];
    }
    if (Date.now() > deadline) {
      problems.push(
        `the API serves proofs against epoch ${served.epoch} (root ${served.root}) but at block ${blockTag} the chain's current root is epoch ${epoch} (${root}), still after ${AGREEMENT_TIMEOUT_MS} ms`,
      );
      return problems;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const AGREEMENT_TIMEOUT_MS = 20_000;

/** Epochs whose stored totals differ from their leaves' (a token missing either side counts). */
async function checkEpochTotals(t: SettlementAuditTarget): Promise<string[]> {
  const wrong = await t.query<{ epoch: string; stored: unknown; leaves: unknown }>(
    `WITH leaves AS (
       SELECT e.epoch, l.token, SUM(l.cumulative)::text AS total, count(*)::int AS accounts
       FROM royalty_epochs e CROSS JOIN LATERAL epoch_leaves(e.epoch) l GROUP BY e.epoch, l.token),
     stored AS (SELECT epoch, token, total::text AS total, accounts FROM epoch_token_totals)
     SELECT epoch::text,
            (SELECT json_agg(s ORDER BY s.token) FROM stored s WHERE s.epoch = e.epoch) AS stored,
            (SELECT json_agg(l ORDER BY l.token) FROM leaves l WHERE l.epoch = e.epoch) AS leaves
     FROM royalty_epochs e
     WHERE EXISTS (SELECT token, total, accounts FROM leaves l WHERE l.epoch = e.epoch
                   EXCEPT SELECT token, total, accounts FROM stored s WHERE s.epoch = e.epoch)
        OR EXISTS (SELECT token, total, accounts FROM stored s WHERE s.epoch = e.epoch
                   EXCEPT SELECT token, total, accounts FROM leaves l WHERE l.epoch = e.epoch)`,
  );
  return wrong.map(
    (w) =>
      `epoch ${w.epoch}'s stored totals ${JSON.stringify(w.stored)} are not its leaves' ${JSON.stringify(w.leaves)}`,
  );
}
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

interface ServedRoot {
  epoch: number | null;
  root: string | null;
}

/** The epoch checks against the chain at `at.blockTag`; 'moved' when the API's accepted epoch changed under us. */
async function checkClaims(
  t: SettlementAuditTarget,
  splitter: Contract,
  at: { epoch: number; root: string; blockTag: number },
  options: { expectQuiescent: boolean },
): Promise<string[] | 'moved'> {
  const problems: string[] = [];
  const currentEpoch = at.epoch;
  if (currentEpoch === 0) return problems;
  const inputs = (await t.get(`/epochs/${currentEpoch}/inputs`)) as EpochInputs;
  const report = await verifyEpoch(t.provider, inputs);
  if (!report.match)
    problems.push(`epoch ${currentEpoch} does not rebuild to the accepted root: ${JSON.stringify(report)}`);

  const allLeaves = await t.query<{ account: string; token: string; cumulative: string }>(
    `SELECT account, token, cumulative::text FROM epoch_leaves($1)`,
    [currentEpoch],
  );
  // The votes leaves are derived from the balances by the published rule; the rest must equal the ledger.
  const votesToken = inputs.votes?.token.toLowerCase();
  const leaves = allLeaves.filter((l) => l.token !== votesToken);
  const votesLeaves = allLeaves.filter((l) => l.token === votesToken);
  if (inputs.votes) {
    const expected = earnedVotes(
      leaves.map((l) => ({ account: l.account, token: l.token, cumulative: BigInt(l.cumulative) })),
      inputs.votes,
    );
    const got = new Map(votesLeaves.map((l) => [l.account, l.cumulative]));
    if (expected.length !== votesLeaves.length || expected.some((v) => got.get(v.account) !== v.cumulative.toString()))
      problems.push(`epoch ${currentEpoch}'s votes leaves are not the rule applied to its balances`);
  } else if (votesLeaves.length > 0) problems.push(`epoch ${currentEpoch} has votes leaves but publishes no rule`);
  if (options.expectQuiescent) {
    const earned = await t.query<{ account: string; token: string; earned: string }>(
      `SELECT trim(account) AS account, trim(token) AS token, SUM(amount)::text AS earned FROM ledger_entries GROUP BY account, token`,
    );
    const inRoot = new Map(leaves.map((l) => [`${l.account}:${l.token}`, l.cumulative]));
    for (const e of earned) {
      const cumulative = inRoot.get(`${e.account}:${e.token}`) ?? '0';
      if (cumulative !== e.earned)
        problems.push(`${e.account} earned ${e.earned} of ${e.token} but the accepted root says ${cumulative}`);
    }
    if (leaves.length !== earned.length)
      problems.push(`the accepted root has ${leaves.length} leaves, the ledger ${earned.length} balances`);
  }
  if (!(await splitter.paused({ blockTag: at.blockTag }))) {
    for (const leaf of leaves) {
      const body = (await t.get(`/contributors/${leaf.account}/proofs`)) as ServedRoot & {
        claims: { token: string; cumulative: string; proof: string[] }[];
      };
      if (body.epoch !== at.epoch || body.root !== at.root) return 'moved';
      for (const claim of body.claims) {
        try {
          await splitter.claim.staticCall(leaf.account, claim.token, claim.cumulative, claim.proof, {
            blockTag: at.blockTag,
          });
        } catch (error) {
          const reason = (error as { revert?: { name?: string } }).revert?.name ?? (error as Error).message;
          if (reason !== 'RoyaltySplitterNothingToClaim')
            problems.push(
              `a claim by ${leaf.account} of ${claim.token} against epoch ${at.epoch} would revert at block ${at.blockTag}: ${reason}`,
            );
        }
      }
    }
  }
  return problems;
}

/**
 * What a public network does after a reorganisation: it puts the operator's dropped transactions
 * back into blocks, in nonce order (those whose nonce is still free on the new chain). Returns the
 * hashes mined again.
 */
export async function reincludeDroppedOperatorTransactions(
  provider: JsonRpcProvider,
  operator: string,
  query: SettlementAuditTarget['query'],
  kinds?: string[],
): Promise<string[]> {
  const next = await provider.getTransactionCount(operator, 'latest');
  const rows = await query<{ raw: string; kind: string }>(
    `SELECT raw_txs[1] AS raw, kind FROM outbox_transactions WHERE sender = $1 AND nonce >= $2 ORDER BY nonce`,
    [operator.toLowerCase(), next],
  );
  const mined: string[] = [];
  for (const row of rows) {
    if (kinds && !kinds.includes(row.kind)) break; // a gap in nonces: the rest cannot be mined either
    const tx = await provider.broadcastTransaction(row.raw).catch(() => null);
    if (!tx) break;
    for (let i = 0; i < 50; i++) {
      const receipt = await provider.getTransactionReceipt(tx.hash);
      if (receipt) {
        mined.push(tx.hash);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return mined;
}
