// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ILicenseTemplateRegistry
/// @notice The license templates governance has approved: the events, errors and functions of
/// LicenseTemplateRegistry. A template's id is the keccak256 of its canonical terms document, the
/// same `termsHash` a dataset's license carries, so "are these terms approved" is one lookup.
interface ILicenseTemplateRegistry {
    /// @notice Governance approved the template `templateId`, whose terms are published at `uri`.
    /// @param templateId keccak256 of the template's canonical terms.
    /// @param uri Where the terms can be read.
    event LicenseTemplateAdded(bytes32 indexed templateId, string uri);
    /// @notice Governance withdrew its approval of the template `templateId`.
    /// @param templateId keccak256 of the template's canonical terms.
    event LicenseTemplateRemoved(bytes32 indexed templateId);

    /// @notice The template id is zero.
    error LicenseTemplateRegistryZeroId();
    /// @notice The template is approved already.
    /// @param templateId The template.
    error LicenseTemplateRegistryAlreadyApproved(bytes32 templateId);
    /// @notice The template is not approved.
    /// @param templateId The template.
    error LicenseTemplateRegistryNotApproved(bytes32 templateId);
    /// @notice An address that must be set is zero.
    error LicenseTemplateRegistryZeroAddress();

    /// @notice Approves a license template (governance only).
    /// @param templateId keccak256 of the template's canonical terms.
    /// @param uri Where the terms can be read (emitted, not stored).
    function addTemplate(bytes32 templateId, string calldata uri) external;

    /// @notice Withdraws the approval of a license template (governance only).
    /// @param templateId keccak256 of the template's canonical terms.
    function removeTemplate(bytes32 templateId) external;

    /// @notice Whether `templateId` is approved now.
    /// @param templateId keccak256 of the template's canonical terms.
    /// @return approved True while the template is approved.
    function isApproved(bytes32 templateId) external view returns (bool approved);
}
