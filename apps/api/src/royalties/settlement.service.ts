import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Interface } from 'ethers';
import type { EntityManager } from 'typeorm';
import { normaliseBytes32, parseBytes32, type Bytes32 } from '@upstream/api-contract';
import { TransactionOutbox, artifacts, type Rollback, type UpstreamEvent } from '@upstream/chain';
import { epochDataHash, EpochLeafStream, type CumulativeBalance, type EarnedVotesRule } from '@upstream/royalties';
import { ChainService } from '../chain/chain.service';
import { UnitOfWork } from '../common/persistence/unit-of-work';
import { RUNTIME, type Runtime } from '../runtime/runtime';
import { ChainSyncService } from '../worker/chain-sync.service';
import { WorkerConditionsRepository } from '../worker/worker-conditions.repository';
import { WorkerService } from '../worker/worker.service';
import { EarnedVotesRuleService } from './earned-votes-rule.service';
import { EpochsRepository, epochStatus, IN_FLIGHT } from './epochs.repository';
import { LedgerRepository } from './ledger.repository';

const splitterAbi = new Interface(artifacts.RoyaltySplitter.abi);
/** Votes leaves written to the database at a time while an epoch's leaves stream past. */
const VOTES_BATCH = 10_000;

/**
 * Settles epochs, as a function of the chain that survives.
 *
 * - An epoch snapshots cumulative balances of the payments indexed up to the indexer's cursor
 *   (final per CONFIRMATIONS), records that cursor block and its hash as its basis, lists the
 *   payment events it includes, and queues proposeRoot, all in one database transaction.
 * - A rollback that removes an epoch's basis block invalidates the epoch and cancels its unsent
 *   transactions in the rollback's own transaction; the next pass builds a new epoch from what
 *   remains.
 * - Before proposeRoot or acceptRoot is signed, broadcast again or replaced, the outbox asks
 *   whether the epoch is still valid and its basis block still on the chain.
 * - Proposed roots queue on chain, each acceptable after its own delay: the next epoch is built
 *   while earlier roots wait, once the previous proposal is mined (so roots reach the chain in order).
 * - A pending root on chain that is not a valid epoch of ours is withdrawn (withdrawRoot), with
 *   every root queued after it.
 * - An accepted root that is not a valid epoch (a reorganisation deeper than the confirmations)
 *   is reported in /health; no further root is proposed until the guardian has paused claims.
 */
@Injectable()
export class SettlementService implements OnModuleInit {
  private readonly logger = new Logger('Settlement');
  /** Set by the accepted-root check: proposing would build on a root that paid for lost payments. */
  private halted = false;
  private lastReason: string | null = null;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly epochs: EpochsRepository,
    private readonly ledger: LedgerRepository,
    private readonly conditions: WorkerConditionsRepository,
    private readonly sync: ChainSyncService,
    private readonly worker: WorkerService,
    private readonly chain: ChainService,
    private readonly votesRule: EarnedVotesRuleService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  onModuleInit(): void {
    const rootEvent =
      (kind: 'proposed' | 'accepted' | 'vetoed' | 'withdrawn') =>
      async (
        em: EntityManager,
        event: UpstreamEvent<'RootProposed' | 'RootAccepted' | 'RootVetoed' | 'RootWithdrawn'>,
      ) => {
        const { epoch, root } = event.args;
        const claimableAt = 'claimableAt' in event.args ? event.args.claimableAt : undefined;
        await this.epochs.in(em).insertRootEvent({ chainEventId: event.id, epoch, kind, root, claimableAt });
      };
    this.sync.onEvent('RootProposed', 'settlement', rootEvent('proposed'));
    this.sync.onEvent('RootAccepted', 'settlement', rootEvent('accepted'));
    this.sync.onEvent('RootVetoed', 'settlement', rootEvent('vetoed'));
    this.sync.onEvent('RootWithdrawn', 'settlement', rootEvent('withdrawn'));
    this.sync.onEvent('Claimed', 'settlement', async (em, event) => {
      const { account, token, epoch, amount, cumulativeAmount } = event.args;
      await this.epochs.in(em).insertClaim({
        chainEventId: event.id,
        account,
        token,
        epoch,
        amount,
        cumulative: cumulativeAmount,
      });
    });
    this.sync.onRollback((em, rollback) => this.invalidateAfter(em, rollback));
    this.sync.outbox.guard('propose-root', ({ key }) => this.refusal(key));
    this.sync.outbox.guard('accept-root', ({ key }) => this.refusal(key));
    this.worker.addJob('check-accepted-root', () => this.checkAcceptedRoot().then(() => undefined));
    this.worker.addJob('withdraw-invalid-root', () => this.withdrawInvalidRoot().then(() => undefined));
    this.worker.addJob('settle-epoch', () => this.settle().then(() => undefined));
    this.worker.addJob('accept-root', () => this.acceptDueRoot().then(() => undefined));
  }

