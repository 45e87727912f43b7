// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {RoyaltySplitter} from "../src/RoyaltySplitter.sol";
import {UpstreamVotes} from "../src/governance/UpstreamVotes.sol";
import {IRoyaltySplitter} from "../src/interfaces/IRoyaltySplitter.sol";
import {IUpstreamVotes} from "../src/interfaces/IUpstreamVotes.sol";
import {MockERC20} from "../src/test/MockERC20.sol";
import {TestBase} from "./utils/TestBase.sol";
import {Merkle} from "./utils/Merkle.sol";

abstract contract VotesBase is TestBase {
    uint64 internal constant DELAY = 1 hours;
    uint256 internal constant CAP = 1_000e18;
    uint256 internal constant FOUNDING_MINT = 100e18;

    address internal timelock = makeAddr("timelock");
    address internal founder = makeAddr("founder");
    RoyaltySplitter internal splitter;
    UpstreamVotes internal votes;
    MockERC20 internal token;
    uint64 internal epoch;
    bytes32[] internal leaves;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        // The timelock stand-in holds the admin roles, as after deployUpstream.
        splitter = new RoyaltySplitter(timelock, operator, guardian, treasury, 250, DELAY);
        votes = new UpstreamVotes(IRoyaltySplitter(address(splitter)), timelock, founder, CAP, FOUNDING_MINT);
        token = new MockERC20("Test USD", "tUSD", 6);
    }

    /// Posts a root with one votes leaf per account (leaf i) and, if `amounts` is not empty, one
    /// token leaf per account after them (leaf accounts.length + i).
    function _post(address[] memory accounts, uint256[] memory votesOf, uint256[] memory amounts) internal {
        delete leaves;
        for (uint256 i = 0; i < accounts.length; ++i) {
            leaves.push(Merkle.leaf(address(splitter), address(votes), accounts[i], votesOf[i]));
        }
        for (uint256 i = 0; i < amounts.length; ++i) {
            leaves.push(Merkle.leaf(address(splitter), address(token), accounts[i], amounts[i]));
        }
        epoch += 1;
        vm.prank(operator);
        splitter.proposeRoot(Merkle.root(leaves), epoch, bytes32(0));
        vm.warp(block.timestamp + DELAY);
        splitter.acceptRoot();
    }

    function _one(address a, uint256 v) internal {
        address[] memory accounts = new address[](2);
        uint256[] memory votesOf = new uint256[](2);
        accounts[0] = a;
        votesOf[0] = v;
        accounts[1] = stranger; // a second leaf, so the tree has a real proof
        votesOf[1] = 1;
        _post(accounts, votesOf, new uint256[](0));
    }

    function _proof(uint256 i) internal view returns (bytes32[] memory) {
        return Merkle.proof(leaves, i);
    }
}

