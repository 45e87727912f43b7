// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RoyaltySplitter} from "../src/RoyaltySplitter.sol";
import {IRoyaltySplitter} from "../src/interfaces/IRoyaltySplitter.sol";
import {MockERC20} from "../src/test/MockERC20.sol";
import {TestBase} from "./utils/TestBase.sol";
import {Merkle} from "./utils/Merkle.sol";

/// @notice Drives the splitter's root queue through random proposals, waits, acceptances, vetoes,
/// withdrawals, delay changes, payments and claims, recording what each step must not break.
contract RootQueueHandler is TestBase {
    uint256 internal constant ACCOUNTS = 3;

    RoyaltySplitter public immutable splitter;
    MockERC20 public immutable token;
    address[ACCOUNTS] internal _accounts;

    uint64 public epoch;
    /// epochs ever vetoed or withdrawn, directly or because an earlier root was
    uint64[] public dropped;
    /// set when a step sees the queue out of proposal order, a root current before its time, or an epoch going back
    string public violation;

    /// what each proposed epoch granted, so a claim proves against the current root
    mapping(uint64 e => uint256[ACCOUNTS]) internal _granted;
    mapping(uint64 e => uint64) internal _claimableAt;
    uint256[ACCOUNTS] internal _lastGranted;

    constructor(RoyaltySplitter splitter_, MockERC20 token_) {
        splitter = splitter_;
        token = token_;
        for (uint256 i = 0; i < ACCOUNTS; ++i) _accounts[i] = makeAddr(string(abi.encodePacked("queued", i)));
    }

    function account(uint256 i) external view returns (address) {
        return _accounts[i];
    }

    function granted(uint64 e, uint256 i) external view returns (uint256) {
        return _granted[e][i];
    }

    function droppedCount() external view returns (uint256) {
        return dropped.length;
    }

    function payRun(uint256 amount) external {
        amount = bound(amount, 1, 1e24);
        token.mint(address(this), amount);
        token.approve(address(splitter), amount);
        splitter.payRun(keccak256(abi.encode(epoch, amount)), token, amount);
    }

    /// An honest operator queues a root granting part of what was deposited and not yet granted.
    function propose(uint256[ACCOUNTS] calldata weights) external {
        if (splitter.pendingRoots().length >= splitter.MAX_PENDING_ROOTS()) return;
        uint256 allocated;
        for (uint256 i = 0; i < ACCOUNTS; ++i) allocated += _lastGranted[i];
        uint256 deposited = splitter.totalDeposited(token);
        uint256 pool = deposited > allocated ? deposited - allocated : 0;
        epoch += 1 + uint64(weights[0] % 2); // epochs may skip numbers
        uint256[ACCOUNTS] memory next;
        bytes32[] memory leaves = new bytes32[](ACCOUNTS);
        for (uint256 i = 0; i < ACCOUNTS; ++i) {
            next[i] = _lastGranted[i] + (pool * bound(weights[i], 0, 100)) / (100 * ACCOUNTS);
            leaves[i] = Merkle.leaf(address(splitter), address(token), _accounts[i], next[i]);
        }
        vm.prank(makeAddr("operator"));
        splitter.proposeRoot(Merkle.root(leaves), epoch, bytes32(uint256(epoch)));
        _granted[epoch] = next;
        _lastGranted = next;
        IRoyaltySplitter.PendingRoot[] memory pending = splitter.pendingRoots();
        _claimableAt[epoch] = pending[pending.length - 1].claimableAt;
        _checkQueueOrder(pending);
    }

    function wait(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 3 hours));
    }

    function accept() external {
        uint64 before = splitter.currentEpoch();
        try splitter.acceptRoot() {
            uint64 current = splitter.currentEpoch();
            if (current <= before) violation = "the current epoch did not increase";
            if (_claimableAt[current] > block.timestamp) violation = "a root became current before its delay passed";
            IRoyaltySplitter.PendingRoot[] memory pending = splitter.pendingRoots();
            if (pending.length > 0 && pending[0].claimableAt <= block.timestamp) {
                violation = "a ready root was left pending";
            }
            if (pending.length > 0 && pending[0].epoch <= current) violation = "an older root stayed behind";
        } catch {}
    }

    function veto(uint256 pick) external {
        _drop(pick, true);
    }

    function withdraw(uint256 pick) external {
        _drop(pick, false);
    }

    function setDelay(uint256 delay) external {
        vm.prank(makeAddr("admin"));
        splitter.setRootDelay(uint64(bound(delay, 0, 2 hours)));
    }

    function claim(uint256 pick) external {
        uint64 current = splitter.currentEpoch();
        if (current == 0) return;
        uint256 i = pick % ACCOUNTS;
        uint256 cumulative = _granted[current][i];
        if (cumulative <= splitter.claimed(_accounts[i], token)) return;
        bytes32[] memory leaves = new bytes32[](ACCOUNTS);
        for (uint256 j = 0; j < ACCOUNTS; ++j) {
            leaves[j] = Merkle.leaf(address(splitter), address(token), _accounts[j], _granted[current][j]);
        }
        splitter.claim(_accounts[i], token, cumulative, Merkle.proof(leaves, i));
    }

    function _drop(uint256 pick, bool asGuardian) internal {
        IRoyaltySplitter.PendingRoot[] memory pending = splitter.pendingRoots();
        if (pending.length == 0) return;
        uint256 from = pick % pending.length;
        vm.prank(makeAddr(asGuardian ? "guardian" : "operator"));
        if (asGuardian) splitter.vetoRoot(pending[from].epoch);
        else splitter.withdrawRoot(pending[from].epoch);
        for (uint256 i = from; i < pending.length; ++i) dropped.push(pending[i].epoch);
        IRoyaltySplitter.PendingRoot[] memory left = splitter.pendingRoots();
        if (left.length != from) violation = "a veto left a later root pending";
        // the next honest root builds on the last root still standing
        _lastGranted = from == 0 ? _granted[splitter.currentEpoch()] : _granted[pending[from - 1].epoch];
        _checkQueueOrder(left);
    }

    function _checkQueueOrder(IRoyaltySplitter.PendingRoot[] memory pending) internal {
        for (uint256 i = 0; i < pending.length; ++i) {
            if (i > 0 && pending[i].epoch <= pending[i - 1].epoch) violation = "pending epochs out of order";
            if (i > 0 && pending[i].claimableAt < pending[i - 1].claimableAt) violation = "a later root is ready sooner";
            if (pending[i].epoch <= splitter.currentEpoch()) violation = "a pending root is not newer than the current one";
        }
    }
}

