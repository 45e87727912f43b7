// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {DisputeBonds} from "../src/DisputeBonds.sol";
import {RoyaltySplitter} from "../src/RoyaltySplitter.sol";
import {IDisputeBonds} from "../src/interfaces/IDisputeBonds.sol";
import {IRoyaltySplitter} from "../src/interfaces/IRoyaltySplitter.sol";
import {FeeOnTransferToken} from "../src/test/FeeOnTransferToken.sol";
import {MockERC20} from "../src/test/MockERC20.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Shared actors and helpers: `alice` disputes, `arbiter` resolves, `bob` is a rightful owner.
abstract contract DisputeBondsBase is TestBase {
    uint16 internal constant FEE_BPS = 250;
    uint64 internal constant TIMEOUT = 7 days;
    uint256 internal constant MIN_BOND = 100e6;
    bytes32 internal constant DATASET = keccak256("dataset");

    address internal arbiter = makeAddr("arbiter");
    RoyaltySplitter internal splitter;
    DisputeBonds internal bonds;
    MockERC20 internal token;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        splitter = new RoyaltySplitter(admin, operator, guardian, treasury, FEE_BPS, 1 days);
        bonds = new DisputeBonds(admin, IRoyaltySplitter(address(splitter)), TIMEOUT);
        token = new MockERC20("Test USD", "tUSD", 6);
        vm.startPrank(admin);
        bonds.setBondToken(token, true, MIN_BOND);
        bonds.grantRole(bonds.ARBITER_ROLE(), arbiter);
        vm.stopPrank();
    }

    function _owners(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    function _whole() internal pure returns (uint16[] memory bps) {
        bps = new uint16[](1);
        bps[0] = 10_000;
    }

    function _request(bytes32 datasetId, uint256 bond) internal view returns (IDisputeBonds.OpenRequest memory) {
        return
            IDisputeBonds.OpenRequest({
                datasetId: datasetId,
                label: IDisputeBonds.Label.Infringement,
                evidenceHash: keccak256("evidence"),
                evidenceUri: "ipfs://evidence",
                claimedOwners: _owners(bob),
                token: token,
                bond: bond
            });
    }

    function _open(address who, bytes32 datasetId, uint256 bond) internal returns (uint256 id) {
        token.mint(who, bond);
        vm.startPrank(who);
        token.approve(address(bonds), bond);
        id = bonds.open(_request(datasetId, bond));
        vm.stopPrank();
    }
}