contract UpstreamVotesTest is VotesBase {
    // ------------------------------------------------------------------ earned votes

    function test_ClaimVotes_MintsCumulativeDifference() public {
        _one(alice, 30e18);
        assertEq(votes.claimVotes(alice, 30e18, _proof(0)), 30e18, "first claim mints all");
        assertEq(votes.balanceOf(alice), 30e18, "balance after first claim");
        _one(alice, 75e18);
        assertEq(votes.claimVotes(alice, 75e18, _proof(0)), 45e18, "second claim mints the difference");
        assertEq(votes.balanceOf(alice), 75e18, "balance after second claim");
        assertEq(votes.earnedClaimed(alice), 75e18, "earned claimed");
        assertEq(votes.totalEarnedMinted(), 75e18, "total earned minted");
        assertEq(votes.totalSupply(), FOUNDING_MINT + 75e18, "supply = founding + earned");
    }

    function test_ClaimVotes_AnyoneMayClaimForTheAccount() public {
        _one(alice, 5e18);
        vm.prank(bob);
        votes.claimVotes(alice, 5e18, _proof(0));
        assertEq(votes.balanceOf(alice), 5e18, "minted to the account, not the caller");
        assertEq(votes.balanceOf(bob), 0, "caller got nothing");
    }

    function test_ClaimVotes_Revert_whenDoubleClaim() public {
        _one(alice, 30e18);
        votes.claimVotes(alice, 30e18, _proof(0));
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesNothingToClaim.selector, alice, 30e18));
        votes.claimVotes(alice, 30e18, _proof(0));
    }

    function test_ClaimVotes_Revert_whenAmountOrAccountNotInLeaf() public {
        _one(alice, 30e18);
        bytes32[] memory proof = _proof(0);
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesInvalidProof.selector, alice, 31e18));
        votes.claimVotes(alice, 31e18, proof);
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesInvalidProof.selector, bob, 30e18));
        votes.claimVotes(bob, 30e18, proof);
    }

    function test_ClaimVotes_Revert_whenProofIsATokenLeaf() public {
        // The same account and amount as a token leaf is not a votes leaf.
        address[] memory accounts = new address[](2);
        accounts[0] = alice;
        accounts[1] = bob;
        uint256[] memory v = new uint256[](2);
        v[0] = 1;
        v[1] = 1;
        uint256[] memory amounts = new uint256[](2);
        amounts[0] = 50e18;
        amounts[1] = 1;
        _post(accounts, v, amounts);
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesInvalidProof.selector, alice, 50e18));
        votes.claimVotes(alice, 50e18, _proof(2));
    }

    function test_ClaimVotes_Revert_whenRootStillPending() public {
        delete leaves;
        leaves.push(Merkle.leaf(address(splitter), address(votes), alice, 9e18));
        leaves.push(Merkle.leaf(address(splitter), address(votes), bob, 1));
        vm.prank(operator);
        splitter.proposeRoot(Merkle.root(leaves), 1, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesInvalidProof.selector, alice, 9e18));
        votes.claimVotes(alice, 9e18, _proof(0));
        // vetoed by the guardian: never claimable
        vm.prank(guardian);
        splitter.vetoRoot(1);
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(IRoyaltySplitter.RoyaltySplitterNoPendingRoot.selector, 0));
        splitter.acceptRoot();
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesInvalidProof.selector, alice, 9e18));
        votes.claimVotes(alice, 9e18, _proof(0));
    }

    function test_ClaimVotes_Revert_whenSplitterPaused() public {
        _one(alice, 30e18);
        vm.prank(guardian);
        splitter.pause();
        vm.expectRevert(IUpstreamVotes.UpstreamVotesPaused.selector);
        votes.claimVotes(alice, 30e18, _proof(0));
    }

    function test_ClaimVotes_Revert_whenProofFromOtherChain() public {
        _one(alice, 30e18);
        bytes32[] memory proof = _proof(0);
        vm.chainId(999);
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesInvalidProof.selector, alice, 30e18));
        votes.claimVotes(alice, 30e18, proof);
    }

    function test_ClaimWithVotes_PaysTokensAndMintsVotesInOneCall() public {
        token.mint(lab, 1_000e6);
        vm.startPrank(lab);
        token.approve(address(splitter), 1_000e6);
        splitter.payRun(keccak256("run"), token, 1_000e6);
        vm.stopPrank();
        address[] memory accounts = new address[](2);
        accounts[0] = alice;
        accounts[1] = bob;
        uint256[] memory v = new uint256[](2);
        v[0] = 600e18;
        v[1] = 375e18;
        uint256[] memory amounts = new uint256[](2);
        amounts[0] = 600e6;
        amounts[1] = 375e6;
        _post(accounts, v, amounts);

        IERC20[] memory tokens = new IERC20[](1);
        tokens[0] = token;
        uint256[] memory cumulative = new uint256[](1);
        cumulative[0] = 600e6;
        bytes32[][] memory proofs = new bytes32[][](1);
        proofs[0] = _proof(2);
        (uint256[] memory payouts, uint256 minted) = votes.claimWithVotes(
            alice,
            tokens,
            cumulative,
            proofs,
            600e18,
            _proof(0)
        );
        assertEq(payouts[0], 600e6, "token payout");
        assertEq(token.balanceOf(alice), 600e6, "token balance");
        assertEq(minted, 600e18, "votes minted");
        assertEq(votes.balanceOf(alice), 600e18, "votes balance");

        // Votes already held are skipped, not refused: bob's claim with no new votes still pays.
        proofs[0] = _proof(3);
        cumulative[0] = 375e6;
        votes.claimVotes(bob, 375e18, _proof(1));
        (payouts, minted) = votes.claimWithVotes(bob, tokens, cumulative, proofs, 375e18, _proof(1));
        assertEq(payouts[0], 375e6, "bob's payout");
        assertEq(minted, 0, "nothing new to mint");
    }

    function test_Splitter_Revert_whenVotesLeafClaimedAsToken() public {
        _one(alice, 30e18);
        // The splitter cannot pay a votes leaf out: nothing was ever deposited in the votes token.
        vm.expectRevert(
            abi.encodeWithSelector(
                IRoyaltySplitter.RoyaltySplitterClaimExceedsDeposits.selector,
                address(votes),
                30e18,
                0
            )
        );
        splitter.claim(alice, IERC20(address(votes)), 30e18, _proof(0));
    }

    function test_PayRun_Revert_whenPaidInVotes() public {
        _one(alice, 30e18);
        votes.claimVotes(alice, 30e18, _proof(0));
        vm.startPrank(alice);
        votes.approve(address(splitter), 30e18);
        vm.expectRevert(IUpstreamVotes.UpstreamVotesNonTransferable.selector);
        splitter.payRun(keccak256("run"), IERC20(address(votes)), 30e18);
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ non-transferable

    function test_Transfer_Revert_always() public {
        _one(alice, 30e18);
        votes.claimVotes(alice, 30e18, _proof(0));
        vm.prank(alice);
        vm.expectRevert(IUpstreamVotes.UpstreamVotesNonTransferable.selector);
        votes.transfer(bob, 1);
        vm.prank(alice);
        votes.approve(bob, 30e18);
        vm.prank(bob);
        vm.expectRevert(IUpstreamVotes.UpstreamVotesNonTransferable.selector);
        votes.transferFrom(alice, bob, 30e18);
        assertEq(votes.balanceOf(alice), 30e18, "alice keeps her votes");
    }

    function testFuzz_Transfer_Revert(uint256 amount, address to) public {
        vm.assume(to != address(0));
        amount = bound(amount, 0, FOUNDING_MINT);
        vm.prank(founder);
        vm.expectRevert(IUpstreamVotes.UpstreamVotesNonTransferable.selector);
        votes.transfer(to, amount);
    }

    function test_Delegate_MovesVotingPowerNotBalance() public {
        _one(alice, 30e18);
        votes.claimVotes(alice, 30e18, _proof(0));
        vm.prank(alice);
        votes.delegate(bob);
        vm.roll(block.number + 1);
        assertEq(votes.getVotes(bob), 30e18, "bob votes with alice's power");
        assertEq(votes.balanceOf(bob), 0, "bob holds no votes");
    }

    // ------------------------------------------------------------------ founding allocation

    function test_Founding_MintedAtDeploymentWithinCap() public view {
        assertEq(votes.balanceOf(founder), FOUNDING_MINT, "founder's mint");
        assertEq(votes.foundingMinted(), FOUNDING_MINT, "founding minted");
        assertEq(votes.foundingAllocation(), CAP, "allocation starts at the cap");
        assertEq(votes.FOUNDING_CAP(), CAP, "cap");
    }

    function test_MintFounding_Revert_whenNotFounder() public {
        vm.prank(timelock);
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesUnauthorized.selector, timelock));
        votes.mintFounding(timelock, 1);
    }

    function test_MintFounding_Revert_whenPastAllocation() public {
        vm.prank(founder);
        votes.mintFounding(alice, CAP - FOUNDING_MINT);
        vm.prank(founder);
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesFoundingExceeded.selector, CAP + 1, CAP));
        votes.mintFounding(alice, 1);
    }

    function test_ShrinkFounding_StopsFurtherMints() public {
        vm.prank(timelock);
        votes.shrinkFoundingAllocation(150e18);
        vm.prank(founder);
        votes.mintFounding(alice, 50e18);
        vm.prank(founder);
        vm.expectRevert(
            abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesFoundingExceeded.selector, 150e18 + 1, 150e18)
        );
        votes.mintFounding(alice, 1);
    }

    function test_ShrinkFounding_Revert_whenGrowingOrBelowMintedOrNotGovernance() public {
        vm.prank(timelock);
        votes.shrinkFoundingAllocation(500e18);
        vm.prank(timelock);
        vm.expectRevert(
            abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesFoundingAllocationInvalid.selector, 501e18, 500e18, FOUNDING_MINT)
        );
        votes.shrinkFoundingAllocation(501e18);
        vm.prank(timelock);
        vm.expectRevert(
            abi.encodeWithSelector(
                IUpstreamVotes.UpstreamVotesFoundingAllocationInvalid.selector,
                FOUNDING_MINT - 1,
                500e18,
                FOUNDING_MINT
            )
        );
        votes.shrinkFoundingAllocation(FOUNDING_MINT - 1);
        vm.prank(founder);
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesUnauthorized.selector, founder));
        votes.shrinkFoundingAllocation(0);
    }

    function test_Constructor_Revert_whenFoundingMintAboveCap() public {
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesFoundingExceeded.selector, CAP + 1, CAP));
        new UpstreamVotes(IRoyaltySplitter(address(splitter)), timelock, founder, CAP, CAP + 1);
    }

    function testFuzz_Founding_NeverPastCap(uint256 shrinkTo, uint256 mint1, uint256 mint2) public {
        shrinkTo = bound(shrinkTo, FOUNDING_MINT, CAP);
        vm.prank(timelock);
        votes.shrinkFoundingAllocation(shrinkTo);
        mint1 = bound(mint1, 0, CAP * 2);
        mint2 = bound(mint2, 0, CAP * 2);
        vm.startPrank(founder);
        try votes.mintFounding(alice, mint1) {} catch {}
        try votes.mintFounding(bob, mint2) {} catch {}
        vm.stopPrank();
        assertLe(votes.foundingMinted(), shrinkTo, "founding minted <= allocation");
        assertLe(votes.foundingAllocation(), CAP, "allocation <= cap");
        assertEq(votes.totalSupply(), votes.foundingMinted(), "supply is founding only");
    }

    // ------------------------------------------------------------------ guardian

    function test_Guardian_Revert_whenGrantingItselfARole() public {
        bytes32 adminRole = splitter.DEFAULT_ADMIN_ROLE();
        bytes32 paramsRole = splitter.PARAMS_ROLE();
        bytes32[4] memory roles = [adminRole, paramsRole, splitter.OPERATOR_ROLE(), splitter.GUARDIAN_ROLE()];
        for (uint256 i = 0; i < roles.length; ++i) {
            vm.prank(guardian);
            vm.expectRevert(
                abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, adminRole)
            );
            splitter.grantRole(roles[i], guardian);
        }
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, paramsRole)
        );
        splitter.setFeeBps(1_000);
        // nor a founding vote, nor a shrink of the allocation
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesUnauthorized.selector, guardian));
        votes.mintFounding(guardian, 1);
    }

    function test_Guardian_CannotBlockItsReplacement() public {
        address next = makeAddr("next guardian");
        // Even with the splitter paused, governance swaps the guardian, and the old one loses its power.
        bytes32 guardianRole = splitter.GUARDIAN_ROLE();
        vm.prank(guardian);
        splitter.pause();
        vm.startPrank(timelock);
        splitter.grantRole(guardianRole, next);
        splitter.revokeRole(guardianRole, guardian);
        vm.stopPrank();
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, guardianRole)
        );
        splitter.unpause();
        vm.prank(next);
        splitter.unpause();
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_ClaimVotes_CumulativeAcrossEpochs(uint96 first, uint96 second) public {
        vm.assume(first > 0);
        _one(alice, first);
        votes.claimVotes(alice, first, _proof(0));
        _one(alice, second);
        if (second <= first) {
            vm.expectRevert(abi.encodeWithSelector(IUpstreamVotes.UpstreamVotesNothingToClaim.selector, alice, second));
            votes.claimVotes(alice, second, _proof(0));
            assertEq(votes.balanceOf(alice), first, "a lower leaf mints nothing");
        } else {
            assertEq(votes.claimVotes(alice, second, _proof(0)), uint256(second) - first, "mints the difference");
            assertEq(votes.balanceOf(alice), second, "holds the leaf's votes");
        }
    }
}