  /**
   * Builds the next epoch when no proposal is on its way to the chain, EPOCH_INTERVAL_MS has passed (`force` skips
   * the interval) and either new ledger entries exist since the last epoch or the last epoch was
   * invalidated or failed. Returns its number.
   */
  async settle(force = false): Promise<number | undefined> {
    if (this.halted) return undefined;
    const { deployment } = this.runtime.infrastructure;
    // Read before the transaction (it may ask the chain for the payment token's decimals once).
    const votesRule = await this.votesRule.rule();
    return this.uow.run(async (em) => {
      await this.ledger.in(em).lock();
      const basis = await this.epochs.in(em).lockedCursor(this.sync.cursorName);
      if (!basis) return undefined;
      const [last] = await this.epochs.in(em).states();
      const lastStatus = last ? epochStatus(last) : undefined;
      if (lastStatus && IN_FLIGHT.has(lastStatus)) return undefined;
      const watermark = await this.epochs.in(em).maxAllocationSeq();
      if (watermark === null) return undefined;
      const rebuild = lastStatus === 'failed' || lastStatus === 'invalidated';
      // A vetoed root is not re-proposed as is: only new entries (or a lost or failed epoch) start a new one.
      if (last && !rebuild && BigInt(last.ledger_watermark) >= watermark) return undefined;
      // An epoch lost to a rollback is replaced at once; a failed one (its proposal would revert) only
      // after the interval, so a lasting failure does not build an epoch on every pass.
      const waited = !last || Date.now() - new Date(last.created_at).getTime() >= this.runtime.config.epochIntervalMs;
      if (!force && lastStatus !== 'invalidated' && !waited) return undefined;
      if (!(await this.epochs.in(em).hasPositiveLedger(watermark))) return undefined;

      const epoch = (last ? Number(last.epoch) : 0) + 1;
      const started = performance.now();
      await this.epochs.in(em).sumBalances(watermark);
      const summed = performance.now();
      // Stored as changes against the previous epoch's leaves.
      const tree = await this.hashLeaves(em, epoch, votesRule);
      const stored = performance.now();
      const payments = await this.epochs.in(em).includedPayments(watermark);
      const dataHash = epochDataHash(
        deployment.chainId,
        deployment.royaltySplitter,
        epoch,
        payments.map((p) => ({ txHash: p.tx_hash, logIndex: p.log_index, blockNumber: Number(p.block_number) })),
      );
      const outboxKey = `propose-root:${epoch}`;
      await this.epochs.in(em).insertEpoch({
        epoch,
        root: tree.root,
        dataHash,
        watermark,
        paymentCount: payments.length,
        leafCount: tree.length,
        outboxKey,
        basis,
      });
      await this.sync.enqueue(em, {
        key: outboxKey,
        kind: 'propose-root',
        to: deployment.royaltySplitter,
        data: splitterAbi.encodeFunctionData('proposeRoot', [tree.root, epoch, dataHash]),
      });
      const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
      this.logger.log(
        `epoch ${epoch}: ${tree.length} balances over ${payments.length} payments up to block ${basis.block}, root ${tree.root} ` +
          `(summed in ${seconds(started, summed)} s, hashed and stored in ${seconds(summed, stored)} s)`,
      );
      return epoch;
    });
  }

