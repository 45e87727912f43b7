// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ProvenanceRegistry} from "../src/ProvenanceRegistry.sol";
import {TestBase} from "./utils/TestBase.sol";

contract ProvenanceRegistryTest is TestBase {
    ProvenanceRegistry internal registry;

    function setUp() public {
        vm.warp(1_700_000_000);
        registry = new ProvenanceRegistry(admin, operator);
    }

    function test_Anchor_StoresBlockTime() public {
        vm.expectEmit();
        emit ProvenanceRegistry.Anchored(keccak256("b1"), 0, 10, "ipfs://b1", 1_700_000_000);
        vm.prank(operator);
        registry.anchor(0, keccak256("b1"), 10, "ipfs://b1");
        assertEq(registry.anchoredAt(keccak256("b1")), 1_700_000_000, "anchoredAt");
    }

    function test_Anchor_TakedownsAreAKind() public {
        uint8 takedowns = registry.KIND_TAKEDOWNS();
        assertEq(takedowns, 2, "KIND_TAKEDOWNS");
        vm.expectEmit();
        emit ProvenanceRegistry.Anchored(keccak256("t1"), 2, 3, "", 1_700_000_000);
        vm.prank(operator);
        registry.anchor(takedowns, keccak256("t1"), 3, "");
        ProvenanceRegistry.Anchor memory a = registry.anchorOf(keccak256("t1"));
        assertEq(a.kind, 2, "kind");
        assertEq(a.count, 3, "count");
    }

    function testFuzz_Anchor_AnyRootOnce(bytes32 root, uint64 count, uint8 kindSeed) public {
        vm.assume(root != bytes32(0));
        uint8 kind = kindSeed % 3;
        vm.prank(operator);
        registry.anchor(kind, root, count, "");
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(ProvenanceRegistry.ProvenanceRegistryAlreadyAnchored.selector, root, 1_700_000_000)
        );
        registry.anchor(kind, root, count, "");
    }

    function test_Anchor_Revert_whenUnknownKind() public {
        vm.prank(operator);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceRegistry.ProvenanceRegistryUnknownKind.selector, 3));
        registry.anchor(3, keccak256("x"), 1, "");
    }

    function test_Anchor_Revert_whenNotAnchorer() public {
        bytes32 role = registry.ANCHORER_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role)
        );
        registry.anchor(0, keccak256("x"), 1, "");
    }
}
