// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {DisputeBonds} from "../src/DisputeBonds.sol";
import {IDisputeBonds} from "../src/interfaces/IDisputeBonds.sol";
import {IRoyaltySplitter} from "../src/interfaces/IRoyaltySplitter.sol";
import {RoyaltySplitter} from "../src/RoyaltySplitter.sol";
import {MockERC20} from "../src/test/MockERC20.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Opens, upholds, rejects and times out disputes over a few datasets at random, keeping ghost
/// totals: bonds posted, bonds returned to disputers, bonds paid into the splitter, resolutions seen.
contract DisputeHandler is TestBase {
    uint256 internal constant DATASETS = 3;

    DisputeBonds public immutable bonds;
    MockERC20 public immutable token;
    address public immutable arbiter;

    uint256 public ghostPosted;
    uint256 public ghostReturned;
    uint256 public ghostToSplitter;
    /// set if any dispute was resolved a second time
    bool public resolvedTwice;
    mapping(uint256 disputeId => uint256) public resolutions;

    constructor(DisputeBonds bonds_, MockERC20 token_, address arbiter_) {
        bonds = bonds_;
        token = token_;
        arbiter = arbiter_;
    }

    function open(uint256 dataset, uint256 bond) external {
        bytes32 datasetId = keccak256(abi.encode(bound(dataset, 0, DATASETS - 1)));
        if (bonds.openDisputeOf(datasetId) != 0 || bonds.isDelisted(datasetId)) return;
        bond = bound(bond, 1, 1e30);
        token.mint(address(this), bond);
        token.approve(address(bonds), bond);
        address[] memory owners = new address[](1);
        owners[0] = alice;
        bonds.open(
            IDisputeBonds.OpenRequest({
                datasetId: datasetId,
                label: IDisputeBonds.Label.ImproperRegistration,
                evidenceHash: bytes32(bond),
                evidenceUri: "",
                claimedOwners: owners,
                token: token,
                bond: bond
            })
        );
        ghostPosted += bond;
    }

    function uphold(uint256 seed) external {
        uint256 id = _pick(seed);
        if (id == 0) return;
        address[] memory owners = new address[](1);
        owners[0] = alice;
        uint16[] memory bps = new uint16[](1);
        bps[0] = 10_000;
        uint256 bond = bonds.dispute(id).bond;
        vm.prank(arbiter);
        try bonds.uphold(id, owners, bps) {
            _resolved(id);
            ghostReturned += bond;
        } catch {}
    }

    function reject(uint256 seed) external {
        uint256 id = _pick(seed);
        if (id == 0) return;
        uint256 bond = bonds.dispute(id).bond;
        vm.prank(arbiter);
        try bonds.reject(id) {
            _resolved(id);
            ghostToSplitter += bond;
        } catch {}
    }

    function closeExpired(uint256 seed, uint256 wait) external {
        vm.warp(block.timestamp + bound(wait, 0, 10 days));
        uint256 id = _pick(seed);
        if (id == 0) return;
        uint256 bond = bonds.dispute(id).bond;
        try bonds.closeExpired(id) {
            _resolved(id);
            ghostToSplitter += bond;
        } catch {}
    }

    /// Any dispute id, resolved or not: resolving a closed one must fail.
    function _pick(uint256 seed) internal view returns (uint256) {
        uint256 count = bonds.disputeCount();
        return count == 0 ? 0 : bound(seed, 1, count);
    }

    function _resolved(uint256 id) internal {
        if (++resolutions[id] > 1) resolvedTwice = true;
    }
}

contract DisputeBondsInvariantTest is TestBase {
    DisputeBonds internal bonds;
    MockERC20 internal token;
    RoyaltySplitter internal splitter;
    DisputeHandler internal handler;
    address[] internal _targets;

    function setUp() public {
        vm.warp(1_700_000_000);
        address arbiter = makeAddr("arbiter");
        splitter = new RoyaltySplitter(admin, operator, guardian, treasury, 250, 1 days);
        bonds = new DisputeBonds(admin, IRoyaltySplitter(address(splitter)), 7 days);
        token = new MockERC20("Test USD", "tUSD", 6);
        vm.startPrank(admin);
        bonds.setBondToken(token, true, 1);
        bonds.grantRole(bonds.ARBITER_ROLE(), arbiter);
        vm.stopPrank();
        handler = new DisputeHandler(bonds, token, arbiter);
        _targets.push(address(handler));
    }

    /// @dev Read by the invariant fuzzer (forge-std StdInvariant's interface): only call the handler.
    function targetContracts() public view returns (address[] memory) {
        return _targets;
    }

    function invariant_BondsHeldEqualBondsOfOpenDisputes() public view {
        uint256 open;
        uint256 count = bonds.disputeCount();
        for (uint256 id = 1; id <= count; ++id) {
            IDisputeBonds.Dispute memory d = bonds.dispute(id);
            if (d.status == IDisputeBonds.Status.Open) open += d.bond;
        }
        assertEq(bonds.bondsHeld(token), open, "bondsHeld == bonds of open disputes");
        assertEq(token.balanceOf(address(bonds)), open, "balance == bonds of open disputes");
    }

    function invariant_EveryBondIsHeldOrPaidOutOnce() public view {
        assertEq(
            handler.ghostPosted(),
            bonds.bondsHeld(token) + handler.ghostReturned() + handler.ghostToSplitter(),
            "posted == held + returned + paid into the splitter"
        );
        assertEq(token.balanceOf(address(splitter)), handler.ghostToSplitter(), "splitter got the rejected bonds");
    }

    function invariant_NoDisputeResolvedTwice() public view {
        assertTrue(!handler.resolvedTwice(), "a dispute was resolved twice");
    }
}