  /**
   * The epoch's root, streamed from its royalty leaves (`sumBalances`) by account: the votes leaves are derived by
   * the published rule (libs/royalties) as each account passes and staged, every leaf is hashed as it is read,
   * then the leaves are stored as changes against the previous epoch's. Holds a batch of rows, one account's
   * leaves and the leaf hashes, never every leaf.
   */
  private async hashLeaves(
    em: EntityManager,
    epoch: number,
    votesRule: EarnedVotesRule | null,
  ): Promise<{ root: string; length: number }> {
    const { deployment } = this.runtime.infrastructure;
    const epochs = this.epochs.in(em);
    const leaves = await EpochLeafStream.create(deployment.chainId, deployment.royaltySplitter, votesRule);
    let votes: CumulativeBalance[] = [];
    // A batch of votes leaves is written while the next rows are hashed; awaited before the next batch.
    let staged: Promise<void> = Promise.resolve();
    const stage = async (batch: CumulativeBalance[]) => {
      await staged;
      staged = epochs.stageVotesLeaves(batch);
      staged.catch(() => undefined); // awaited later; a failure meanwhile is not unhandled
    };
    for await (const rows of epochs.royaltyLeavesByAccount(votesRule?.token ?? null)) {
      for (const r of rows) {
        const votesLeaf = leaves.add({ account: r.account, token: r.token, cumulative: BigInt(r.cumulative) });
        if (votesLeaf) votes.push(votesLeaf);
      }
      if (votes.length >= VOTES_BATCH) {
        await stage(votes);
        votes = [];
      }
    }
    const lastVotes = leaves.end();
    if (lastVotes) votes.push(lastVotes);
    await stage(votes);
    await staged;
    // PostgreSQL stores the changes while the tree is built here: the statement is sent before the build
    // (setImmediate: once every pending promise step, TypeORM's included, has run) takes the event loop.
    const stored = epochs.insertBalanceChanges(epoch, votesRule?.token ?? null);
    stored.catch(() => undefined); // awaited below, after the build
    await new Promise((resolve) => setImmediate(resolve));
    const root = leaves.root();
    await stored;
    return { root, length: leaves.length };
  }

  /**
   * Queues acceptRoot once the chain's clock has passed the oldest queued root's claimableAt. One call
   * accepts every root whose delay has passed, so the transaction is keyed by the newest of them;
   * nothing is queued while a root the call would accept is not a valid epoch of ours (it is withdrawn
   * first) or while an earlier acceptRoot is still on its way.
   */
  async acceptDueRoot(): Promise<number | undefined> {
    const pending = await this.pendingOnChain();
    if (pending.length === 0) return undefined;
    const block = await this.chain.provider.getBlock('latest');
    if (!block) return undefined;
    const due = pending.filter((p) => p.claimableAt <= BigInt(block.timestamp));
    if (due.length === 0) return undefined;
    for (const root of due) {
      const [row] = await this.epochs.states({ epoch: Number(root.epoch) });
      if (!row || row.root !== root.root || epochStatus(row) !== 'proposed') return undefined;
    }
    const newest = String(due[due.length - 1].epoch);
    return this.uow.run(async (em) => {
      if (await this.epochs.in(em).acceptInFlight()) return undefined;
      const key = await this.epochs.in(em).nextAcceptKey(newest);
      if (!key) return undefined;
      await this.sync.enqueue(em, {
        key,
        kind: 'accept-root',
        to: this.runtime.infrastructure.deployment.royaltySplitter,
        data: splitterAbi.encodeFunctionData('acceptRoot', []),
      });
      return Number(newest);
    });
  }

  /**
   * A root queued on chain that is not a valid epoch of ours (its basis was rolled back, or the
   * database has no such epoch) must never become claimable: withdraw it, which drops every root
   * queued after it too (they were built on the same blocks or later ones). A corrected epoch is
   * built from what remains and proposed as usual.
   */
  async withdrawInvalidRoot(): Promise<number | undefined> {
    for (const pending of await this.pendingOnChain()) {
      const epoch = await this.epochs.byEpoch(pending.epoch);
      const why = !epoch
        ? 'this database has no such epoch'
        : epoch.root !== pending.root
          ? `the database's epoch ${epoch.epoch} has root ${epoch.root}`
          : epoch.invalidated_reason;
      if (!why) continue;
      const created = await this.uow.run((em) =>
        this.sync.enqueue(em, {
          key: `withdraw-root:${pending.epoch}`,
          kind: 'withdraw-root',
          to: this.runtime.infrastructure.deployment.royaltySplitter,
          data: splitterAbi.encodeFunctionData('withdrawRoot', [pending.epoch]),
        }),
      );
      if (created.created)
        this.logger.warn(`withdrawing pending root ${pending.root} of epoch ${pending.epoch} and any after it: ${why}`);
      return Number(pending.epoch);
    }
    return undefined;
  }

