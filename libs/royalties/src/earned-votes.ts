// Governance votes earned by taking part: each account's cumulative votes are its cumulative
// royalties in the tokens that earn votes, times a published rate; they become votes leaves
// (token = the votes contract) beside the balances in the same epoch tree.
import { type CumulativeBalance } from './epoch-leaves.tree';
import { RoyaltyError } from './royalty.errors';

/** How royalties become votes, published with every epoch's inputs. */
export interface EarnedVotesRule {
  /** The UpstreamVotes contract: the `token` of every votes leaf. */
  token: string;
  /** Payment token (lowercase or checksummed) → votes (smallest units) per smallest unit of royalty earned. */
  perUnit: Record<string, string>;
}

/**
 * The rule with its rates parsed once (a malformed rate is refused here): the votes one royalty balance
 * earns. `earnedVotes` sums them per account over a whole list; a stream (`EpochLeafStream`) sums them
 * over each account's balances as they pass.
 */
export class VotesRule {
  /** The votes leaves' token, lowercase. */
  readonly token: string;
  private readonly rates = new Map<string, bigint>();

  constructor(rule: EarnedVotesRule) {
    this.token = rule.token.toLowerCase();
    for (const [token, perUnit] of Object.entries(rule.perUnit)) {
      if (!/^(0|[1-9][0-9]*)$/.test(perUnit))
        throw new RoyaltyError('INVALID_AMOUNT', `votes.perUnit.${token}`, 'must be a non-negative integer');
      this.rates.set(token.toLowerCase(), BigInt(perUnit));
    }
  }

  /** Its cumulative times its token's rate (0 for a token that earns none); refuses a balance in the votes token. */
  votesOf(b: CumulativeBalance): bigint {
    const token = b.token.toLowerCase();
    if (token === this.token)
      throw new RoyaltyError('DUPLICATE_BALANCE', 'balances', 'a balance already uses the votes token');
    return b.cumulative * (this.rates.get(token) ?? 0n);
  }
}

/**
 * The votes leaves of an epoch: per account, the sum over the vote-earning tokens of its
 * cumulative royalties times the token's rate; accounts with no votes are left out; sorted by
 * account. Cumulative royalties never fall, so neither do cumulative votes under a fixed rule.
 */
export function earnedVotes(balances: readonly CumulativeBalance[], rule: EarnedVotesRule): CumulativeBalance[] {
  const votes = new VotesRule(rule);
  const sums = new Map<string, bigint>();
  for (const b of balances) {
    const earned = votes.votesOf(b);
    if (earned === 0n) continue;
    const account = b.account.toLowerCase();
    sums.set(account, (sums.get(account) ?? 0n) + earned);
  }
  return [...sums.entries()]
    .filter(([, sum]) => sum > 0n)
    .sort(byAccount)
    .map(([account, cumulative]) => ({ token: votes.token, account, cumulative }));
}

/** Ascending order of two accounts that are a Map's keys, so never equal. */
function byAccount([a]: [string, bigint], [b]: [string, bigint]): number {
  // Stryker disable next-line EqualityOperator: the accounts are never equal, so `<` and `<=` agree.
  return a < b ? -1 : 1;
}