/// @notice Posts roots of random cumulative votes (sometimes lower than before) and claims at
/// random, keeping the highest votes each account ever had in an accepted root.
contract VotesHandler is TestBase {
    uint256 internal constant ACCOUNTS = 4;
    uint64 internal constant DELAY = 1 hours;

    RoyaltySplitter public immutable splitter;
    UpstreamVotes public immutable votes;
    address[ACCOUNTS] internal _accounts;
    uint64 internal _epoch;
    uint256[ACCOUNTS] public inRoot;
    uint256[ACCOUNTS] public maxInAcceptedRoots;
    bytes32[] internal _leaves;

    constructor(RoyaltySplitter splitter_, UpstreamVotes votes_) {
        splitter = splitter_;
        votes = votes_;
        for (uint256 i = 0; i < ACCOUNTS; ++i) _accounts[i] = makeAddr(string(abi.encodePacked("voter", i)));
    }

    function account(uint256 i) external view returns (address) {
        return _accounts[i];
    }

    function postRoot(uint256[ACCOUNTS] calldata raw) external {
        delete _leaves;
        uint256[ACCOUNTS] memory next;
        for (uint256 i = 0; i < ACCOUNTS; ++i) {
            next[i] = bound(raw[i], 0, 1e30);
            _leaves.push(Merkle.leaf(address(splitter), address(votes), _accounts[i], next[i]));
            if (next[i] > maxInAcceptedRoots[i]) maxInAcceptedRoots[i] = next[i];
        }
        _epoch += 1;
        vm.prank(makeAddr("operator"));
        splitter.proposeRoot(Merkle.root(_leaves), _epoch, bytes32(0));
        vm.warp(block.timestamp + DELAY);
        splitter.acceptRoot();
        inRoot = next;
    }

    function proposeAndVeto(uint256 v) external {
        bytes32[] memory l = new bytes32[](2);
        l[0] = Merkle.leaf(address(splitter), address(votes), _accounts[0], bound(v, 1, 1e30));
        l[1] = Merkle.leaf(address(splitter), address(votes), _accounts[1], 1);
        _epoch += 1;
        vm.prank(makeAddr("operator"));
        splitter.proposeRoot(Merkle.root(l), _epoch, bytes32(0));
        vm.prank(makeAddr("guardian"));
        splitter.vetoRoot(_epoch);
    }

    function claim(uint256 seed, uint256 claimed) external {
        uint256 i = seed % ACCOUNTS;
        if (_leaves.length == 0) return;
        // Usually the leaf's amount, sometimes a forged one: only the leaf's may ever mint.
        uint256 amount = seed % 3 == 0 ? bound(claimed, 0, 2e30) : inRoot[i];
        try votes.claimVotes(_accounts[i], amount, Merkle.proof(_leaves, i)) {} catch {}
    }

    function tryTransfer(uint256 seed, uint256 amount) external {
        address from = _accounts[seed % ACCOUNTS];
        vm.prank(from);
        try votes.transfer(_accounts[(seed + 1) % ACCOUNTS], amount) {} catch {}
    }
}

