// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {RoyaltySplitter} from "../src/RoyaltySplitter.sol";
import {IRoyaltySplitter} from "../src/interfaces/IRoyaltySplitter.sol";
import {MockERC20} from "../src/test/MockERC20.sol";
import {TestBase} from "./utils/TestBase.sol";
import {Merkle} from "./utils/Merkle.sol";

/// @notice Drives the splitter through random sequences of payments, honest roots, claims, fee
/// sweeps and malicious (over-allocating) roots, keeping ghost totals for the invariants.
contract SplitterHandler is TestBase {
    uint256 internal constant ACCOUNTS = 4;
    uint64 internal constant DELAY = 1 hours;

    RoyaltySplitter public immutable splitter;
    MockERC20 public immutable token;
    address[ACCOUNTS] internal _accounts;

    uint64 public epoch;
    uint256 public ghostPaid;
    uint256 public ghostPaidOut;
    /// cumulative amounts in the accepted root, and whether that root is honest (fully funded)
    uint256[ACCOUNTS] public rootCumulative;
    bool public rootHonest = true;
    /// set when a claim is refused for any reason other than a greedy root exceeding deposits
    bool public unexpectedClaimFailure;
    bytes32[] internal _leaves;
    /// roots the operator withdrew (built on payments a reorganisation removed): never current
    bytes32[] public withdrawnRoots;

    constructor(RoyaltySplitter splitter_, MockERC20 token_) {
        splitter = splitter_;
        token = token_;
        for (uint256 i = 0; i < ACCOUNTS; ++i) _accounts[i] = makeAddr(string(abi.encodePacked("contributor", i)));
    }

    function account(uint256 i) external view returns (address) {
        return _accounts[i];
    }

    function payRun(uint256 amount) external {
        amount = bound(amount, 1, 1e30);
        token.mint(address(this), amount);
        token.approve(address(splitter), amount);
        splitter.payRun(keccak256(abi.encode(ghostPaid)), token, amount);
        ghostPaid += amount;
    }

    /// An honest operator allocates at most what was deposited and not yet allocated.
    function postHonestRoot(uint256[ACCOUNTS] calldata weights) external {
        uint256 allocated;
        for (uint256 i = 0; i < ACCOUNTS; ++i) allocated += rootCumulative[i];
        uint256 deposited = splitter.totalDeposited(token);
        if (!rootHonest || deposited <= allocated) return;
        uint256 pool = deposited - allocated;
        uint256[ACCOUNTS] memory next;
        for (uint256 i = 0; i < ACCOUNTS; ++i) {
            uint256 share = (pool * bound(weights[i], 0, 100)) / (100 * ACCOUNTS);
            next[i] = rootCumulative[i] + share;
        }
        _post(next, true);
    }

    /// A compromised operator posts a root worth far more than was deposited; the guardian is asleep.
    function postGreedyRoot(uint256 factor) external {
        uint256[ACCOUNTS] memory next;
        uint256 deposited = splitter.totalDeposited(token);
        for (uint256 i = 0; i < ACCOUNTS; ++i) next[i] = rootCumulative[i] + deposited * bound(factor, 1, 5) + 1;
        _post(next, false);
    }

    /// The operator proposes a root over payments that a reorganisation then removes, and
    /// withdraws it; anyone then tries to accept it once its delay has passed.
    function proposeLostRootThenWithdraw(uint256 factor) external {
        bytes32 lost = keccak256(abi.encode("lost", epoch, factor));
        epoch += 1;
        vm.prank(makeAddr("operator"));
        splitter.proposeRoot(lost, epoch, bytes32(0));
        vm.prank(makeAddr("operator"));
        splitter.withdrawRoot(epoch);
        withdrawnRoots.push(lost);
        vm.warp(block.timestamp + DELAY);
        try splitter.acceptRoot() {} catch {}
    }

    function withdrawnCount() external view returns (uint256) {
        return withdrawnRoots.length;
    }

    function claim(uint256 seed) external {
        uint256 i = seed % ACCOUNTS;
        _claim(i);
    }

    function claimAll() external {
        for (uint256 i = 0; i < ACCOUNTS; ++i) _claim(i);
    }

    function sweepFees() external {
        if (splitter.totalFees(token) > splitter.feesSwept(token)) splitter.sweepFees(token);
    }

    function _claim(uint256 i) internal {
        uint256 cumulative = rootCumulative[i];
        if (_leaves.length == 0 || cumulative <= splitter.claimed(_accounts[i], token)) return;
        uint256 before = token.balanceOf(_accounts[i]);
        try splitter.claim(_accounts[i], token, cumulative, Merkle.proof(_leaves, i)) {
            ghostPaidOut += token.balanceOf(_accounts[i]) - before;
        } catch (bytes memory reason) {
            // Only a greedy root may be refused, and only for exceeding deposits.
            if (rootHonest || bytes4(reason) != IRoyaltySplitter.RoyaltySplitterClaimExceedsDeposits.selector) {
                unexpectedClaimFailure = true;
            }
        }
    }

    function _post(uint256[ACCOUNTS] memory next, bool honest) internal {
        delete _leaves;
        for (uint256 i = 0; i < ACCOUNTS; ++i) {
            _leaves.push(Merkle.leaf(address(splitter), address(token), _accounts[i], next[i]));
        }
        epoch += 1;
        vm.prank(makeAddr("operator"));
        splitter.proposeRoot(Merkle.root(_leaves), epoch, bytes32(0));
        vm.warp(block.timestamp + DELAY);
        splitter.acceptRoot();
        rootCumulative = next;
        rootHonest = honest;
    }
}

