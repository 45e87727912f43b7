// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {LicenseTemplateRegistry} from "../src/governance/LicenseTemplateRegistry.sol";
import {ILicenseTemplateRegistry} from "../src/interfaces/ILicenseTemplateRegistry.sol";
import {TestBase} from "./utils/TestBase.sol";

contract LicenseTemplateRegistryTest is TestBase {
    LicenseTemplateRegistry internal registry;
    /// @dev `admin` stands for the timelock.
    bytes32 internal constant RESEARCH = keccak256('{"commercial":false,"template":"research-only"}');

    function setUp() public {
        registry = new LicenseTemplateRegistry(admin);
    }

    function test_AddTemplate_ApprovesAndEmits() public {
        vm.expectEmit();
        emit ILicenseTemplateRegistry.LicenseTemplateAdded(RESEARCH, "https://example.org/research-only");
        vm.prank(admin);
        registry.addTemplate(RESEARCH, "https://example.org/research-only");
        assertTrue(registry.isApproved(RESEARCH), "approved");
    }

    function test_RemoveTemplate_WithdrawsAndEmits() public {
        vm.prank(admin);
        registry.addTemplate(RESEARCH, "");
        vm.expectEmit();
        emit ILicenseTemplateRegistry.LicenseTemplateRemoved(RESEARCH);
        vm.prank(admin);
        registry.removeTemplate(RESEARCH);
        assertTrue(!registry.isApproved(RESEARCH), "no longer approved");
    }

    function testFuzz_AddRemove_ApprovedIffLastActionWasAdd(bytes32 id, bool removeAfter) public {
        vm.assume(id != bytes32(0));
        vm.prank(admin);
        registry.addTemplate(id, "");
        if (removeAfter) {
            vm.prank(admin);
            registry.removeTemplate(id);
        }
        assertTrue(registry.isApproved(id) == !removeAfter, "approval follows the last action");
        assertTrue(!registry.isApproved(keccak256(abi.encode(id))), "another id stays unapproved");
    }

    function test_AddTemplate_Revert_whenZeroId() public {
        vm.prank(admin);
        vm.expectRevert(ILicenseTemplateRegistry.LicenseTemplateRegistryZeroId.selector);
        registry.addTemplate(bytes32(0), "");
    }

    function test_AddTemplate_Revert_whenApprovedAlready() public {
        vm.prank(admin);
        registry.addTemplate(RESEARCH, "");
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(ILicenseTemplateRegistry.LicenseTemplateRegistryAlreadyApproved.selector, RESEARCH)
        );
        registry.addTemplate(RESEARCH, "");
    }

    function test_RemoveTemplate_Revert_whenNotApproved() public {
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(ILicenseTemplateRegistry.LicenseTemplateRegistryNotApproved.selector, RESEARCH)
        );
        registry.removeTemplate(RESEARCH);
    }

    function test_AddTemplate_Revert_whenNotGovernance() public {
        vm.prank(operator);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, operator, bytes32(0))
        );
        registry.addTemplate(RESEARCH, "");
    }

    function test_RemoveTemplate_Revert_whenNotGovernance() public {
        vm.prank(admin);
        registry.addTemplate(RESEARCH, "");
        vm.prank(guardian);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, guardian, bytes32(0))
        );
        registry.removeTemplate(RESEARCH);
    }

    function test_Constructor_Revert_whenZeroAdmin() public {
        vm.expectRevert(ILicenseTemplateRegistry.LicenseTemplateRegistryZeroAddress.selector);
        new LicenseTemplateRegistry(address(0));
    }
}
