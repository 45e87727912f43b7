// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title ProvenanceRegistry
/// @notice Anchors Merkle roots of contribution batches, training-run manifests and dataset takedowns
/// on chain, so the block time of the anchoring transaction is a public, tamper-evident timestamp for
/// each batch.
contract ProvenanceRegistry is AccessControl {
    /// @notice Anchors batch roots.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @notice Kind of a batch of contributions.
    uint8 public constant KIND_CONTRIBUTIONS = 0;
    /// @notice Kind of a batch of training-run manifests.
    uint8 public constant KIND_TRAINING_RUNS = 1;
    /// @notice Kind of a batch of owners' signed dataset takedowns.
    uint8 public constant KIND_TAKEDOWNS = 2;

    /// @notice What is known about an anchored root; packed in one slot.
    struct Anchor {
        uint64 timestamp;
        uint64 count;
        uint8 kind;
    }

    mapping(bytes32 root => Anchor) private _anchors;

    /// @notice `root` of a batch of `count` items of `kind` was anchored at `timestamp`.
    /// @param root Merkle root of the batch.
    /// @param kind 0 for contributions, 1 for training runs, 2 for takedowns.
    /// @param count Number of items in the batch.
    /// @param uri Where the batch's items can be fetched (may be empty).
    /// @param timestamp The block time it was anchored at.
    event Anchored(bytes32 indexed root, uint8 indexed kind, uint64 count, string uri, uint64 timestamp);

    /// @notice The root was anchored before.
    error ProvenanceRegistryAlreadyAnchored(bytes32 root, uint64 anchoredAt);
    /// @notice The kind is none of contributions (0), training runs (1) and takedowns (2).
    error ProvenanceRegistryUnknownKind(uint8 kind);
    /// @notice The root is zero.
    error ProvenanceRegistryZeroRoot();
    /// @notice An address that must be set is zero.
    error ProvenanceRegistryZeroAddress();

    /// @notice Deploys the registry with its admin and anchorer.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (the deployer hands it to the timelock).
    /// @param anchorer Receives ANCHORER_ROLE (the backend's operator key).
    constructor(address admin, address anchorer) {
        if (admin == address(0) || anchorer == address(0)) revert ProvenanceRegistryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ANCHORER_ROLE, anchorer);
    }

    /// @notice Anchors the Merkle root of a batch, once; the block time becomes its timestamp.
    /// @param kind 0 for contributions, 1 for training runs, 2 for takedowns.
    /// @param root Merkle root of the batch.
    /// @param count Number of items in the batch.
    /// @param uri Where the batch's manifest can be fetched (not stored, only emitted).
    function anchor(uint8 kind, bytes32 root, uint64 count, string calldata uri) external onlyRole(ANCHORER_ROLE) {
        if (root == bytes32(0)) revert ProvenanceRegistryZeroRoot();
        if (kind > KIND_TAKEDOWNS) revert ProvenanceRegistryUnknownKind(kind);
        uint64 existing = _anchors[root].timestamp;
        if (existing != 0) revert ProvenanceRegistryAlreadyAnchored(root, existing);
        uint64 timestamp = uint64(block.timestamp);
        _anchors[root] = Anchor({timestamp: timestamp, count: count, kind: kind});
        emit Anchored(root, kind, count, uri, timestamp);
    }

    /// @notice The block time at which `root` was anchored, or 0 if never.
    /// @param root The batch root.
    function anchoredAt(bytes32 root) external view returns (uint64) {
        return _anchors[root].timestamp;
    }

    /// @notice Everything recorded for `root` (all zeros if never anchored).
    /// @param root The batch root.
    function anchorOf(bytes32 root) external view returns (Anchor memory) {
        return _anchors[root];
    }
}