contract RoyaltySplitterInvariantTest is TestBase {
    RoyaltySplitter internal splitter;
    MockERC20 internal token;
    SplitterHandler internal handler;
    address[] internal _targets;

    function setUp() public {
        vm.warp(1_700_000_000);
        splitter = new RoyaltySplitter(admin, operator, guardian, treasury, 250, 1 hours);
        token = new MockERC20("Test USD", "tUSD", 6);
        handler = new SplitterHandler(splitter, token);
        _targets.push(address(handler));
    }

    /// @dev Read by the invariant fuzzer (forge-std StdInvariant's interface): only call the handler.
    function targetContracts() public view returns (address[] memory) {
        return _targets;
    }

    function invariant_ClaimedNeverExceedsDepositedNetOfFees() public view {
        IERC20 t = token;
        assertLe(splitter.totalClaimed(t), splitter.totalDeposited(t), "claimed <= deposited - fees");
        assertEq(splitter.totalDeposited(t) + splitter.totalFees(t), handler.ghostPaid(), "deposited + fees == paid");
        assertEq(splitter.totalClaimed(t), handler.ghostPaidOut(), "claimed == paid out");
    }

    function invariant_BalanceCoversEveryoneOwed() public view {
        IERC20 t = token;
        uint256 owed = splitter.totalDeposited(t) - splitter.totalClaimed(t) + splitter.totalFees(t) - splitter.feesSwept(t);
        assertEq(t.balanceOf(address(splitter)), owed, "balance == unclaimed + unswept fees");
    }

    function invariant_WithdrawnRootNeverBecomesCurrent() public view {
        bytes32 current = splitter.currentRoot();
        for (uint256 i = 0; i < handler.withdrawnCount(); ++i) {
            assertTrue(handler.withdrawnRoots(i) != current, "a withdrawn root became current");
        }
    }

    function invariant_ClaimsMatchAcceptedRoot() public view {
        uint256 sumClaimed;
        for (uint256 i = 0; i < 4; ++i) {
            address a = handler.account(i);
            uint256 c = splitter.claimed(a, token);
            sumClaimed += c;
            assertEq(token.balanceOf(a), c, "balance == claimed");
            // an honest root is always fully claimable, and no account ever claims beyond its leaf
            if (handler.rootHonest()) assertLe(c, handler.rootCumulative(i), "claimed <= cumulative in root");
        }
        assertEq(sumClaimed, splitter.totalClaimed(token), "sum of claims == total claimed");
        assertTrue(!handler.unexpectedClaimFailure(), "a claim was refused for the wrong reason");
    }

    /// After every account claimed against an honest root, the claims add up to exactly the root's
    /// cumulative amounts.
    function invariant_SumOfClaimsEqualsAcceptedRootAfterClaimAll() public {
        if (!handler.rootHonest()) return;
        handler.claimAll();
        uint256 sumClaimed;
        uint256 sumRoot;
        for (uint256 i = 0; i < 4; ++i) {
            sumClaimed += splitter.claimed(handler.account(i), token);
            sumRoot += handler.rootCumulative(i);
        }
        assertEq(sumClaimed, sumRoot, "sum of claims == sum of cumulative amounts in the accepted root");
    }
}