contract DisputeBondsTest is DisputeBondsBase {
    function test_Open_PullsTheBondAndRecordsTheDispute() public {
        token.mint(alice, MIN_BOND);
        vm.prank(alice);
        token.approve(address(bonds), MIN_BOND);
        vm.expectEmit();
        emit IDisputeBonds.DisputeOpened(
            1,
            DATASET,
            alice,
            IDisputeBonds.Label.Infringement,
            address(token),
            MIN_BOND,
            keccak256("evidence"),
            "ipfs://evidence",
            _owners(bob)
        );
        vm.prank(alice);
        uint256 id = bonds.open(_request(DATASET, MIN_BOND));
        assertEq(id, 1, "first id");
        assertEq(token.balanceOf(address(bonds)), MIN_BOND, "bond held");
        assertEq(bonds.bondsHeld(token), MIN_BOND, "bondsHeld");
        assertEq(bonds.openDisputeOf(DATASET), 1, "open dispute of the dataset");
        IDisputeBonds.Dispute memory d = bonds.dispute(1);
        assertEq(d.disputer, alice, "disputer");
        assertTrue(d.status == IDisputeBonds.Status.Open, "status");
        assertEq(uint256(d.openedAt), block.timestamp, "openedAt");
    }

    function test_Open_Revert_whenTokenNotAllowed() public {
        vm.prank(admin);
        bonds.setBondToken(token, false, MIN_BOND);
        token.mint(alice, MIN_BOND);
        vm.startPrank(alice);
        token.approve(address(bonds), MIN_BOND);
        vm.expectRevert(abi.encodeWithSelector(IDisputeBonds.DisputeBondsTokenNotAllowed.selector, address(token)));
        bonds.open(_request(DATASET, MIN_BOND));
        vm.stopPrank();
    }

    function test_Open_Revert_whenBondBelowMinimum() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDisputeBonds.DisputeBondsBondTooLow.selector, MIN_BOND - 1, MIN_BOND));
        bonds.open(_request(DATASET, MIN_BOND - 1));
    }

    function test_Open_Revert_whenDatasetAlreadyDisputed() public {
        _open(alice, DATASET, MIN_BOND);
        token.mint(carol, MIN_BOND);
        vm.startPrank(carol);
        token.approve(address(bonds), MIN_BOND);
        vm.expectRevert(abi.encodeWithSelector(IDisputeBonds.DisputeBondsAlreadyDisputed.selector, DATASET, 1));
        bonds.open(_request(DATASET, MIN_BOND));
        vm.stopPrank();
    }

    function test_Open_Revert_whenNoClaimedOwners() public {
        IDisputeBonds.OpenRequest memory r = _request(DATASET, MIN_BOND);
        r.claimedOwners = new address[](0);
        vm.prank(alice);
        vm.expectRevert(IDisputeBonds.DisputeBondsInvalidOwners.selector);
        bonds.open(r);
    }

    function test_Open_Revert_whenFeeOnTransferToken() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        vm.prank(admin);
        bonds.setBondToken(IERC20(address(fot)), true, 1);
        fot.mint(alice, 1_000);
        IDisputeBonds.OpenRequest memory r = _request(DATASET, 1_000);
        r.token = IERC20(address(fot));
        vm.startPrank(alice);
        fot.approve(address(bonds), 1_000);
        vm.expectRevert();
        bonds.open(r);
        vm.stopPrank();
    }

    function test_Uphold_ReturnsTheBondAndDelistsTheDataset() public {
        uint256 id = _open(alice, DATASET, MIN_BOND);
        vm.expectEmit();
        emit IDisputeBonds.DisputeResolved(id, DATASET, true, arbiter, _owners(bob), _whole(), bytes32(0));
        vm.prank(arbiter);
        bonds.uphold(id, _owners(bob), _whole());
        assertEq(token.balanceOf(alice), MIN_BOND, "bond back to the disputer");
        assertEq(bonds.bondsHeld(token), 0, "nothing held");
        assertEq(bonds.openDisputeOf(DATASET), 0, "no open dispute");
        assertTrue(bonds.isDelisted(DATASET), "delisted");
        assertTrue(bonds.dispute(id).status == IDisputeBonds.Status.Upheld, "status");
    }

    function test_Open_Revert_whenDatasetDelisted() public {
        uint256 id = _open(alice, DATASET, MIN_BOND);
        vm.prank(arbiter);
        bonds.uphold(id, _owners(bob), _whole());
        token.mint(carol, MIN_BOND);
        vm.startPrank(carol);
        token.approve(address(bonds), MIN_BOND);
        vm.expectRevert(abi.encodeWithSelector(IDisputeBonds.DisputeBondsDatasetDelisted.selector, DATASET));
        bonds.open(_request(DATASET, MIN_BOND));
        vm.stopPrank();
    }

    function test_Uphold_Revert_whenSharesNotWhole() public {
        uint256 id = _open(alice, DATASET, MIN_BOND);
        uint16[] memory bps = new uint16[](1);
        bps[0] = 9_999;
        vm.prank(arbiter);
        vm.expectRevert(abi.encodeWithSelector(IDisputeBonds.DisputeBondsSharesNotWhole.selector, 9_999));
        bonds.uphold(id, _owners(bob), bps);
    }

    function test_Uphold_Revert_whenAnOwnerIsNamedTwice() public {
        uint256 id = _open(alice, DATASET, MIN_BOND);
        address[] memory owners = new address[](3);
        owners[0] = bob;
        owners[1] = carol;
        owners[2] = bob;
        uint16[] memory bps = new uint16[](3);
        bps[0] = 5_000;
        bps[1] = 2_500;
        bps[2] = 2_500;
        vm.prank(arbiter);
        vm.expectRevert(IDisputeBonds.DisputeBondsInvalidOwners.selector);
        bonds.uphold(id, owners, bps);
    }

    function test_Open_Revert_whenAClaimedOwnerIsNamedTwice() public {
        IDisputeBonds.OpenRequest memory r = _request(DATASET, MIN_BOND);
        r.claimedOwners = new address[](2);
        r.claimedOwners[0] = carol;
        r.claimedOwners[1] = carol;
        vm.prank(alice);
        vm.expectRevert(IDisputeBonds.DisputeBondsInvalidOwners.selector);
        bonds.open(r);
    }

    function test_Uphold_Revert_whenCallerNotArbiter() public {
        uint256 id = _open(alice, DATASET, MIN_BOND);
        bytes32 role = bonds.ARBITER_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role)
        );
        bonds.uphold(id, _owners(bob), _whole());
    }

    function test_Reject_PaysTheBondIntoTheSplitterUnderItsRunId() public {
        uint256 id = _open(alice, DATASET, MIN_BOND);
        bytes32 runId = bonds.bondRunId(id);
        uint256 fee = (MIN_BOND * FEE_BPS) / 10_000;
        vm.expectEmit();
        emit IRoyaltySplitter.RunPaid(runId, address(token), address(bonds), MIN_BOND, fee, MIN_BOND - fee);
        vm.prank(arbiter);
        bonds.reject(id);
        assertEq(token.balanceOf(address(splitter)), MIN_BOND, "bond in the splitter");
        assertEq(splitter.totalFees(token), fee, "protocol share");
        assertEq(token.balanceOf(address(bonds)), 0, "nothing left here");
        assertTrue(!bonds.isDelisted(DATASET), "not delisted");
        assertTrue(bonds.dispute(id).status == IDisputeBonds.Status.Rejected, "status");
    }

    function test_Reject_Revert_whenResolvedTwice() public {
        uint256 id = _open(alice, DATASET, MIN_BOND);
        vm.startPrank(arbiter);
        bonds.reject(id);
        vm.expectRevert(abi.encodeWithSelector(IDisputeBonds.DisputeBondsNotOpen.selector, id));
        bonds.uphold(id, _owners(bob), _whole());
        vm.stopPrank();
    }

    function test_CloseExpired_Revert_whenTimeoutNotPassed() public {
        uint256 id = _open(alice, DATASET, MIN_BOND);
        vm.warp(block.timestamp + TIMEOUT - 1);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeBonds.DisputeBondsNotExpired.selector, id, uint64(1_700_000_000) + TIMEOUT)
        );
        bonds.closeExpired(id);
    }

    function test_CloseExpired_RejectsForAnyoneAfterTheTimeout() public {
        uint256 id = _open(alice, DATASET, MIN_BOND);
        vm.warp(block.timestamp + TIMEOUT);
        vm.prank(stranger);
        bonds.closeExpired(id);
        assertTrue(bonds.dispute(id).status == IDisputeBonds.Status.Rejected, "rejected");
        assertEq(token.balanceOf(address(splitter)), MIN_BOND, "bond in the splitter");
        // A new dispute may be opened once the first one is closed.
        assertEq(_open(carol, DATASET, MIN_BOND), 2, "second dispute");
    }

    function test_SetDisputeTimeout_Revert_whenOutOfRange() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(IDisputeBonds.DisputeBondsTimeoutOutOfRange.selector, uint64(59 minutes)));
        bonds.setDisputeTimeout(59 minutes);
        bonds.setDisputeTimeout(1 hours);
        vm.stopPrank();
        assertEq(bonds.disputeTimeout(), 1 hours, "timeout");
    }

    function test_SetBondToken_Revert_whenCallerNotParams() public {
        bytes32 role = bonds.PARAMS_ROLE();
        vm.prank(arbiter);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, arbiter, role));
        bonds.setBondToken(token, true, 1);
    }

    function testFuzz_ResolutionPaysOutExactlyTheBond(uint256 bond, bool upheld, uint16 split) public {
        bond = bound(bond, MIN_BOND, 1e30);
        split = uint16(bound(split, 1, 9_999));
        uint256 id = _open(alice, DATASET, bond);
        address[] memory owners = new address[](2);
        owners[0] = bob;
        owners[1] = carol;
        uint16[] memory bps = new uint16[](2);
        bps[0] = split;
        bps[1] = 10_000 - split;
        vm.prank(arbiter);
        if (upheld) bonds.uphold(id, owners, bps);
        else bonds.reject(id);
        assertEq(token.balanceOf(address(bonds)), 0, "nothing stays in DisputeBonds");
        assertEq(token.balanceOf(alice) + token.balanceOf(address(splitter)), bond, "bond paid out exactly once");
        assertEq(bonds.bondsHeld(token), 0, "bondsHeld");
    }
}
