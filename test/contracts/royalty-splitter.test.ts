import fc from 'fast-check';
import { ethers } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHardhatChain, type HardhatChain } from '../support/hardhat-chain';
import {
  buildTree,
  deploySplitterFixture,
  eventArgs,
  expectRevert,
  FEE_BPS,
  proofFor,
  ROOT_DELAY,
  type SplitterFixture,
} from './splitter-fixture';

const as = (contract: ethers.Contract, signer: ethers.Signer) => contract.connect(signer) as ethers.Contract;

describe('RoyaltySplitter', () => {
  let chain: HardhatChain;
  let f: SplitterFixture;
  let iface: ethers.Interface;

  beforeAll(async () => {
    chain = await createHardhatChain();
  });
  afterAll(async () => {
    await chain?.close();
  });

  const fresh = async () => {
    f = await deploySplitterFixture(chain);
    iface = f.splitter.interface;
    return f;
  };

  describe('payRun', () => {
    it('takes the capped fee, books the rest as deposited and emits RunPaid', async () => {
      await fresh();
      const runId = ethers.id('run-1');
      const receipt = await f.pay(1_000_000n, f.token, runId);
      const args = eventArgs(receipt, f.splitter, 'RunPaid');
      expect(args.runId).toBe(runId);
      expect(args.token).toBe(f.tokenAddress);
      expect(args.payer).toBe(await f.lab.getAddress());
      expect([args.amount, args.fee, args.net]).toEqual([1_000_000n, 25_000n, 975_000n]);
      expect(await f.splitter.totalDeposited(f.tokenAddress)).toBe(975_000n);
      expect(await f.splitter.totalFees(f.tokenAddress)).toBe(25_000n);
      expect(await f.token.balanceOf(f.splitterAddress)).toBe(1_000_000n);
    });

    it('refuses a zero amount', async () => {
      await fresh();
      await expectRevert(
        as(f.splitter, f.lab).payRun(ethers.ZeroHash, f.tokenAddress, 0n),
        iface,
        'RoyaltySplitterZeroAmount',
      );
    });

    it('refuses a fee-on-transfer token', async () => {
      await fresh();
      const fot = await chain.deploy('FeeOnTransferToken');
      await (await fot.mint(await f.lab.getAddress(), 1_000n)).wait();
      await (await as(fot, f.lab).approve(f.splitterAddress, 1_000n)).wait();
      const err = await expectRevert(
        as(f.splitter, f.lab).payRun(ethers.ZeroHash, await fot.getAddress(), 1_000n),
        iface,
        'RoyaltySplitterUnexpectedBalanceChange',
      );
      expect([err.args.expected, err.args.actual]).toEqual([1_000n, 990n]);
    });

    it('accepts a token whose transfer returns nothing, and pays claims in it', async () => {
      await fresh();
      const usdt = await chain.deploy('NoReturnToken');
      const usdtAddress = await usdt.getAddress();
      await f.pay(10_000n, usdt);
      expect(await f.splitter.totalDeposited(usdtAddress)).toBe(f.net(10_000n));
      const tree = buildTree(chain.chainId, f.splitterAddress, [
        { token: usdtAddress, account: f.alice, cumulative: 9_000n },
      ]);
      await f.postRoot(tree, 1n);
      const { proof } = proofFor(tree, usdtAddress, f.alice);
      await (await f.splitter.claim(f.alice, usdtAddress, 9_000n, proof)).wait();
      expect(await usdt.balanceOf(f.alice)).toBe(9_000n);
    });

    it('only accepts allowlisted tokens while the allowlist is on', async () => {
      await fresh();
      await (await f.splitter.setTokenAllowlistEnabled(true)).wait();
      await expectRevert(f.pay(100n), iface, 'RoyaltySplitterTokenNotAllowed');
      await (await f.splitter.setTokenAllowed(f.tokenAddress, true)).wait();
      await f.pay(100n);
      expect(await f.splitter.totalDeposited(f.tokenAddress)).toBe(f.net(100n));
    });

    it('sweeps accrued fees to the treasury', async () => {
      await fresh();
      await f.pay(1_000_000n);
      await (await as(f.splitter, chain.signers[9]).sweepFees(f.tokenAddress)).wait();
      expect(await f.token.balanceOf(f.treasury)).toBe(25_000n);
      await expectRevert(f.splitter.sweepFees(f.tokenAddress), iface, 'RoyaltySplitterZeroAmount');
    });

    it('keeps fee + net == amount, and pays out exactly what a full allocation grants (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.bigInt({ min: 1n, max: 2n ** 100n }), { minLength: 1, maxLength: 3 }),
          fc.integer({ min: 0, max: 1000 }),
          fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 3, maxLength: 3 }),
          async (amounts, bps, weights) => {
            await fresh();
            await (await f.splitter.setFeeBps(bps)).wait();
            let totalNet = 0n;
            let totalFee = 0n;
            for (const amount of amounts) {
              const args = eventArgs(await f.pay(amount), f.splitter, 'RunPaid');
              expect(args.fee + args.net).toBe(amount);
              expect(args.fee).toBe((amount * BigInt(bps)) / 10_000n);
              totalNet += args.net;
              totalFee += args.fee;
            }
            expect(await f.splitter.totalDeposited(f.tokenAddress)).toBe(totalNet);
            // split the whole net deposit among three accounts, remainder to the last
            const accounts = [f.alice, f.bob, f.carol];
            const weightSum = BigInt(weights.reduce((a, b) => a + b, 0) || 1);
            const shares = weights.map((w) => (totalNet * BigInt(w)) / weightSum);
            shares[2] = totalNet - shares[0] - shares[1];
            const tree = buildTree(
              chain.chainId,
              f.splitterAddress,
              accounts.map((account, i) => ({ token: f.tokenAddress, account, cumulative: shares[i] })),
            );
            await f.postRoot(tree, 1n);
            for (let i = 0; i < 3; i++) {
              if (shares[i] === 0n) continue;
              await (
                await f.splitter.claim(
                  accounts[i],
                  f.tokenAddress,
                  shares[i],
                  proofFor(tree, f.tokenAddress, accounts[i]).proof,
                )
              ).wait();
            }
            expect(await f.splitter.totalClaimed(f.tokenAddress)).toBe(totalNet);
            expect(await f.token.balanceOf(f.splitterAddress)).toBe(totalFee);
          },
        ),
        { numRuns: 10 },
      );
    });
  });

  describe('roots', () => {
    it('lets only the operator propose', async () => {
      await fresh();
      const err = await expectRevert(
        as(f.splitter, f.lab).proposeRoot(ethers.id('r'), 1n, ethers.ZeroHash),
        iface,
        'AccessControlUnauthorizedAccount',
      );
      expect(err.args.neededRole).toBe(ethers.id('OPERATOR_ROLE'));
    });

    it('requires strictly increasing epochs', async () => {
      await fresh();
      await (await as(f.splitter, f.operator).proposeRoot(ethers.id('a'), 5n, ethers.ZeroHash)).wait();
      await expectRevert(
        as(f.splitter, f.operator).proposeRoot(ethers.id('b'), 5n, ethers.ZeroHash),
        iface,
        'RoyaltySplitterEpochNotIncreasing',
      );
      await expectRevert(
        as(f.splitter, f.operator).proposeRoot(ethers.id('b'), 4n, ethers.ZeroHash),
        iface,
        'RoyaltySplitterEpochNotIncreasing',
      );
    });

    it('cannot accept, or claim against, a root before its delay has passed; the previous root stays claimable', async () => {
      await fresh();
      await f.pay(1_000_000n);
      const first = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 100n },
      ]);
      await f.postRoot(first, 1n);
      const second = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 300n },
      ]);
      const receipt = await (await as(f.splitter, f.operator).proposeRoot(second.root, 2n, ethers.id('d2'))).wait();
      const proposed = eventArgs(receipt, f.splitter, 'RootProposed');
      const pending = await f.splitter.pendingRoots();
      expect(pending).toHaveLength(1);
      expect(pending[0].root).toBe(second.root);
      expect(pending[0].claimableAt).toBe(proposed.claimableAt);

      await expectRevert(f.splitter.acceptRoot(), iface, 'RoyaltySplitterRootNotReady');
      await expectRevert(
        f.splitter.claim(f.alice, f.tokenAddress, 300n, proofFor(second, f.tokenAddress, f.alice).proof),
        iface,
        'RoyaltySplitterInvalidProof',
      );
      await (
        await f.splitter.claim(f.alice, f.tokenAddress, 100n, proofFor(first, f.tokenAddress, f.alice).proof)
      ).wait();
      expect(await f.token.balanceOf(f.alice)).toBe(100n);

      await chain.increaseTime(ROOT_DELAY);
      await (await f.splitter.acceptRoot()).wait();
      expect(await f.splitter.currentRoot()).toBe(second.root);
      expect(await f.splitter.currentEpoch()).toBe(2n);
      await (
        await f.splitter.claim(f.alice, f.tokenAddress, 300n, proofFor(second, f.tokenAddress, f.alice).proof)
      ).wait();
      expect(await f.token.balanceOf(f.alice)).toBe(300n);
    });

    it('lets the guardian veto a pending root, which then can never be accepted or claimed against', async () => {
      await fresh();
      await f.pay(1_000_000n);
      const bad = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.bob, cumulative: 900_000n },
      ]);
      await (await as(f.splitter, f.operator).proposeRoot(bad.root, 1n, ethers.ZeroHash)).wait();
      await expectRevert(as(f.splitter, f.lab).vetoRoot(1n), iface, 'AccessControlUnauthorizedAccount');
      await expectRevert(as(f.splitter, f.guardian).vetoRoot(2n), iface, 'RoyaltySplitterNoPendingRoot');
      const receipt = await (await as(f.splitter, f.guardian).vetoRoot(1n)).wait();
      expect(eventArgs(receipt, f.splitter, 'RootVetoed').root).toBe(bad.root);
      await chain.increaseTime(ROOT_DELAY);
      await expectRevert(f.splitter.acceptRoot(), iface, 'RoyaltySplitterNoPendingRoot');
      await expectRevert(
        f.splitter.claim(f.bob, f.tokenAddress, 900_000n, proofFor(bad, f.tokenAddress, f.bob).proof),
        iface,
        'RoyaltySplitterInvalidProof',
      );
      // the vetoed epoch is burnt: the operator moves on to a higher one
      await expectRevert(
        as(f.splitter, f.operator).proposeRoot(bad.root, 1n, ethers.ZeroHash),
        iface,
        'RoyaltySplitterEpochNotIncreasing',
      );
    });
    it('lets the operator withdraw its own pending root, which then can never be accepted', async () => {
      await fresh();
      await f.pay(1_000_000n);
      const lost = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.bob, cumulative: 900_000n },
      ]);
      await (await as(f.splitter, f.operator).proposeRoot(lost.root, 1n, ethers.ZeroHash)).wait();
      await expectRevert(as(f.splitter, f.guardian).withdrawRoot(1n), iface, 'AccessControlUnauthorizedAccount');
      await expectRevert(as(f.splitter, f.operator).withdrawRoot(2n), iface, 'RoyaltySplitterNoPendingRoot');
      const receipt = await (await as(f.splitter, f.operator).withdrawRoot(1n)).wait();
      expect(eventArgs(receipt, f.splitter, 'RootWithdrawn').root).toBe(lost.root);
      await chain.increaseTime(ROOT_DELAY);
      await expectRevert(f.splitter.acceptRoot(), iface, 'RoyaltySplitterNoPendingRoot');
      await expectRevert(
        as(f.splitter, f.operator).proposeRoot(lost.root, 1n, ethers.ZeroHash),
        iface,
        'RoyaltySplitterEpochNotIncreasing',
      );
    });
  });

  describe('claim', () => {
    it('pays the cumulative difference to the account, whoever calls, and emits Claimed', async () => {
      await fresh();
      await f.pay(1_000_000n);
      const t1 = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 600_000n },
        { token: f.tokenAddress, account: f.bob, cumulative: 375_000n },
      ]);
      await f.postRoot(t1, 1n);
      const receipt = await (
        await as(f.splitter, chain.signers[9]).claim(
          f.alice,
          f.tokenAddress,
          600_000n,
          proofFor(t1, f.tokenAddress, f.alice).proof,
        )
      ).wait();
      const args = eventArgs(receipt, f.splitter, 'Claimed');
      expect([args.account, args.token, args.epoch, args.amount, args.cumulativeAmount]).toEqual([
        f.alice,
        f.tokenAddress,
        1n,
        600_000n,
        600_000n,
      ]);
      expect(await f.token.balanceOf(f.alice)).toBe(600_000n);
      expect(await f.splitter.claimed(f.alice, f.tokenAddress)).toBe(600_000n);

      await f.pay(1_000_000n);
      const t2 = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 1_200_000n },
        { token: f.tokenAddress, account: f.bob, cumulative: 750_000n },
      ]);
      await f.postRoot(t2, 2n);
      await (
        await f.splitter.claim(f.alice, f.tokenAddress, 1_200_000n, proofFor(t2, f.tokenAddress, f.alice).proof)
      ).wait();
      expect(await f.token.balanceOf(f.alice)).toBe(1_200_000n);
      expect(await f.splitter.totalClaimed(f.tokenAddress)).toBe(1_200_000n);
    });

    it('accepts exactly the StandardMerkleTree leaves and proofs of every length from 0 to 11', async () => {
      await fresh();
      await f.pay(10n ** 15n);
      let epoch = 0n;
      const lengthsSeen = new Set<number>();
      for (const size of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 64, 65, 129, 257, 513, 1025]) {
        const accounts = Array.from({ length: size }, (_, i) =>
          ethers.getAddress(ethers.dataSlice(ethers.id(`leaf-${size}-${i}`), 12)),
        );
        const tree = buildTree(
          chain.chainId,
          f.splitterAddress,
          accounts.map((account, i) => ({ token: f.tokenAddress, account, cumulative: BigInt(i + 1) })),
        );
        await f.postRoot(tree, ++epoch);
        // one leaf per distinct proof length in this tree
        const byLength = new Map<number, number>();
        for (const [i] of tree.entries()) byLength.set(tree.getProof(i).length, i);
        for (const [length, i] of byLength) {
          const [, , token, account, cumulative] = tree.at(i)!;
          const proof = tree.getProof(i);
          await expectRevert(
            f.splitter.claim(account, token, cumulative + 1n, proof),
            iface,
            'RoyaltySplitterInvalidProof',
          );
          if (length > 0) {
            const tampered = [...proof];
            tampered[length - 1] = ethers.toBeHex(BigInt(tampered[length - 1]) ^ 1n, 32);
            await expectRevert(
              f.splitter.claim(account, token, cumulative, tampered),
              iface,
              'RoyaltySplitterInvalidProof',
            );
          }
          await (await f.splitter.claim(account, token, cumulative, proof)).wait();
          expect(await f.token.balanceOf(account)).toBe(cumulative);
          lengthsSeen.add(length);
        }
      }
      expect([...lengthsSeen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    });

    it('sees deposits paid after earlier claims, and still refuses what no deposit covers', async () => {
      await fresh();
      await f.pay(1_000n); // 975 net
      const t1 = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 500n },
      ]);
      await f.postRoot(t1, 1n);
      await (await f.splitter.claim(f.alice, f.tokenAddress, 500n, proofFor(t1, f.tokenAddress, f.alice).proof)).wait();
      await f.pay(1_000n); // 1,950 net in all
      const t2 = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 500n },
        { token: f.tokenAddress, account: f.bob, cumulative: 1_400n },
        { token: f.tokenAddress, account: f.carol, cumulative: 100n },
      ]);
      await f.postRoot(t2, 2n);
      await (await f.splitter.claim(f.bob, f.tokenAddress, 1_400n, proofFor(t2, f.tokenAddress, f.bob).proof)).wait();
      const err = await expectRevert(
        f.splitter.claim(f.carol, f.tokenAddress, 100n, proofFor(t2, f.tokenAddress, f.carol).proof),
        iface,
        'RoyaltySplitterClaimExceedsDeposits',
      );
      expect([err.args.payout, err.args.available]).toEqual([100n, 50n]);
      expect(await f.splitter.totalClaimed(f.tokenAddress)).toBe(1_900n);
      expect(await f.splitter.totalDeposited(f.tokenAddress)).toBe(1_950n);
    });

    it('refuses a double claim', async () => {
      await fresh();
      await f.pay(1_000n);
      const t = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 500n },
      ]);
      await f.postRoot(t, 1n);
      const { proof } = proofFor(t, f.tokenAddress, f.alice);
      await (await f.splitter.claim(f.alice, f.tokenAddress, 500n, proof)).wait();
      await expectRevert(
        f.splitter.claim(f.alice, f.tokenAddress, 500n, proof),
        iface,
        'RoyaltySplitterNothingToClaim',
      );
      expect(await f.token.balanceOf(f.alice)).toBe(500n);
    });

    it('never pays out more than was deposited net of fees, whatever the root says', async () => {
      await fresh();
      await f.pay(1_000n); // 975 net
      const t = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 900n },
        { token: f.tokenAddress, account: f.bob, cumulative: 900n },
      ]);
      await f.postRoot(t, 1n);
      await (await f.splitter.claim(f.alice, f.tokenAddress, 900n, proofFor(t, f.tokenAddress, f.alice).proof)).wait();
      const err = await expectRevert(
        f.splitter.claim(f.bob, f.tokenAddress, 900n, proofFor(t, f.tokenAddress, f.bob).proof),
        iface,
        'RoyaltySplitterClaimExceedsDeposits',
      );
      expect([err.args.payout, err.args.available]).toEqual([900n, 75n]);
      // fees stay in the contract for the treasury
      expect(await f.token.balanceOf(f.splitterAddress)).toBe(100n);
    });

    it('rejects a proof replayed on another token', async () => {
      await fresh();
      const other = await chain.deploy('MockERC20', ['Other', 'OTH', 18]);
      const otherAddress = await other.getAddress();
      await f.pay(1_000n);
      await f.pay(1_000n, other);
      const t = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 500n },
      ]);
      await f.postRoot(t, 1n);
      await expectRevert(
        f.splitter.claim(f.alice, otherAddress, 500n, proofFor(t, f.tokenAddress, f.alice).proof),
        iface,
        'RoyaltySplitterInvalidProof',
      );
    });

    it('rejects a proof replayed on another splitter with the same root', async () => {
      await fresh();
      const first = f;
      const t = buildTree(chain.chainId, first.splitterAddress, [
        { token: first.tokenAddress, account: first.alice, cumulative: 500n },
      ]);
      const second = await deploySplitterFixture(chain);
      // same token in both splitters, so only the contract address differs in the leaf
      await second.pay(1_000n, first.token);
      await second.postRoot(t, 1n);
      await expectRevert(
        second.splitter.claim(
          first.alice,
          first.tokenAddress,
          500n,
          proofFor(t, first.tokenAddress, first.alice).proof,
        ),
        iface,
        'RoyaltySplitterInvalidProof',
      );
    });

    it('rejects a proof built for another chain id', async () => {
      await fresh();
      await f.pay(1_000n);
      const otherChain = buildTree(1n, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 500n },
      ]);
      await f.postRoot(otherChain, 1n);
      await expectRevert(
        f.splitter.claim(f.alice, f.tokenAddress, 500n, proofFor(otherChain, f.tokenAddress, f.alice).proof),
        iface,
        'RoyaltySplitterInvalidProof',
      );
    });

    it('blocks payRun and claims while paused, and only the guardian pauses', async () => {
      await fresh();
      await f.pay(1_000n);
      const t = buildTree(chain.chainId, f.splitterAddress, [
        { token: f.tokenAddress, account: f.alice, cumulative: 500n },
      ]);
      await f.postRoot(t, 1n);
      await expectRevert(as(f.splitter, f.lab).pause(), iface, 'AccessControlUnauthorizedAccount');
      await (await as(f.splitter, f.guardian).pause()).wait();
      const { proof } = proofFor(t, f.tokenAddress, f.alice);
      await expectRevert(f.splitter.claim(f.alice, f.tokenAddress, 500n, proof), iface, 'EnforcedPause');
      await expectRevert(f.splitter.claimMany(f.alice, [f.tokenAddress], [500n], [proof]), iface, 'EnforcedPause');
      await expectRevert(f.pay(1_000n), iface, 'EnforcedPause');
      await (await as(f.splitter, f.guardian).unpause()).wait();
      await (await f.splitter.claim(f.alice, f.tokenAddress, 500n, proof)).wait();
      expect(await f.token.balanceOf(f.alice)).toBe(500n);
    });

    it('blocks re-entry from a token callback during a claim', async () => {
      await fresh();
      const evil = await chain.deploy('ReentrantToken');
      const evilAddress = await evil.getAddress();
      await f.pay(1_000n, evil);
      const t = buildTree(chain.chainId, f.splitterAddress, [
        { token: evilAddress, account: f.alice, cumulative: 400n },
        { token: evilAddress, account: f.bob, cumulative: 400n },
      ]);
      await f.postRoot(t, 1n);
      const bobProof = proofFor(t, evilAddress, f.bob).proof;
      await (
        await evil.arm(f.splitterAddress, iface.encodeFunctionData('claim', [f.bob, evilAddress, 400n, bobProof]))
      ).wait();
      await (await f.splitter.claim(f.alice, evilAddress, 400n, proofFor(t, evilAddress, f.alice).proof)).wait();
      expect(await evil.reentryAttempts()).toBe(1n);
      expect(await evil.reentrySucceeded()).toBe(false);
      expect(iface.parseError(await evil.lastRevertData())?.name).toBe('ReentrancyGuardReentrantCall');
      expect(await evil.balanceOf(f.bob)).toBe(0n);
      expect(await f.splitter.totalClaimed(evilAddress)).toBe(400n);
    });

    it('claims several tokens at once with claimMany', async () => {
      await fresh();
      const tokens = [
        f.token,
        await chain.deploy('MockERC20', ['B', 'B', 18]),
        await chain.deploy('MockERC20', ['C', 'C', 18]),
      ];
      const addresses = await Promise.all(tokens.map((t) => t.getAddress()));
      for (const t of tokens) await f.pay(10_000n, t);
      const tree = buildTree(
        chain.chainId,
        f.splitterAddress,
        addresses.map((token, i) => ({ token, account: f.carol, cumulative: BigInt(1000 * (i + 1)) })),
      );
      await f.postRoot(tree, 1n);
      const entries = addresses.map((a) => proofFor(tree, a, f.carol));
      await (
        await f.splitter.claimMany(
          f.carol,
          addresses,
          entries.map((e) => e.cumulative),
          entries.map((e) => e.proof),
        )
      ).wait();
      for (let i = 0; i < 3; i++) expect(await tokens[i].balanceOf(f.carol)).toBe(BigInt(1000 * (i + 1)));
      await expectRevert(f.splitter.claimMany(f.carol, addresses, [1n], []), iface, 'RoyaltySplitterLengthMismatch');
    });
  });

  describe('parameters', () => {
    it('are changed only by the params role, within bounds', async () => {
      await fresh();
      await expectRevert(as(f.splitter, f.operator).setFeeBps(100), iface, 'AccessControlUnauthorizedAccount');
      await expectRevert(as(f.splitter, f.guardian).setTreasury(f.alice), iface, 'AccessControlUnauthorizedAccount');
      await expectRevert(f.splitter.setFeeBps(1001), iface, 'RoyaltySplitterFeeTooHigh');
      await expectRevert(f.splitter.setRootDelay(31n * 86_400n), iface, 'RoyaltySplitterRootDelayTooLong');
      await expectRevert(f.splitter.setTreasury(ethers.ZeroAddress), iface, 'RoyaltySplitterZeroAddress');
      await (await f.splitter.setFeeBps(1000)).wait();
      await (await f.splitter.setTreasury(f.alice)).wait();
      await (await f.splitter.setRootDelay(60)).wait();
      expect([await f.splitter.feeBps(), await f.splitter.treasury(), await f.splitter.rootDelay()]).toEqual([
        1000n,
        f.alice,
        60n,
      ]);
      expect(FEE_BPS).toBe(250n);
    });
  });
});
