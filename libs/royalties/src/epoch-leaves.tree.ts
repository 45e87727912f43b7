import {
  buildMerkleTree,
  initMerkle,
  leafHashInto,
  MerkleTree,
  verifyProof,
  writeAddressWord,
  writeUintWord,
} from '@upstream/merkle';
import { RoyaltyError } from './royalty.errors';

/**
 * Leaf encoding the RoyaltySplitter verifies — (chainId, splitter, token, account,
 * cumulative), in exactly this order — as a StandardMerkleTree (double-hashed) leaf.
 */
export const EPOCH_LEAF_TYPES = ['uint256', 'address', 'address', 'address', 'uint256'] as const;

export interface CumulativeBalance {
  account: string;
  token: string;
  /** Everything ever owed to `account` in `token` up to this epoch (not the epoch's delta). */
  cumulative: bigint;
}

export interface EpochClaim {
  account: string;
  token: string;
  cumulative: bigint;
  /** 0x-hex siblings for `claim(...)`. */
  proof: string[];
}

export class EpochTree {
  constructor(
    readonly chainId: bigint,
    readonly splitter: string,
    /** Balances in input order, as given (leaf i is balances[i]). */
    readonly balances: readonly CumulativeBalance[],
    readonly tree: MerkleTree,
    /** lowercase token → lowercase account → index in `balances`. */
    private readonly index: Map<string, Map<string, number>>,
  ) {}

  get root(): string {
    return this.tree.rootHex;
  }

  get length(): number {
    return this.balances.length;
  }

  /** The claim (amount and proof) of `account` in `token`; throws BALANCE_NOT_FOUND. */
  claim(account: string, token: string): EpochClaim {
    const i = this.index.get(token.toLowerCase())?.get(account.toLowerCase());
    if (i === undefined)
      throw new RoyaltyError('BALANCE_NOT_FOUND', 'account', `no ${token} balance for ${account} in this epoch`);
    const b = this.balances[i];
    return {
      account: b.account.toLowerCase(),
      token: b.token.toLowerCase(),
      cumulative: b.cumulative,
      proof: this.tree.proofHex(i),
    };
  }

  proof(account: string, token: string): string[] {
    return this.claim(account, token).proof;
  }

  /** The leaf as StandardMerkleTree values: [chainId, splitter, token, account, cumulative]. */
  leafValues(i: number): [bigint, string, string, string, bigint] {
    const b = this.balances[i];
    return [this.chainId, this.splitter, b.token.toLowerCase(), b.account.toLowerCase(), b.cumulative];
  }
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/**
 * The epoch's cumulative-balance tree over EPOCH_LEAF_TYPES. Refuses a repeated
 * (account, token) pair, malformed addresses and amounts outside uint256. Built on the
 * fixed-word fast path: ~1 M leaves in a few seconds.
 */
export async function cumulativeLeaves(
  chainId: bigint | number,
  splitter: string,
  balances: readonly CumulativeBalance[],
): Promise<EpochTree> {
  await initMerkle();
  if (balances.length === 0)
    throw new RoyaltyError('EMPTY_RUN', 'balances', 'an epoch tree needs at least one balance');
  const scratch = Buffer.allocUnsafe(160);
  const chain = BigInt(chainId);
  encodeEpoch(scratch, chain, splitter);
  const leaves = Buffer.allocUnsafe(balances.length * 32);
  const index = new Map<string, Map<string, number>>();
  for (let i = 0; i < balances.length; i++) {
    const { account, token } = balances[i];
    encodeBalance(scratch, balances[i], i);
    const tokenKey = token.toLowerCase();
    let accounts = index.get(tokenKey);
    if (!accounts) index.set(tokenKey, (accounts = new Map<string, number>()));
    const accountKey = account.toLowerCase();
    if (accounts.has(accountKey))
      throw new RoyaltyError(
        'DUPLICATE_BALANCE',
        `balances[${i}]`,
        `(${account}, ${token}) appears twice; sum it first`,
      );
    accounts.set(accountKey, i);
    leafHashInto(scratch, leaves, i * 32);
  }
  return new EpochTree(chain, splitter.toLowerCase(), balances, buildMerkleTree(leaves), index);
}

/**
 * The epoch's root over balances streamed one at a time (a database cursor, a verifier's sums), so no leaf
 * object outlives its `add`: only the 32-byte leaf hashes are kept, then the tree over them is built
 * (`buildMerkleTree`, ~112 bytes a leaf at its peak). Balances come in ascending (account, token) order,
 * each pair once: the order proves that no pair repeats without remembering the pairs. Same root as
 * `cumulativeLeaves` over the same balances in any order (the tree sorts its leaves by hash).
 */
export class EpochLeafHasher {
  private leaves = Buffer.allocUnsafe(32 * 1024);
  private count = 0;
  /** '' sorts before every address: the first leaf is always in order. */
  private lastAccount = '';
  // Stryker disable next-line StringLiteral: only compared once lastAccount equals an account, so never while it is ''.
  private lastToken = '';