contract UpstreamVotesInvariantTest is TestBase {
    RoyaltySplitter internal splitter;
    UpstreamVotes internal votes;
    VotesHandler internal handler;
    address[] internal _targets;

    function setUp() public {
        vm.warp(1_700_000_000);
        splitter = new RoyaltySplitter(admin, operator, guardian, treasury, 250, 1 hours);
        votes = new UpstreamVotes(IRoyaltySplitter(address(splitter)), admin, admin, 0, 0);
        handler = new VotesHandler(splitter, votes);
        _targets.push(address(handler));
    }

    /// @dev Read by the invariant fuzzer (forge-std StdInvariant's interface): only call the handler.
    function targetContracts() public view returns (address[] memory) {
        return _targets;
    }

    function invariant_VotesMintedNeverExceedVotesInAcceptedRoots() public view {
        uint256 minted;
        uint256 inRoots;
        for (uint256 i = 0; i < 4; ++i) {
            address a = handler.account(i);
            uint256 claimed = votes.earnedClaimed(a);
            assertLe(claimed, handler.maxInAcceptedRoots(i), "account minted beyond its leaves");
            assertEq(votes.balanceOf(a), claimed, "balance == earned claimed (nothing transferred)");
            minted += claimed;
            inRoots += handler.maxInAcceptedRoots(i);
        }
        assertEq(votes.totalEarnedMinted(), minted, "total earned == sum of accounts");
        assertLe(votes.totalEarnedMinted(), inRoots, "total minted <= votes in accepted roots");
        assertEq(votes.totalSupply(), votes.totalEarnedMinted() + votes.foundingMinted(), "supply == earned + founding");
    }
}
