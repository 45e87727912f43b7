// Shared set-up for the RoyaltySplitter suites: named actors, a deployed splitter and helpers to
// build StandardMerkleTree roots of cumulative balances and post them.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { ethers } from 'ethers';
import { expect } from 'vitest';
import { createHardhatChain, type HardhatChain } from '../support/hardhat-chain';

export const LEAF_ENCODING = ['uint256', 'address', 'address', 'address', 'uint256'];
export type Leaf = [bigint, string, string, string, bigint];
export const FEE_BPS = 250n;
export const ROOT_DELAY = 3_600;

export interface Allocation {
  token: string;
  account: string;
  cumulative: bigint;
}

export function buildTree(chainId: bigint, splitter: string, allocations: Allocation[]) {
  const leaves: Leaf[] = allocations.map((a) => [chainId, splitter, a.token, a.account, a.cumulative]);
  return StandardMerkleTree.of(leaves, LEAF_ENCODING);
}

export function proofFor(
  tree: StandardMerkleTree<Leaf>,
  token: string,
  account: string,
): { cumulative: bigint; proof: string[] } {
  for (const [i, leaf] of tree.entries()) {
    if (leaf[2] === token && leaf[3] === account) return { cumulative: leaf[4], proof: tree.getProof(i) };
  }
  throw new Error(`no leaf for ${account} in ${token}`);
}

/** Awaits a transaction and expects it to revert with custom error `name` from `iface`. */
export async function expectRevert(
  action: Promise<unknown>,
  iface: ethers.Interface,
  name: string,
): Promise<ethers.ErrorDescription> {
  let error: unknown;
  try {
    const tx = await action;
    if (tx && typeof (tx as ethers.ContractTransactionResponse).wait === 'function') {
      await (tx as ethers.ContractTransactionResponse).wait();
    }
  } catch (e) {
    error = e;
  }
  expect(error, `expected revert ${name}`).toBeDefined();
  const data = revertData(error);
  expect(data, `no revert data in ${String(error)}`).toBeTruthy();
  const parsed = iface.parseError(data!);
  expect(parsed?.name).toBe(name);
  return parsed!;
}

function revertData(error: unknown): string | undefined {
  // ethers puts revert data in different places for estimateGas, call and receipt failures.
  const e = error as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } };
  for (const candidate of [e.data, e.info?.error?.data, e.error?.data]) {
    if (typeof candidate === 'string' && candidate.startsWith('0x') && candidate.length >= 10) return candidate;
    if (candidate && typeof candidate === 'object' && typeof (candidate as { data?: unknown }).data === 'string') {
      return (candidate as { data: string }).data;
    }
  }
  return undefined;
}

export function eventArgs(
  receipt: ethers.TransactionReceipt | null,
  contract: ethers.BaseContract,
  name: string,
): ethers.Result {
  const address = (contract.target as string).toLowerCase();
  for (const log of receipt?.logs ?? []) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === name) return parsed.args;
  }
  throw new Error(`event ${name} not emitted`);
}

export interface SplitterFixture {
  chain: HardhatChain;
  admin: ethers.Signer;
  operator: ethers.Signer;
  guardian: ethers.Signer;
  treasury: string;
  lab: ethers.Signer;
  alice: string;
  bob: string;
  carol: string;
  splitter: ethers.Contract;
  token: ethers.Contract;
  tokenAddress: string;
  splitterAddress: string;
  /** Mints `amount` to the lab, approves and pays it for `runId`. */
  pay(amount: bigint, token?: ethers.Contract, runId?: string): Promise<ethers.TransactionReceipt>;
  /** Proposes `tree` for `epoch`, waits out the delay and accepts it. */
  postRoot(tree: StandardMerkleTree<Leaf>, epoch: bigint): Promise<void>;
  /** Amount net of the protocol fee. */
  net(amount: bigint): bigint;
}

export async function deploySplitterFixture(chain?: HardhatChain): Promise<SplitterFixture> {
  chain ??= await createHardhatChain();
  const [admin, operator, guardian, treasurySigner, lab, a, b, c] = chain.signers;
  const treasury = await treasurySigner.getAddress();
  const splitter = await chain.deploy('RoyaltySplitter', [
    await admin.getAddress(),
    await operator.getAddress(),
    await guardian.getAddress(),
    treasury,
    FEE_BPS,
    ROOT_DELAY,
  ]);
  const token = await chain.deploy('MockERC20', ['Test USD', 'tUSD', 6]);
  const splitterAddress = await splitter.getAddress();

  const pay = async (amount: bigint, payToken = token, runId = ethers.id(`run-${amount}-${Math.random()}`)) => {
    await (await (payToken.connect(lab) as ethers.Contract).getFunction('mint')(await lab.getAddress(), amount)).wait();
    await (await (payToken.connect(lab) as ethers.Contract).getFunction('approve')(splitterAddress, amount)).wait();
    const tx = await (splitter.connect(lab) as ethers.Contract).getFunction('payRun')(
      runId,
      await payToken.getAddress(),
      amount,
    );
    return (await tx.wait())!;
  };
  const postRoot = async (tree: StandardMerkleTree<Leaf>, epoch: bigint) => {
    await (
      await (splitter.connect(operator) as ethers.Contract).getFunction('proposeRoot')(
        tree.root,
        epoch,
        ethers.id(`data-${epoch}`),
      )
    ).wait();
    await chain.increaseTime(ROOT_DELAY);
    await (await splitter.getFunction('acceptRoot')()).wait();
  };

  return {
    chain,
    admin,
    operator,
    guardian,
    treasury,
    lab,
    alice: await a.getAddress(),
    bob: await b.getAddress(),
    carol: await c.getAddress(),
    splitter,
    token,
    tokenAddress: await token.getAddress(),
    splitterAddress,
    pay,
    postRoot,
    net: (amount) => amount - (amount * FEE_BPS) / 10_000n,
  };
}
