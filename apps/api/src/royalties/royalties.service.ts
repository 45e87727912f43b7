import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { Contract, Interface } from 'ethers';
import { artifacts } from '@upstream/chain';
import { cumulativeLeaves, EPOCH_LEAF_TYPES, type EpochTree } from '@upstream/royalties';
import { isBytes32, type Address, type Bytes32 } from '@upstream/api-contract';
import { ChainService } from '../chain/chain.service';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { DisputesRepository } from '../disputes/disputes.repository';
import { EarnedVotesRuleService } from './earned-votes-rule.service';
import { EscrowRepository } from './escrow.repository';
import type {
  ContributorBalancesDto,
  ContributorHistoryDto,
  ContributorProofsDto,
  EpochDto,
  EpochInputsDto,
  EpochLeavesDto,
  EpochListDto,
  PaymentDto,
  PaymentListDto,
} from './dto/royalty-responses.dto';
import type { EpochInputs } from '@upstream/royalties';
import type { PublicPayment } from '@upstream/api-contract';
import { EpochsRepository, epochStatus, type EpochStateRow } from './epochs.repository';
import { LedgerRepository } from './ledger.repository';
import { RoyaltiesReadRepository, type PaymentReadRow } from './royalties-read.repository';
import { epochNotFound } from './royalties.errors';

const splitterAbi = new Interface(artifacts.RoyaltySplitter.abi);
const votesAbi = new Interface(artifacts.UpstreamVotes.abi);

export const EPOCH_RULES =
  'For each payment (chain order): allocate(amount = net, feeBps = 0) with libs/royalties over its entries and the datasets graph ' +
  '(weights, then upstream shares to parents recursively, then owners by share; largest remainder, ties to the smaller key); ' +
  'sum shares per (token, account); leaves (chainId, splitter, token, account, cumulative) in an OpenZeppelin StandardMerkleTree. ' +
  'dataHash = keccak256(abi.encode("upstream-epoch-v1", chainId, splitter, epoch, txHashes[], logIndexes[])) in chain order. ' +
  'Votes: when `votes` is set, each account also gets a leaf (chainId, splitter, votes.token, account, cumulativeVotes) with ' +
  'cumulativeVotes = sum over tokens of cumulative × votes.perUnit[token] (libs/royalties earnedVotes). ' +
  "Disputes: each payment's shares go through libs/royalties applyDisputes at its place in the chain (block, log index): " +
  "a dataset under an open dispute has its owners' shares held in escrow (in no leaf); one under an upheld dispute pays " +
  'its owner part to the rightful owners by shareBps; a rejected dispute changes nothing. A `bond` payment (a rejected ' +
  "dispute's bond) is allocated over its one dataset's owners alone, without upstream shares.";

interface Page {
  limit?: number;
  offset?: number;
}

const page = (p: Page) => ({ limit: p.limit ?? 100, offset: p.offset ?? 0 });

/** The public, read-only view of royalties: balances, history, proofs, epochs and their inputs, payments. */
@Injectable()
export class RoyaltiesService {
  /** The last epoch tree built for proofs (rebuilt from epoch_balances; proofs are derivable, not stored). */
  private treeCache?: { epoch: string; tree: Promise<EpochTree> };

