// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ILicenseTemplateRegistry} from "../interfaces/ILicenseTemplateRegistry.sol";

/// @title LicenseTemplateRegistry
/// @notice The on-chain list of license templates governance has approved. Only the admin (the
/// timelock, so only a passed proposal) adds or removes one; the indexer follows the events.
contract LicenseTemplateRegistry is AccessControl, ILicenseTemplateRegistry {
    mapping(bytes32 templateId => bool) private _approved;

    /// @notice Deploys the registry governed by `admin`.
    /// @param admin Receives DEFAULT_ADMIN_ROLE: the timelock.
    constructor(address admin) {
        if (admin == address(0)) revert LicenseTemplateRegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc ILicenseTemplateRegistry
    function addTemplate(bytes32 templateId, string calldata uri) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (templateId == bytes32(0)) revert LicenseTemplateRegistryZeroId();
        if (_approved[templateId]) revert LicenseTemplateRegistryAlreadyApproved(templateId);
        _approved[templateId] = true;
        emit LicenseTemplateAdded(templateId, uri);
    }

    /// @inheritdoc ILicenseTemplateRegistry
    function removeTemplate(bytes32 templateId) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_approved[templateId]) revert LicenseTemplateRegistryNotApproved(templateId);
        delete _approved[templateId];
        emit LicenseTemplateRemoved(templateId);
    }

    /// @inheritdoc ILicenseTemplateRegistry
    function isApproved(bytes32 templateId) external view returns (bool approved) {
        return _approved[templateId];
    }
}
