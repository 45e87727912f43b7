import { Inject, Injectable } from '@nestjs/common';
import { Contract } from 'ethers';
import type { EarnedVotesRule } from '@upstream/royalties';
import { ChainService } from '../chain/chain.service';
import { RUNTIME, type Runtime } from '../runtime/runtime';

/** Votes (18 decimals) are earned one per whole unit of the payment token. */
const VOTES_DECIMALS = 18n;

/**
 * The rule by which royalties earn governance votes: contributors earn, in the deployment's payment
 * token only (royalties in other tokens are not comparable without a price), one vote per whole
 * token earned. None without a votes contract or a payment token. The token's decimals are read
 * from the chain once; the rule is published with every epoch's inputs.
 */
@Injectable()
export class EarnedVotesRuleService {
  private cached?: Promise<EarnedVotesRule | null>;

  constructor(
    private readonly chain: ChainService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  rule(): Promise<EarnedVotesRule | null> {
    this.cached ??= this.load();
    this.cached.catch(() => (this.cached = undefined));
    return this.cached;
  }

  /** The votes contract (lowercase), or null when this deployment has none. */
  get votesToken(): string | null {
    return this.runtime.infrastructure.deployment.governance?.votes.toLowerCase() ?? null;
  }

  private async load(): Promise<EarnedVotesRule | null> {
    const { paymentToken } = this.runtime.infrastructure.deployment;
    const votes = this.votesToken;
    if (!votes || !paymentToken) return null;
    const token = new Contract(paymentToken, ['function decimals() view returns (uint8)'], this.chain.provider);
    const decimals = BigInt((await token.getFunction('decimals').staticCall()) as bigint);
    const perUnit = decimals >= VOTES_DECIMALS ? 1n : 10n ** (VOTES_DECIMALS - decimals);
    return { token: votes, perUnit: { [paymentToken.toLowerCase()]: perUnit.toString() } };
  }
}
