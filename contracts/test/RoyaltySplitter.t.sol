// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {RoyaltySplitter} from "../src/RoyaltySplitter.sol";
import {IRoyaltySplitter} from "../src/interfaces/IRoyaltySplitter.sol";
import {MockERC20} from "../src/test/MockERC20.sol";
import {NoReturnToken} from "../src/test/NoReturnToken.sol";
import {FeeOnTransferToken} from "../src/test/FeeOnTransferToken.sol";
import {ReentrantToken} from "../src/test/ReentrantToken.sol";
import {TestBase} from "./utils/TestBase.sol";
import {Merkle} from "./utils/Merkle.sol";

abstract contract SplitterBase is TestBase {
    uint16 internal constant FEE_BPS = 250;
    uint64 internal constant DELAY = 1 hours;

    RoyaltySplitter internal splitter;
    MockERC20 internal token;
    uint64 internal epoch;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        splitter = new RoyaltySplitter(admin, operator, guardian, treasury, FEE_BPS, DELAY);
        token = new MockERC20("Test USD", "tUSD", 6);
    }

    function _pay(address payToken, uint256 amount) internal {
        MockERC20(payToken).mint(lab, amount);
        vm.startPrank(lab);
        MockERC20(payToken).approve(address(splitter), amount);
        splitter.payRun(keccak256("run"), IERC20(payToken), amount);
        vm.stopPrank();
    }

    function _net(uint256 amount) internal pure returns (uint256) {
        return amount - (amount * FEE_BPS) / 10_000;
    }

    /// Builds a tree of (token, accounts[i], amounts[i]) leaves for `target`, posts it and waits it in.
    function _postRoot(
        RoyaltySplitter target,
        address leafToken,
        address[] memory accounts,
        uint256[] memory amounts
    ) internal returns (bytes32[] memory leaves) {
        leaves = new bytes32[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            leaves[i] = Merkle.leaf(address(target), leafToken, accounts[i], amounts[i]);
        }
        epoch += 1;
        vm.prank(operator);
        target.proposeRoot(Merkle.root(leaves), epoch, keccak256(abi.encode(epoch)));
        vm.warp(block.timestamp + DELAY);
        target.acceptRoot();
    }

    function _pair(address a, address b) internal pure returns (address[] memory out) {
        out = new address[](2);
        (out[0], out[1]) = (a, b);
    }

    function _amounts(uint256 a, uint256 b) internal pure returns (uint256[] memory out) {
        out = new uint256[](2);
        (out[0], out[1]) = (a, b);
    }
}

