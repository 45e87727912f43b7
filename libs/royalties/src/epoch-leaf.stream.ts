// An epoch's leaves and root from its royalty balances streamed by account, shared by the server (from a
// database cursor) and `upstream verify-epoch` (from its sums): the same votes rule and the same tree.
import { type EarnedVotesRule, VotesRule } from './earned-votes';
import { type CumulativeBalance, EpochLeafHasher } from './epoch-leaves.tree';

/**
 * Royalty balances go in ascending (account, token) order; each account's votes leaf (the earned-votes
 * rule over that account's balances) joins them once the account's last balance is in, and every leaf goes
 * to an `EpochLeafHasher`. Holds one account's balances at a time, so an epoch of any size costs its leaf
 * hashes and tree. Same root as `rebuildFromBalances` (and `withEarnedVotes` + `cumulativeLeaves`).
 */
export class EpochLeafStream {
  private account: string | undefined;
  private pending: CumulativeBalance[] = [];

  private constructor(
    private readonly hasher: EpochLeafHasher,
    private readonly votes: VotesRule | null,
  ) {}

  static async create(
    chainId: bigint | number,
    splitter: string,
    votes: EarnedVotesRule | null | undefined,
  ): Promise<EpochLeafStream> {
    return new EpochLeafStream(await EpochLeafHasher.create(chainId, splitter), votes ? new VotesRule(votes) : null);
  }

  /** Leaves hashed so far (royalties and votes). */
  get length(): number {
    return this.hasher.length;
  }

  /**
   * The next royalty balance. Returns the votes leaf of the account before it when this balance starts a new
   * account and that account earned votes (the caller may store it), else undefined.
   */
  add(balance: CumulativeBalance): CumulativeBalance | undefined {
    const account = balance.account.toLowerCase();
    const done = account === this.account ? undefined : this.flush();
    this.account = account;
    this.pending.push(balance);
    return done;
  }

  /** Ends the stream: the last account's votes leaf, if any. Call once, before `root`. */
  end(): CumulativeBalance | undefined {
    const done = this.flush();
    this.account = undefined;
    return done;
  }

  root(): string {
    return this.hasher.root();
  }

  /** Hashes the pending account's balances and its votes leaf in token order. */
  private flush(): CumulativeBalance | undefined {
    const balances = this.pending;
    // Stryker disable next-line ConditionalExpression: an empty flush sums no votes and hashes nothing either way.
    if (balances.length === 0) return undefined;
    this.pending = [];
    let leaf: CumulativeBalance | undefined;
    if (this.votes) {
      let sum = 0n;
      for (const b of balances) sum += this.votes.votesOf(b);
      if (sum > 0n) leaf = { token: this.votes.token, account: this.account!, cumulative: sum };
    }
    let votesAdded = leaf === undefined;
    for (const b of balances) {
      // Stryker disable next-line EqualityOperator: a balance in the votes token was refused by votesOf above.
      if (!votesAdded && b.token.toLowerCase() > leaf!.token) {
        this.hasher.add(leaf!);
        votesAdded = true;
      }
      this.hasher.add(b);
    }
    if (!votesAdded) this.hasher.add(leaf!);
    return leaf;
  }
}