  constructor(
    private readonly epochRepo: EpochsRepository,
    private readonly ledger: LedgerRepository,
    private readonly reads: RoyaltiesReadRepository,
    private readonly votesRule: EarnedVotesRuleService,
    private readonly chain: ChainService,
    private readonly escrow: EscrowRepository,
    private readonly disputes: DisputesRepository,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  private get deployment() {
    return this.runtime.infrastructure.deployment;
  }

  async balances(account: Address): Promise<ContributorBalancesDto> {
    const [current, queued] = await Promise.all([this.epochRepo.currentAccepted(), this.epochRepo.newestQueued()]);
    const votes = this.votesRule.votesToken;
    const rows = (await this.reads.accountTotals(account, current?.epoch ?? null, queued?.epoch ?? null)).filter(
      (r) => r.token !== votes,
    );
    const held = await this.escrow.heldFor(account);
    return {
      account,
      escrow: held.map((h) => ({
        disputeId: h.dispute_id,
        datasetId: h.content_root,
        token: h.token,
        amount: h.amount,
      })),
      currentEpoch: current ? Number(current.epoch) : null,
      balances: rows.map((r) => {
        const earned = BigInt(r.earned);
        const claimed = BigInt(r.claimed);
        const inRoot = BigInt(r.in_root);
        const waiting = queued ? BigInt(r.in_queued) - inRoot : 0n;
        return {
          token: r.token,
          earned: r.earned,
          claimed: r.claimed,
          inCurrentRoot: r.in_root,
          claimable: (inRoot > claimed ? inRoot - claimed : 0n).toString(),
          pending: (earned > inRoot ? earned - inRoot : 0n).toString(),
          queued: (waiting > 0n ? waiting : 0n).toString(),
          queuedClaimableAt: waiting > 0n && queued ? new Date(queued.claimable_at).toISOString() : null,
        };
      }),
    };
  }

  async history(account: Address, p: Page): Promise<ContributorHistoryDto> {
    const { total, rows } = await this.reads.history(account, page(p));
    return {
      account,
      total,
      items: rows.map((r) => ({
        paymentId: r.payment_id,
        runId: r.run_id,
        source: r.source,
        datasetId: r.content_root,
        token: r.token,
        amount: r.amount,
        txHash: r.tx_hash,
        blockNumber: Number(r.block_number),
        paidAt: new Date(r.block_time).toISOString(),
      })),
    };
  }

  async proofs(account: Address): Promise<ContributorProofsDto> {
    const splitter = this.deployment.royaltySplitter;
    const current = await this.epochRepo.currentAccepted();
    const base = { account, chainId: this.deployment.chainId, splitter };
    const none = { claims: [], claimMany: null, votes: null, claimWithVotes: null };
    if (!current) return { ...base, epoch: null, root: null, ...none };
    const tree = await this.epochTree(current.epoch);
    const claimed = await this.reads.claimedByToken(account);
    const votesToken = this.votesRule.votesToken;
    const own = tree.balances.filter((b) => b.account === account);
    const tokens = [...new Set(own.filter((b) => b.token !== votesToken).map((b) => b.token))].sort();
    const claims = tokens.map((token) => {
      const c = tree.claim(account, token);
      const already = claimed.get(token) ?? 0n;
      return {
        token,
        cumulative: c.cumulative.toString(),
        claimed: already.toString(),
        claimable: (c.cumulative > already ? c.cumulative - already : 0n).toString(),
        proof: c.proof,
        call: { to: splitter, data: splitterAbi.encodeFunctionData('claim', [account, token, c.cumulative, c.proof]) },
      };
    });
    const open = claims.filter((c) => BigInt(c.claimable) > 0n);
    const votes =
      votesToken && own.some((b) => b.token === votesToken) ? await this.votesClaim(tree, account, votesToken) : null;
    return {
      ...base,
      epoch: Number(current.epoch),
      root: current.root,
      claims,
      votes,
      claimWithVotes:
        votes && (open.length > 0 || BigInt(votes.claimable) > 0n)
          ? {
              to: votes.votes,
              data: votesAbi.encodeFunctionData('claimWithVotes', [
                account,
                open.map((c) => c.token),
                open.map((c) => c.cumulative),
                open.map((c) => c.proof),
                votes.cumulative,
                votes.proof,
              ]),
            }
          : null,
      claimMany:
        open.length === 0
          ? null
          : {
              to: splitter,
              data: splitterAbi.encodeFunctionData('claimMany', [
                account,
                open.map((c) => c.token),
                open.map((c) => c.cumulative),
                open.map((c) => c.proof),
              ]),
            },
    };
  }

  private async votesClaim(tree: EpochTree, account: Address, votesToken: string) {
    const c = tree.claim(account, votesToken);
    const contract = new Contract(votesToken, votesAbi, this.chain.provider);
    const already = (await contract.getFunction('earnedClaimed').staticCall(account)) as bigint;
    return {
      votes: votesToken,
      cumulative: c.cumulative.toString(),
      claimed: already.toString(),
      claimable: (c.cumulative > already ? c.cumulative - already : 0n).toString(),
      proof: c.proof,
      call: { to: votesToken, data: votesAbi.encodeFunctionData('claimVotes', [account, c.cumulative, c.proof]) },
    };
  }

  async epochs(p: Page): Promise<EpochListDto> {
    const { limit, offset } = page(p);
    const rows = await this.epochRepo.states({ limit, offset });
    const current = await this.epochRepo.currentAccepted();
    return {
      total: await this.epochRepo.count(),
      items: await Promise.all(rows.map((r) => this.toEpochDto(r, current?.epoch))),
    };
  }

  async epoch(epoch: number): Promise<EpochDto> {
    const row = await this.epochRow(epoch);
    const current = await this.epochRepo.currentAccepted();
    return this.toEpochDto(row, current?.epoch);
  }

  async leaves(epoch: number, p: Page): Promise<EpochLeavesDto> {
    const row = await this.epochRow(epoch);
    return {
      epoch,
      root: row.root,
      leafEncoding: [...EPOCH_LEAF_TYPES],
      total: row.leaf_count,
      items: await this.epochRepo.balances(epoch, page(p)),
    };
  }

  /**
   * The epoch's leaves as NDJSON: a first line with the epoch, its root, the leaf encoding and the total,
   * then one line per leaf ({ token, account, cumulative }) by token then account. Streamed from a
   * cursor: the server holds one batch at a time, a client can hash the leaves as they arrive.
   */
  async leavesStream(epoch: number): Promise<Readable> {
    const row = await this.epochRow(epoch);
    const batches = this.epochRepo.leafBatches(epoch);
    const header = { epoch, root: row.root, leafEncoding: [...EPOCH_LEAF_TYPES], total: row.leaf_count };
    return Readable.from(
      (async function* () {
        yield JSON.stringify(header) + '\n';
        for await (const batch of batches) yield batch.map((leaf) => JSON.stringify(leaf)).join('\n') + '\n';
      })(),
    );
  }

  /** Everything needed to rebuild the epoch's root: payments with their entries, the lineage, the rules. */
  async inputs(epoch: number): Promise<EpochInputsDto> {
    const { header, rows, seeds } = await this.inputsHeader(epoch);
    const [entries, licensed, graph, runFees] = await Promise.all([
      this.reads.runEntries(seeds.runIds),
      this.reads.licenseDatasets(seeds.licenseIds),
      this.ledger.lineage(seeds),
      this.reads.paymentRunFees(rows.filter((r) => r.source === 'run').map((r) => r.id)),
    ]);
    const payments: PublicPayment[] = rows.map((r) => ({
      ...publicPayment(r, runFees.get(r.id) ?? []),
      entries:
        r.source === 'run'
          ? entries.get(r.training_run_id!)!
          : [{ datasetId: oneEntryDataset(r, licensed, seeds.bonds), weight: '1' }],
    }));
    const datasets: EpochInputs['datasets'] = {};
    for (const id of [...graph.nodes.keys()].sort()) {
      const node = graph.nodes.get(id)!;
      datasets[id] = { owners: [...node.owners], parents: [...node.parents] };
    }
    return { ...header, payments, datasets };
  }

  /**
   * The same inputs as NDJSON, one object a line, each with one key saying what it is: first
   * `{ epoch: { epoch, chainId, splitter, root, dataHash, rules, votes, disputes, payments } }` (payments: how many),
   * then `{ dataset: { id, owners, parents } }` by content root, then per payment in chain order
   * `{ payment: { …, entryCount } }` followed by its entryCount `{ entry: { datasetId, weight } }` lines.
   * Read from cursors: the server holds one batch at a time, a verifier one payment's entries.
   */
  async inputsStream(epoch: number): Promise<Readable> {
    const { header, rows, seeds } = await this.inputsHeader(epoch);
    const [licensed, runFees] = await Promise.all([
      this.reads.licenseDatasets(seeds.licenseIds),
      this.reads.paymentRunFees(rows.filter((r) => r.source === 'run').map((r) => r.id)),
    ]);
    const runSizes = await this.reads.runEntryCounts(seeds.runIds);
    const reads = this.reads;
    const line = (o: unknown) => JSON.stringify(o) + '\n';
    return Readable.from(
      (async function* () {
        const { rules, votes, disputes, ...rest } = header;
        yield line({ epoch: { ...rest, rules, votes, disputes, payments: rows.length } });
        for await (const batch of reads.lineageBatches(seeds))
          yield batch
            .map((d) => line({ dataset: { id: d.content_root, owners: d.owners ?? [], parents: d.parents ?? [] } }))
            .join('');
        for (const r of rows) {
          const payment = publicPayment(r, runFees.get(r.id) ?? []);
          if (r.source !== 'run') {
            yield line({ payment: { ...payment, entryCount: 1 } });
            yield line({ entry: { datasetId: oneEntryDataset(r, licensed, seeds.bonds), weight: '1' } });
            continue;
          }
          yield line({ payment: { ...payment, entryCount: runSizes.get(r.training_run_id!) ?? 0 } });
          for await (const batch of reads.runEntryBatches(r.training_run_id!))
            yield batch.map((e) => line({ entry: { datasetId: e.content_root, weight: e.weight } })).join('');
        }
      })(),
    );
  }

  /** What both forms of the inputs begin with, and the epoch's payments (without their entries). */
  private async inputsHeader(epoch: number) {
    const row = await this.epochRow(epoch);
    const { rows } = await this.reads.payments({ epoch: row.epoch }, { limit: 2 ** 31 - 1, offset: 0 });
    // A rejected dispute's bond is a one-entry payment to the disputed dataset.
    const bonds = await this.escrow.bondDatasets([
      ...new Set(rows.filter((r) => r.source === 'bond').map((r) => r.run_id)),
    ]);
    const seeds = {
      runIds: [...new Set(rows.filter((r) => r.training_run_id).map((r) => r.training_run_id!))],
      licenseIds: [...new Set(rows.filter((r) => r.license_id).map((r) => r.license_id!))],
      datasetIds: [...new Set([...bonds.values()].map((b) => b.id))],
      bonds,
    };
    const [rule, totals, disputes] = await Promise.all([
      this.votesRule.rule(),
      this.epochRepo.tokenTotals(row.epoch),
      row.basis_block === null ? [] : this.disputes.forRule(Number(row.basis_block)),
    ]);
    const header = {
      epoch,
      chainId: this.deployment.chainId,
      splitter: this.deployment.royaltySplitter,
      root: row.root,
      dataHash: row.data_hash,
      rules: EPOCH_RULES,
      // The rule is published with the epochs that carry votes leaves (those built since votes exist).
      votes: rule && totals.some((t) => t.token === rule.token) ? rule : null,
      disputes,
    };
    return { header, rows, seeds };
  }

  async payments(filter: { status?: 'allocated' | 'unallocated'; runId?: Bytes32 }, p: Page): Promise<PaymentListDto> {
    const { total, rows } = await this.reads.payments(filter, page(p));
    return { total, items: rows.map(toPaymentDto) };
  }

  /** Payments for a runId, or for a recorded run named by its uuid (none when no run has that uuid). */
  async runPayments(ref: string, p: Page): Promise<PaymentListDto> {
    const runId = isBytes32(ref) ? ref : await this.reads.runIdOf(ref);
    if (!runId) return { total: 0, items: [] };
    return this.payments({ runId }, p);
  }

  private async epochRow(epoch: number): Promise<EpochStateRow> {
    const [row] = await this.epochRepo.states({ epoch });
    if (!row) throw epochNotFound(epoch);
    return row;
  }

  private async toEpochDto(row: EpochStateRow, currentEpoch: string | undefined): Promise<EpochDto> {
    return {
      epoch: Number(row.epoch),
      status: epochStatus(row),
      current: row.epoch === currentEpoch,
      root: row.root,
      dataHash: row.data_hash,
      leafCount: row.leaf_count,
      paymentCount: row.payment_count,
      proposeTx: row.propose_tx,
      acceptTx: row.accept_tx,
      error: epochStatus(row) === 'failed' ? row.propose_error : null,
      claimableAt: row.claimable_at ? new Date(row.claimable_at).toISOString() : null,
      createdAt: new Date(row.created_at).toISOString(),
      basisBlock: row.basis_block === null ? null : Number(row.basis_block),
      basisBlockHash: row.basis_block_hash,
      invalidatedAt: row.invalidated_at ? new Date(row.invalidated_at).toISOString() : null,
      invalidatedReason: row.invalidated_reason,
      lostPayments: (await this.epochRepo.lostPayments(row.epoch)).lost,
      totals: await this.epochRepo.tokenTotals(row.epoch),
    };
  }

  private epochTree(epoch: string): Promise<EpochTree> {
    if (this.treeCache?.epoch !== epoch) {
      const tree = this.epochRepo.balances(epoch).then((rows) =>
        cumulativeLeaves(
          this.deployment.chainId,
          this.deployment.royaltySplitter,
          rows.map((r) => ({ account: r.account, token: r.token, cumulative: BigInt(r.cumulative) })),
        ),
      );
      this.treeCache = { epoch, tree };
      tree.catch(() => (this.treeCache = undefined));
    }
    return this.treeCache.tree;
  }
}

/** The one dataset of a license fee or a bond payment. */
function oneEntryDataset(
  r: PaymentReadRow,
  licensed: Map<string, string>,
  bonds: Map<string, { contentRoot: string }>,
): string {
  return r.source === 'bond' ? bonds.get(r.run_id)!.contentRoot : licensed.get(r.license_id!)!;
}

/** A payment as the epoch's inputs publish it, without its entries. */
function publicPayment(
  r: PaymentReadRow,
  runFees: { datasetId: string; amount: string }[],
): Omit<PublicPayment, 'entries'> {
  return {
    txHash: r.tx_hash,
    logIndex: r.log_index,
    blockNumber: Number(r.block_number),
    runId: r.run_id,
    token: r.token,
    amount: r.amount,
    fee: r.fee,
    net: r.net,
    source: r.source!,
    runFees,
  };
}

function toPaymentDto(r: PaymentReadRow): PaymentDto {
  return {
    id: r.id,
    runId: r.run_id,
    token: r.token,
    payer: r.payer,
    amount: r.amount,
    fee: r.fee,
    net: r.net,
    status: r.allocation_seq === null ? 'unallocated' : 'allocated',
    source: r.source,
    ledgerTotal: r.ledger_total,
    allocationError: r.allocation_error,
    txHash: r.tx_hash,
    logIndex: r.log_index,
    blockNumber: Number(r.block_number),
    paidAt: new Date(r.block_time).toISOString(),
  };
}