contract RoyaltySplitterTest is SplitterBase {
    // ---------------------------------------------------------------- payRun

    function test_PayRun_TakesFeeAndBooksNet() public {
        token.mint(lab, 1_000_000);
        vm.startPrank(lab);
        token.approve(address(splitter), 1_000_000);
        vm.expectEmit();
        emit IRoyaltySplitter.RunPaid(keccak256("run"), address(token), lab, 1_000_000, 25_000, 975_000);
        splitter.payRun(keccak256("run"), token, 1_000_000);
        vm.stopPrank();
        assertEq(splitter.totalDeposited(token), 975_000, "deposited");
        assertEq(splitter.totalFees(token), 25_000, "fees");
        assertEq(token.balanceOf(address(splitter)), 1_000_000, "balance");
    }

    function testFuzz_PayRun_FeePlusNetEqualsAmount(uint256 amount, uint16 feeBps) public {
        amount = bound(amount, 1, type(uint128).max);
        feeBps = uint16(bound(feeBps, 0, splitter.MAX_FEE_BPS()));
        vm.prank(admin);
        splitter.setFeeBps(feeBps);
        _pay(address(token), amount);
        assertEq(splitter.totalDeposited(token) + splitter.totalFees(token), amount, "fee + net");
        assertEq(splitter.totalFees(token), (amount * feeBps) / 10_000, "fee");
    }

    function test_PayRun_Revert_whenZeroAmount() public {
        vm.prank(lab);
        vm.expectRevert(IRoyaltySplitter.RoyaltySplitterZeroAmount.selector);
        splitter.payRun(bytes32(0), token, 0);
    }

    function test_PayRun_Revert_whenAmountAbove128Bits() public {
        vm.prank(lab);
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterAmountTooLarge.selector, uint256(1) << 128));
        splitter.payRun(bytes32(0), token, uint256(1) << 128);
    }

    function test_PayRun_Revert_whenFeeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        fot.mint(lab, 1_000);
        vm.startPrank(lab);
        fot.approve(address(splitter), 1_000);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRoyaltySplitter.RoyaltySplitterUnexpectedBalanceChange.selector,
                address(fot),
                1_000,
                990
            )
        );
        splitter.payRun(bytes32(0), IERC20(address(fot)), 1_000);
        vm.stopPrank();
    }

    function test_PayRun_Revert_whenPaused() public {
        vm.prank(guardian);
        splitter.pause();
        token.mint(lab, 10);
        vm.startPrank(lab);
        token.approve(address(splitter), 10);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        splitter.payRun(bytes32(0), token, 10);
        vm.stopPrank();
    }

    function test_PayRun_Revert_whenTokenNotAllowlisted() public {
        vm.prank(admin);
        splitter.setTokenAllowlistEnabled(true);
        token.mint(lab, 10);
        vm.startPrank(lab);
        token.approve(address(splitter), 10);
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterTokenNotAllowed.selector, address(token)));
        splitter.payRun(bytes32(0), token, 10);
        vm.stopPrank();
        vm.prank(admin);
        splitter.setTokenAllowed(token, true);
        _pay(address(token), 10);
    }

    function test_PayRunAndClaim_NoReturnValueToken() public {
        NoReturnToken usdt = new NoReturnToken();
        usdt.mint(lab, 10_000);
        vm.startPrank(lab);
        usdt.approve(address(splitter), 10_000);
        splitter.payRun(bytes32(0), IERC20(address(usdt)), 10_000);
        vm.stopPrank();
        bytes32[] memory leaves = _postRoot(splitter, address(usdt), _pair(alice, bob), _amounts(6_000, 3_750));
        splitter.claim(alice, IERC20(address(usdt)), 6_000, Merkle.proof(leaves, 0));
        assertEq(usdt.balanceOf(alice), 6_000, "alice");
    }

    // ---------------------------------------------------------------- roots

    function test_ProposeRoot_Revert_whenNotOperator() public {
        bytes32 role = splitter.OPERATOR_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                role
            )
        );
        splitter.proposeRoot(keccak256("r"), 1, bytes32(0));
    }

    function test_ProposeRoot_Revert_whenEpochNotIncreasing() public {
        vm.startPrank(operator);
        splitter.proposeRoot(keccak256("r"), 3, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterEpochNotIncreasing.selector, 3, 3));
        splitter.proposeRoot(keccak256("s"), 3, bytes32(0));
        vm.stopPrank();
    }

    function test_AcceptRoot_Revert_whenBeforeDelay() public {
        vm.prank(operator);
        splitter.proposeRoot(keccak256("r"), 1, bytes32(0));
        vm.warp(block.timestamp + DELAY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterRootNotReady.selector, uint64(block.timestamp + 1))
        );
        splitter.acceptRoot();
    }

    function test_Claim_Revert_whenRootStillPending() public {
        _pay(address(token), 1_000);
        bytes32[] memory first = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(100, 100));
        bytes32[] memory leaves = new bytes32[](2);
        leaves[0] = Merkle.leaf(address(splitter), address(token), alice, 500);
        leaves[1] = Merkle.leaf(address(splitter), address(token), bob, 400);
        vm.prank(operator);
        splitter.proposeRoot(Merkle.root(leaves), 2, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterInvalidProof.selector, alice, address(token), 500)
        );
        splitter.claim(alice, token, 500, Merkle.proof(leaves, 0));
        // the accepted root stays claimable while the next one waits
        splitter.claim(alice, token, 100, Merkle.proof(first, 0));
        assertEq(token.balanceOf(alice), 100, "alice");
    }

    function test_AcceptRoot_Revert_whenVetoed() public {
        vm.prank(operator);
        splitter.proposeRoot(keccak256("bad"), 1, bytes32(0));
        vm.prank(guardian);
        splitter.vetoRoot(1);
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterNoPendingRoot.selector, 0));
        splitter.acceptRoot();
        assertEq(splitter.currentRoot(), bytes32(0), "root");
    }

    function test_VetoRoot_Revert_whenNotGuardian() public {
        vm.prank(operator);
        splitter.proposeRoot(keccak256("r"), 1, bytes32(0));
        bytes32 role = splitter.GUARDIAN_ROLE();
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                operator,
                role
            )
        );
        splitter.vetoRoot(1);
    }

    function test_WithdrawRoot_RemovesPendingRootForGood() public {
        vm.prank(operator);
        splitter.proposeRoot(keccak256("lost"), 1, bytes32(0));
        vm.prank(operator);
        splitter.withdrawRoot(1);
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterNoPendingRoot.selector, 0));
        splitter.acceptRoot();
        assertEq(splitter.currentRoot(), bytes32(0), "root");
        assertEq(splitter.lastProposedEpoch(), 1, "epoch stays spent");
    }

    function test_WithdrawRoot_Revert_whenOtherEpochOrNotOperator() public {
        vm.prank(operator);
        splitter.proposeRoot(keccak256("r"), 3, bytes32(0));
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterNoPendingRoot.selector, 2));
        splitter.withdrawRoot(2);
        bytes32 role = splitter.OPERATOR_ROLE();
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, role)
        );
        splitter.withdrawRoot(3);
        assertEq(splitter.pendingRoots()[0].epoch, 3, "still pending");
    }

    // ---------------------------------------------------------------- the root queue

    function _propose(uint64 e) internal {
        vm.prank(operator);
        splitter.proposeRoot(keccak256(abi.encode("root", e)), e, keccak256(abi.encode("data", e)));
    }

    function _pendingEpochs() internal view returns (uint64[] memory epochs) {
        IRoyaltySplitter.PendingRoot[] memory pending = splitter.pendingRoots();
        epochs = new uint64[](pending.length);
        for (uint256 i = 0; i < pending.length; ++i) epochs[i] = pending[i].epoch;
    }

    function test_ProposeRoot_QueuesBehindPendingRootsWithItsOwnDelay() public {
        uint256 t0 = block.timestamp;
        _propose(1);
        vm.warp(t0 + DELAY / 2);
        _propose(2);
        IRoyaltySplitter.PendingRoot[] memory pending = splitter.pendingRoots();
        assertEq(pending.length, 2, "two pending");
        assertEq(pending[0].claimableAt, t0 + DELAY, "first waits its delay");
        assertEq(pending[1].claimableAt, t0 + DELAY / 2 + DELAY, "second waits its own delay, not two");
        vm.warp(t0 + DELAY);
        vm.expectEmit();
        emit IRoyaltySplitter.RootAccepted(1, keccak256(abi.encode("root", uint64(1))), keccak256(abi.encode("data", uint64(1))));
        splitter.acceptRoot();
        assertEq(splitter.currentEpoch(), 1, "first current");
        assertEq(_pendingEpochs().length, 1, "second still pending");
        vm.expectRevert(
            abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterRootNotReady.selector, uint64(t0 + DELAY / 2 + DELAY))
        );
        splitter.acceptRoot();
        vm.warp(t0 + DELAY / 2 + DELAY);
        splitter.acceptRoot();
        assertEq(splitter.currentEpoch(), 2, "second current");
        assertEq(splitter.currentRoot(), keccak256(abi.encode("root", uint64(2))), "second root");
        assertEq(_pendingEpochs().length, 0, "queue empty");
    }

    function test_AcceptRoot_AcceptsEveryReadyRootOldestFirst() public {
        _propose(1);
        _propose(2);
        _propose(5);
        vm.warp(block.timestamp + DELAY);
        vm.expectEmit();
        emit IRoyaltySplitter.RootAccepted(1, keccak256(abi.encode("root", uint64(1))), keccak256(abi.encode("data", uint64(1))));
        vm.expectEmit();
        emit IRoyaltySplitter.RootAccepted(2, keccak256(abi.encode("root", uint64(2))), keccak256(abi.encode("data", uint64(2))));
        vm.expectEmit();
        emit IRoyaltySplitter.RootAccepted(5, keccak256(abi.encode("root", uint64(5))), keccak256(abi.encode("data", uint64(5))));
        splitter.acceptRoot();
        assertEq(splitter.currentEpoch(), 5, "newest ready root is current");
        assertEq(splitter.currentDataHash(), keccak256(abi.encode("data", uint64(5))), "its data hash");
        assertEq(_pendingEpochs().length, 0, "queue empty");
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterNoPendingRoot.selector, 0));
        splitter.acceptRoot();
    }

    function test_AcceptRoot_NeverOvertakesAnEarlierRoot_whenDelayShortened() public {
        uint256 t0 = block.timestamp;
        _propose(1);
        vm.prank(admin);
        splitter.setRootDelay(0);
        _propose(2);
        assertEq(splitter.pendingRoots()[1].claimableAt, t0 + DELAY, "the later root waits for the earlier");
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterRootNotReady.selector, uint64(t0 + DELAY)));
        splitter.acceptRoot();
        vm.warp(t0 + DELAY);
        splitter.acceptRoot();
        assertEq(splitter.currentEpoch(), 2, "both accepted in order");
        _propose(3); // an empty queue: the shortened delay applies at once
        assertEq(splitter.pendingRoots()[0].claimableAt, t0 + DELAY, "no delay");
    }

    function test_VetoRoot_DropsItAndEveryLaterRoot() public {
        _propose(1);
        _propose(2);
        _propose(3);
        vm.expectEmit();
        emit IRoyaltySplitter.RootVetoed(2, keccak256(abi.encode("root", uint64(2))), guardian);
        vm.expectEmit();
        emit IRoyaltySplitter.RootVetoed(3, keccak256(abi.encode("root", uint64(3))), guardian);
        vm.prank(guardian);
        splitter.vetoRoot(2);
        uint64[] memory left = _pendingEpochs();
        assertEq(left.length, 1, "one left");
        assertEq(left[0], 1, "the earlier root stays");
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterNoPendingRoot.selector, 3));
        splitter.vetoRoot(3);
        _propose(4); // the operator re-proposes under a new epoch
        vm.warp(block.timestamp + DELAY);
        splitter.acceptRoot();
        assertEq(splitter.currentEpoch(), 4, "re-proposed root accepted after the kept one");
    }

    function test_VetoRoot_OfTheOldest_EmptiesTheQueue() public {
        _propose(1);
        _propose(2);
        vm.prank(guardian);
        splitter.vetoRoot(1);
        assertEq(_pendingEpochs().length, 0, "nothing pending");
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterNoPendingRoot.selector, 0));
        splitter.acceptRoot();
        assertEq(splitter.currentRoot(), bytes32(0), "no root");
    }

    function test_VetoRoot_Revert_whenEpochNotPending() public {
        _propose(1);
        _propose(3);
        vm.warp(block.timestamp + DELAY);
        splitter.acceptRoot();
        _propose(5);
        for (uint64 e = 1; e <= 6; ++e) {
            if (e == 5) continue;
            vm.prank(guardian);
            vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterNoPendingRoot.selector, e));
            splitter.vetoRoot(e);
        }
    }

    function test_WithdrawRoot_DropsItAndEveryLaterRoot() public {
        _propose(1);
        _propose(2);
        vm.expectEmit();
        emit IRoyaltySplitter.RootWithdrawn(1, keccak256(abi.encode("root", uint64(1))), operator);
        vm.expectEmit();
        emit IRoyaltySplitter.RootWithdrawn(2, keccak256(abi.encode("root", uint64(2))), operator);
        vm.prank(operator);
        splitter.withdrawRoot(1);
        assertEq(_pendingEpochs().length, 0, "nothing pending");
        assertEq(splitter.lastProposedEpoch(), 2, "epochs stay spent");
    }

    function test_ProposeRoot_Revert_whenQueueFull() public {
        uint32 max = splitter.MAX_PENDING_ROOTS();
        for (uint64 e = 1; e <= max; ++e) _propose(e);
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterTooManyPendingRoots.selector, max));
        splitter.proposeRoot(keccak256("one too many"), max + 1, bytes32(0));
        // a full queue still fits one transaction to veto or accept (osaka's 2^24 cap)
        vm.prank(guardian);
        uint256 before = gasleft();
        splitter.vetoRoot(1);
        assertLe(before - gasleft(), 1 << 24, "vetoing a full queue fits one transaction");
        for (uint64 e = max + 1; e <= 2 * max; ++e) _propose(e);
        vm.warp(block.timestamp + DELAY);
        before = gasleft();
        splitter.acceptRoot();
        assertLe(before - gasleft(), 1 << 24, "accepting a full queue fits one transaction");
        assertEq(splitter.currentEpoch(), 2 * max, "all accepted");
    }

    function testFuzz_PendingRoots_KeepProposalOrder(uint8 count, uint8 vetoAt, uint32 gap) public {
        count = uint8(bound(count, 1, 20));
        gap = uint32(bound(gap, 0, DELAY));
        for (uint64 e = 1; e <= count; ++e) {
            _propose(e * 2);
            vm.warp(block.timestamp + gap);
        }
        uint64 vetoed = uint64(bound(vetoAt, 1, count)) * 2;
        vm.prank(guardian);
        splitter.vetoRoot(vetoed);
        IRoyaltySplitter.PendingRoot[] memory pending = splitter.pendingRoots();
        assertEq(pending.length, vetoed / 2 - 1, "everything from the vetoed root on is gone");
        for (uint256 i = 1; i < pending.length; ++i) {
            assertTrue(pending[i].epoch > pending[i - 1].epoch, "epochs increase");
            assertTrue(pending[i].claimableAt >= pending[i - 1].claimableAt, "claimableAt never decreases");
        }
        vm.warp(block.timestamp + DELAY);
        if (pending.length == 0) return;
        splitter.acceptRoot();
        assertEq(splitter.currentEpoch(), vetoed - 2, "the root before the vetoed one is current");
    }

    // ---------------------------------------------------------------- claims

    function test_Claim_PaysCumulativeDifference() public {
        _pay(address(token), 1_000_000);
        bytes32[] memory l1 = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(500_000, 475_000));
        vm.prank(stranger); // anyone may claim for alice; tokens go to alice
        splitter.claim(alice, token, 500_000, Merkle.proof(l1, 0));
        _pay(address(token), 1_000_000);
        bytes32[] memory l2 = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(1_000_000, 950_000));
        vm.expectEmit();
        emit IRoyaltySplitter.Claimed(alice, address(token), 2, 500_000, 1_000_000);
        splitter.claim(alice, token, 1_000_000, Merkle.proof(l2, 0));
        assertEq(token.balanceOf(alice), 1_000_000, "alice");
        assertEq(token.balanceOf(stranger), 0, "stranger");
        assertEq(splitter.claimed(alice, token), 1_000_000, "claimed");
    }

    function test_Claim_Revert_whenDoubleClaim() public {
        _pay(address(token), 1_000);
        bytes32[] memory leaves = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(500, 400));
        splitter.claim(alice, token, 500, Merkle.proof(leaves, 0));
        vm.expectRevert(
            abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterNothingToClaim.selector, alice, address(token), 500)
        );
        splitter.claim(alice, token, 500, Merkle.proof(leaves, 0));
    }

    function test_Claim_Revert_whenExceedsDeposits() public {
        _pay(address(token), 1_000); // 975 net
        bytes32[] memory leaves = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(900, 900));
        splitter.claim(alice, token, 900, Merkle.proof(leaves, 0));
        vm.expectRevert(
            abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterClaimExceedsDeposits.selector, address(token), 900, 75)
        );
        splitter.claim(bob, token, 900, Merkle.proof(leaves, 1));
    }

    /// Claims are checked against the splitter's claim-side copy of deposits; a payout beyond it
    /// reads the deposits paid since, and only then refuses what they do not cover either.
    function test_Claim_SeesDepositsPaidAfterEarlierClaims() public {
        _pay(address(token), 1_000); // 975 net
        bytes32[] memory l1 = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(500, 475));
        splitter.claim(alice, token, 500, Merkle.proof(l1, 0));
        _pay(address(token), 1_000); // 1,950 net in all
        bytes32[] memory l2 = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(500, 1_400));
        splitter.claim(bob, token, 1_400, Merkle.proof(l2, 1));
        assertEq(token.balanceOf(bob), 1_400, "bob");
        assertEq(splitter.totalClaimed(token), 1_900, "total claimed");
        // 50 left: a greedy root granting carol 100 is refused with the up-to-date figure
        bytes32[] memory l3 = _postRoot(splitter, address(token), _pair(carol, alice), _amounts(100, 500));
        vm.expectRevert(
            abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterClaimExceedsDeposits.selector, address(token), 100, 50)
        );
        splitter.claim(carol, token, 100, Merkle.proof(l3, 0));
        _pay(address(token), 100); // 97 more net
        splitter.claim(carol, token, 100, Merkle.proof(l3, 0));
        assertEq(splitter.totalClaimed(token), 2_000, "total claimed after top-up payment");
        assertLe(splitter.totalClaimed(token), splitter.totalDeposited(token), "claimed <= deposited");
    }

    function testFuzz_Claim_NeverExceedsDepositsAcrossPayments(uint128 paid1, uint128 paid2, uint128 toAlice, uint128 toBob) public {
        paid1 = uint128(bound(paid1, 1, type(uint128).max / 4));
        paid2 = uint128(bound(paid2, 1, type(uint128).max / 4));
        _pay(address(token), paid1);
        bytes32[] memory l1 = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(toAlice, 0));
        if (toAlice > 0) {
            if (toAlice > splitter.totalDeposited(token)) vm.expectRevert();
            splitter.claim(alice, token, toAlice, Merkle.proof(l1, 0));
        }
        _pay(address(token), paid2);
        bytes32[] memory l2 = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(toAlice, toBob));
        if (toBob > 0) {
            if (uint256(toBob) + splitter.totalClaimed(token) > splitter.totalDeposited(token)) vm.expectRevert();
            splitter.claim(bob, token, toBob, Merkle.proof(l2, 1));
        }
        assertLe(splitter.totalClaimed(token), splitter.totalDeposited(token), "claimed <= deposited");
        assertEq(token.balanceOf(alice) + token.balanceOf(bob), splitter.totalClaimed(token), "paid == claimed");
    }

    function test_Claim_Revert_whenProofReplayedOnOtherToken() public {
        MockERC20 other = new MockERC20("Other", "OTH", 18);
        _pay(address(token), 1_000);
        _pay(address(other), 1_000);
        bytes32[] memory leaves = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(500, 400));
        vm.expectRevert(
            abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterInvalidProof.selector, alice, address(other), 500)
        );
        splitter.claim(alice, other, 500, Merkle.proof(leaves, 0));
    }

    function test_Claim_Revert_whenProofReplayedOnOtherContract() public {
        RoyaltySplitter twin = new RoyaltySplitter(admin, operator, guardian, treasury, FEE_BPS, DELAY);
        _pay(address(token), 1_000);
        bytes32[] memory leaves = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(500, 400));
        // the twin gets the very same root and enough deposits
        MockERC20(address(token)).mint(lab, 1_000);
        vm.startPrank(lab);
        token.approve(address(twin), 1_000);
        twin.payRun(bytes32(0), token, 1_000);
        vm.stopPrank();
        vm.prank(operator);
        twin.proposeRoot(Merkle.root(leaves), 1, bytes32(0));
        vm.warp(block.timestamp + DELAY);
        twin.acceptRoot();
        vm.expectRevert(
            abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterInvalidProof.selector, alice, address(token), 500)
        );
        twin.claim(alice, token, 500, Merkle.proof(leaves, 0));
    }

    function test_Claim_Revert_whenProofReplayedOnOtherChain() public {
        _pay(address(token), 1_000);
        bytes32[] memory leaves = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(500, 400));
        vm.chainId(block.chainid + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterInvalidProof.selector, alice, address(token), 500)
        );
        splitter.claim(alice, token, 500, Merkle.proof(leaves, 0));
    }

    function test_Claim_Revert_whenPaused() public {
        _pay(address(token), 1_000);
        bytes32[] memory leaves = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(500, 400));
        vm.prank(guardian);
        splitter.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        splitter.claim(alice, token, 500, Merkle.proof(leaves, 0));
    }

    function test_Claim_Revert_whenReenteredFromTokenCallback() public {
        ReentrantToken evil = new ReentrantToken();
        _pay(address(evil), 1_000);
        bytes32[] memory leaves = _postRoot(splitter, address(evil), _pair(alice, bob), _amounts(400, 400));
        evil.arm(
            address(splitter),
            abi.encodeCall(RoyaltySplitter.claim, (bob, IERC20(address(evil)), 400, Merkle.proof(leaves, 1)))
        );
        splitter.claim(alice, IERC20(address(evil)), 400, Merkle.proof(leaves, 0));
        assertTrue(!evil.reentrySucceeded(), "re-entry must fail");
        assertEq(
            bytes32(evil.lastRevertData()),
            bytes32(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector),
            "revert reason"
        );
        assertEq(evil.balanceOf(bob), 0, "bob");
        assertEq(splitter.totalClaimed(IERC20(address(evil))), 400, "total claimed");
    }

    function testFuzz_Claim_NeverExceedsDeposits(uint128 paid, uint128 toAlice, uint128 toBob) public {
        vm.assume(paid > 0);
        _pay(address(token), paid);
        bytes32[] memory leaves = _postRoot(splitter, address(token), _pair(alice, bob), _amounts(toAlice, toBob));
        uint256 deposited = splitter.totalDeposited(token);
        if (toAlice > 0) {
            if (toAlice > deposited) vm.expectRevert();
            splitter.claim(alice, token, toAlice, Merkle.proof(leaves, 0));
        }
        if (toBob > 0) {
            if (uint256(toBob) + splitter.totalClaimed(token) > deposited) vm.expectRevert();
            splitter.claim(bob, token, toBob, Merkle.proof(leaves, 1));
        }
        assertLe(splitter.totalClaimed(token), deposited, "claimed <= deposited");
        assertEq(token.balanceOf(alice) + token.balanceOf(bob), splitter.totalClaimed(token), "paid == claimed");
    }

    // ---------------------------------------------------------------- parameters

    function test_SetFeeBps_Revert_whenNotParamsRole() public {
        bytes32 role = splitter.PARAMS_ROLE();
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                operator,
                role
            )
        );
        splitter.setFeeBps(100);
    }

    function test_SetFeeBps_Revert_whenAboveMax() public {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterFeeTooHigh.selector, 1_001, 1_000));
        splitter.setFeeBps(1_001);
    }

    function test_SweepFees_SendsAccruedFeesToTreasury() public {
        _pay(address(token), 1_000_000);
        vm.prank(stranger);
        splitter.sweepFees(token);
        assertEq(token.balanceOf(treasury), 25_000, "treasury");
        assertEq(splitter.feesSwept(token), 25_000, "swept");
    }
}