contract RoyaltySplitterQueueInvariantTest is TestBase {
    RoyaltySplitter internal splitter;
    MockERC20 internal token;
    RootQueueHandler internal handler;
    address[] internal _targets;

    function setUp() public {
        vm.warp(1_700_000_000);
        splitter = new RoyaltySplitter(
            makeAddr("admin"),
            makeAddr("operator"),
            makeAddr("guardian"),
            makeAddr("treasury"),
            250,
            1 hours
        );
        token = new MockERC20("Test USD", "tUSD", 6);
        handler = new RootQueueHandler(splitter, token);
        _targets.push(address(handler));
    }

    /// @dev Read by the invariant fuzzer (forge-std StdInvariant's interface): only call the handler.
    function targetContracts() public view returns (address[] memory) {
        return _targets;
    }

    function invariant_QueueStepsKeepTheirPromises() public view {
        assertTrue(bytes(handler.violation()).length == 0, handler.violation());
    }

    function invariant_DroppedRootNeverPendingNorCurrent() public view {
        IRoyaltySplitter.PendingRoot[] memory pending = splitter.pendingRoots();
        uint64 current = splitter.currentEpoch();
        for (uint256 d = 0; d < handler.droppedCount(); ++d) {
            uint64 e = handler.dropped(d);
            assertTrue(e != current, "a dropped root became current");
            for (uint256 i = 0; i < pending.length; ++i) assertTrue(pending[i].epoch != e, "a dropped root is pending");
        }
    }

    function invariant_ClaimsNeverAboveTheCurrentRoot() public view {
        uint64 current = splitter.currentEpoch();
        uint256 sum;
        for (uint256 i = 0; i < 3; ++i) {
            uint256 c = splitter.claimed(handler.account(i), token);
            sum += c;
            assertLe(c, handler.granted(current, i), "claimed <= cumulative in the current root");
        }
        assertLe(splitter.totalClaimed(token), splitter.totalDeposited(token), "claimed <= deposited");
        assertEq(sum, splitter.totalClaimed(token), "sum of claims == total claimed");
    }

    function invariant_EpochsOrdered() public view {
        IRoyaltySplitter.PendingRoot[] memory pending = splitter.pendingRoots();
        uint64 last = splitter.lastProposedEpoch();
        assertLe(splitter.currentEpoch(), last, "current <= last proposed");
        // a dropped epoch stays spent, so the newest pending root may be older than the last proposed
        if (pending.length > 0) assertLe(pending[pending.length - 1].epoch, last, "pending <= last proposed");
    }
}