  /**
   * Compares the root the chain accepted with the epoch it came from: it must be an epoch of ours,
   * not invalidated, and every payment it included must still be on the chain. Otherwise claims
   * against it can pay for payments the chain no longer has, bounded by the contract's cap: the
   * condition is recorded for /health and no root is proposed until the guardian has paused claims
   * (then the next root, built from the surviving ledger, corrects the balances).
   */
  async checkAcceptedRoot(): Promise<{ ok: boolean; reason: string | null }> {
    const [currentEpoch, rootOnChain, paused] = (await Promise.all([
      this.chain.splitter.currentEpoch(),
      this.chain.splitter.currentRoot(),
      this.chain.splitter.paused(),
    ])) as [bigint, string, boolean];
    const currentRoot = parseBytes32(rootOnChain, 'currentRoot');
    let reason: string | null = null;
    if (currentEpoch > 0n) {
      const epoch = await this.epochs.byEpoch(currentEpoch);
      if (!epoch)
        reason = `the accepted root ${currentRoot} of epoch ${currentEpoch} is not an epoch this database built`;
      else if (epoch.root !== currentRoot)
        reason = `the accepted root of epoch ${currentEpoch} is ${currentRoot}, but this database built ${epoch.root}`;
      else if (epoch.invalidated_reason)
        reason = `the accepted root of epoch ${currentEpoch} was built on blocks the chain no longer has: ${epoch.invalidated_reason}`;
      else {
        const { lost, total } = await this.epochs.lostPayments(currentEpoch);
        if (lost > 0)
          reason = `${lost} of the ${total} payments the accepted root of epoch ${currentEpoch} paid for are no longer on the chain`;
      }
    }
    this.halted = reason !== null && !paused;
    await this.conditions.record({
      name: 'settlement',
      ok: reason === null,
      state: reason === null ? 'ok' : 'degraded',
      reason:
        reason === null
          ? null
          : paused
            ? `${reason}. Claims are paused; a corrected root is being proposed from the surviving ledger.`
            : `${reason}. Claims against it may pay the wrong accounts (never more than was deposited). No new root is proposed ` +
              `until the guardian pauses the splitter (pause()); then the next root corrects the balances, and the guardian unpauses once it is accepted.`,
      details: { currentEpoch: Number(currentEpoch), currentRoot, claimsPaused: paused, proposing: !this.halted },
    });
    if (reason !== this.lastReason) {
      if (reason) this.logger.error(`settlement degraded: ${reason}`);
      else if (this.lastReason) this.logger.log('settlement is healthy again: the accepted root is a valid epoch');
      this.lastReason = reason;
    }
    return { ok: reason === null, reason };
  }

  /** Inside the indexer's rollback transaction: epochs whose basis block is gone are invalid, and their unsent transactions cancelled. */
  private async invalidateAfter(em: EntityManager, rollback: Rollback): Promise<void> {
    const invalid = await this.epochs.in(em).invalidateAfter(rollback);
    if (invalid.length === 0) return;
    await TransactionOutbox.cancel(
      em,
      invalid.flatMap((e) => [e.outbox_key, `accept-root:${e.epoch}`]),
      `epoch invalidated: the chain was rolled back to block ${rollback.toBlock}`,
    );
    this.logger.warn(
      `chain rolled back to block ${rollback.toBlock}: epochs ${invalid.map((e) => e.epoch).join(', ')} invalidated`,
    );
  }

  /** The outbox's guard for proposeRoot and acceptRoot: why the epoch's transaction must not be sent now, or null. */
  private async refusal(key: string): Promise<string | null> {
    const epochNumber = /^(?:propose|accept)-root:(\d+)/.exec(key)?.[1];
    if (!epochNumber) return null;
    const epoch = await this.epochs.byEpoch(epochNumber);
    if (!epoch) return `epoch ${epochNumber} does not exist`;
    if (epoch.invalidated_reason) return `epoch ${epochNumber} was invalidated: ${epoch.invalidated_reason}`;
    if (epoch.basis_block === null) return null;
    const block = await this.chain.provider.getBlock(Number(epoch.basis_block));
    if (normaliseBytes32(block?.hash) !== epoch.basis_block_hash) {
      return `epoch ${epochNumber}'s basis block ${epoch.basis_block} (${epoch.basis_block_hash}) is no longer on the chain`;
    }
    return null;
  }

  /** The splitter's queue of pending roots, oldest first, their hashes parsed where they come from the chain. */
  private async pendingOnChain(): Promise<{ root: Bytes32; epoch: bigint; claimableAt: bigint }[]> {
    const queue = (await this.chain.splitter.pendingRoots()) as { root: string; epoch: bigint; claimableAt: bigint }[];
    return queue.map(({ root, epoch, claimableAt }, i) => ({
      root: parseBytes32(root, `pendingRoots[${i}].root`),
      epoch,
      claimableAt,
    }));
  }
}
