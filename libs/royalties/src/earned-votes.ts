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
 * The votes leaves of an epoch: per account, the sum over the vote-earning tokens of its
 * cumulative royalties times the token's rate; accounts with no votes are left out; sorted by
 * account. Cumulative royalties never fall, so neither do cumulative votes under a fixed rule.
 */
export function earnedVotes(balances: readonly CumulativeBalance[], rule: EarnedVotesRule): CumulativeBalance[] {
  const votesToken = rule.token.toLowerCase();
  const rates = new Map<string, bigint>();
  for (const [token, perUnit] of Object.entries(rule.perUnit)) {
    if (!/^(0|[1-9][0-9]*)$/.test(perUnit))
      throw new RoyaltyError('INVALID_AMOUNT', `votes.perUnit.${token}`, 'must be a non-negative integer');
    rates.set(token.toLowerCase(), BigInt(perUnit));
  }
  const sums = new Map<string, bigint>();
  for (const b of balances) {
    const token = b.token.toLowerCase();
    if (token === votesToken)
      throw new RoyaltyError('DUPLICATE_BALANCE', 'balances', 'a balance already uses the votes token');
    const rate = rates.get(token);
    if (!rate) continue;
    const account = b.account.toLowerCase();
    sums.set(account, (sums.get(account) ?? 0n) + b.cumulative * rate);
  }
  return [...sums.entries()]
    .filter(([, votes]) => votes > 0n)
    .sort(byAccount)
    .map(([account, cumulative]) => ({ token: votesToken, account, cumulative }));
}

/** Ascending order of two accounts that are a Map's keys, so never equal. */
function byAccount([a]: [string, bigint], [b]: [string, bigint]): number {
  // Stryker disable next-line EqualityOperator: the accounts are never equal, so `<` and `<=` agree.
  return a < b ? -1 : 1;
}