  private constructor(private readonly scratch: Buffer) {}

  /** Refuses a chain id outside uint256 and a malformed splitter, as `cumulativeLeaves` does. */
  static async create(chainId: bigint | number, splitter: string): Promise<EpochLeafHasher> {
    await initMerkle();
    const scratch = Buffer.allocUnsafe(160);
    encodeEpoch(scratch, BigInt(chainId), splitter);
    return new EpochLeafHasher(scratch);
  }

  /** Leaves added so far. */
  get length(): number {
    return this.count;
  }

  /** Hashes the next leaf; refuses it as `cumulativeLeaves` does, and out of (account, token) order. */
  add(balance: CumulativeBalance): void {
    const i = this.count;
    encodeBalance(this.scratch, balance, i);
    const account = balance.account.toLowerCase();
    const token = balance.token.toLowerCase();
    if (account < this.lastAccount || (account === this.lastAccount && token <= this.lastToken))
      throw new RoyaltyError(
        'DUPLICATE_BALANCE',
        `balances[${i}]`,
        `(${account}, ${token}) does not follow (${this.lastAccount}, ${this.lastToken}): balances must come in ascending (account, token) order, each pair once`,
      );
    this.lastAccount = account;
    this.lastToken = token;
    // Stryker disable next-line EqualityOperator: growing one leaf early keeps every hash as well.
    if ((i + 1) * 32 > this.leaves.length) {
      const grown = Buffer.allocUnsafe(this.leaves.length * 2);
      this.leaves.copy(grown, 0, 0, i * 32);
      this.leaves = grown;
    }
    leafHashInto(this.scratch, this.leaves, i * 32);
    this.count = i + 1;
  }

  /** The root over every leaf added; refuses an empty epoch as `cumulativeLeaves` does. */
  root(): string {
    if (this.count === 0) throw new RoyaltyError('EMPTY_RUN', 'balances', 'an epoch tree needs at least one balance');
    return buildMerkleTree(this.leaves.subarray(0, this.count * 32)).rootHex;
  }
}

/** Checks a claim against a root the way RoyaltySplitter does. */
export async function verifyEpochClaim(
  root: string,
  chainId: bigint | number,
  splitter: string,
  claim: EpochClaim,
): Promise<boolean> {
  await initMerkle();
  const scratch = Buffer.allocUnsafe(160);
  try {
    writeUintWord(scratch, 0, BigInt(chainId));
    writeAddressWord(scratch, 32, splitter);
    writeAddressWord(scratch, 64, claim.token);
    writeAddressWord(scratch, 96, claim.account);
    writeUintWord(scratch, 128, claim.cumulative);
  } catch {
    return false;
  }
  const leaf = Buffer.allocUnsafe(32);
  leafHashInto(scratch, leaf, 0);
  return verifyProof(root, leaf, claim.proof);
}

/** Words 0 and 32 of every leaf of the epoch: the chain id and the splitter. */
function encodeEpoch(scratch: Buffer, chainId: bigint, splitter: string): void {
  attempt('chainId', () => writeUintWord(scratch, 0, chainId));
  if (!ADDRESS_RE.test(splitter))
    throw new RoyaltyError('INVALID_ADDRESS', 'splitter', 'must be 0x followed by 40 hex digits');
  attempt('splitter', () => writeAddressWord(scratch, 32, splitter));
}

/** Words 64..159 of leaf `i`: its token, account and cumulative, each refused under its own field. */
function encodeBalance(scratch: Buffer, { account, token, cumulative }: CumulativeBalance, i: number): void {
  let field = `balances[${i}].token`;
  try {
    writeAddressWord(scratch, 64, token);
    field = `balances[${i}].account`;
    writeAddressWord(scratch, 96, account);
    field = `balances[${i}].cumulative`;
    if (typeof cumulative !== 'bigint') throw new RoyaltyError('INVALID_AMOUNT', field, 'must be a bigint');
    writeUintWord(scratch, 128, cumulative);
  } catch (error) {
    attempt(field, () => {
      throw error;
    });
  }
}

function attempt(field: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: re-wrapping the one RoyaltyError thrown inside (a cumulative that is not a bigint) gives the same code, field and reason.
    if (error instanceof RoyaltyError) throw error;
    const reason =
      error instanceof Error && 'reason' in error ? String((error as { reason: unknown }).reason) : String(error);
    throw new RoyaltyError(
      field.endsWith('cumulative') || field === 'chainId' ? 'INVALID_AMOUNT' : 'INVALID_ADDRESS',
      field,
      reason,
    );
  }
}
