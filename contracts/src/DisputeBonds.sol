// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDisputeBonds} from "./interfaces/IDisputeBonds.sol";
import {IRoyaltySplitter} from "./interfaces/IRoyaltySplitter.sol";

/// @title DisputeBonds
/// @notice Holds the bonds of disputes against datasets and records their resolution. Upheld: the bond
/// goes back to the disputer and the dataset is delisted for good. Rejected (by the arbiter, or by anyone
/// once the timeout has passed): the bond is paid into the RoyaltySplitter under `bondRunId`, so the
/// splitter's protocol fee goes to the treasury and the rest to the dataset's owners through the ledger.
/// @dev Bonds held for a token always equal the sum of the bonds of its open disputes; a dispute is
/// resolved at most once. One open dispute per dataset at a time.
contract DisputeBonds is IDisputeBonds, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Upholds and rejects disputes; held by the timelock, which may grant it to a multisig or an oracle adapter.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice Sets bond tokens, minimum bonds and the timeout; meant for the timelock.
    bytes32 public constant PARAMS_ROLE = keccak256("PARAMS_ROLE");

    /// @notice Most accounts a dispute may name as owners.
    uint256 public constant MAX_OWNERS = 32;
    /// @notice Shortest dispute timeout.
    uint64 public constant MIN_TIMEOUT = 1 hours;
    /// @notice Longest dispute timeout.
    uint64 public constant MAX_TIMEOUT = 365 days;
    uint16 private constant _BPS = 10_000;

    /// @notice The splitter that rejected bonds are paid into.
    IRoyaltySplitter public immutable SPLITTER;

    struct BondToken {
        bool allowed;
        uint256 minBond;
    }

    uint64 private _timeout;
    uint256 private _lastId;
    mapping(uint256 disputeId => Dispute) private _disputes;
    mapping(bytes32 datasetId => uint256) private _openDisputeOf;
    mapping(bytes32 datasetId => bool) private _delisted;
    mapping(IERC20 token => BondToken) private _bondTokens;
    mapping(IERC20 token => uint256) private _bondsHeld;

    /// @notice Deploys the contract with its roles and timeout.
    /// @param admin Receives DEFAULT_ADMIN_ROLE, PARAMS_ROLE and ARBITER_ROLE (the deployer hands them to the timelock).
    /// @param splitter_ The RoyaltySplitter that rejected bonds are paid into.
    /// @param timeout Seconds after which anyone may close an unresolved dispute as rejected.
    constructor(address admin, IRoyaltySplitter splitter_, uint64 timeout) {
        if (admin == address(0) || address(splitter_) == address(0)) revert DisputeBondsZeroValue();
        SPLITTER = splitter_;
        _setTimeout(timeout);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PARAMS_ROLE, admin);
        _grantRole(ARBITER_ROLE, admin);
    }

    /// @inheritdoc IDisputeBonds
    function open(OpenRequest calldata request) external nonReentrant returns (uint256 disputeId) {
        bytes32 datasetId = request.datasetId;
        if (datasetId == bytes32(0)) revert DisputeBondsZeroValue();
        BondToken storage config = _bondTokens[request.token];
        if (!config.allowed) revert DisputeBondsTokenNotAllowed(address(request.token));
        if (request.bond < config.minBond) revert DisputeBondsBondTooLow(request.bond, config.minBond);
        if (_delisted[datasetId]) revert DisputeBondsDatasetDelisted(datasetId);
        uint256 current = _openDisputeOf[datasetId];
        if (current != 0) revert DisputeBondsAlreadyDisputed(datasetId, current);
        _checkOwners(request.claimedOwners);
        _pullBond(request.token, request.bond);
        disputeId = _record(request);
        _emitOpened(disputeId, request);
    }

    /// @inheritdoc IDisputeBonds
    function uphold(
        uint256 disputeId,
        address[] calldata rightfulOwners,
        uint16[] calldata shareBps
    ) external nonReentrant onlyRole(ARBITER_ROLE) {
        _checkOwners(rightfulOwners);
        if (shareBps.length != rightfulOwners.length) revert DisputeBondsInvalidOwners();
        uint256 sum;
        for (uint256 i = 0; i < shareBps.length; ++i) {
            if (shareBps[i] == 0) revert DisputeBondsInvalidOwners();
            sum += shareBps[i];
        }
        if (sum != _BPS) revert DisputeBondsSharesNotWhole(sum);
        Dispute storage d = _close(disputeId, Status.Upheld);
        _delisted[d.datasetId] = true;
        emit DisputeResolved(disputeId, d.datasetId, true, msg.sender, rightfulOwners, shareBps, bytes32(0));
        d.token.safeTransfer(d.disputer, d.bond);
    }

    /// @inheritdoc IDisputeBonds
    function reject(uint256 disputeId) external nonReentrant onlyRole(ARBITER_ROLE) {
        _reject(disputeId);
    }

    /// @inheritdoc IDisputeBonds
    function closeExpired(uint256 disputeId) external nonReentrant {
        Dispute storage d = _disputes[disputeId];
        if (d.status != Status.Open) revert DisputeBondsNotOpen(disputeId);
        uint64 expiresAt = d.openedAt + _timeout;
        if (block.timestamp < expiresAt) revert DisputeBondsNotExpired(disputeId, expiresAt);
        _reject(disputeId);
    }

    /// @inheritdoc IDisputeBonds
    function setBondToken(IERC20 token, bool allowed, uint256 minBond) external onlyRole(PARAMS_ROLE) {
        if (address(token) == address(0) || minBond == 0) revert DisputeBondsZeroValue();
        _bondTokens[token] = BondToken({allowed: allowed, minBond: minBond});
        emit BondTokenChanged(address(token), allowed, minBond);
    }

    /// @inheritdoc IDisputeBonds
    function setDisputeTimeout(uint64 newTimeout) external onlyRole(PARAMS_ROLE) {
        _setTimeout(newTimeout);
    }

    /// @inheritdoc IDisputeBonds
    function dispute(uint256 disputeId) external view returns (Dispute memory) {
        return _disputes[disputeId];
    }

    /// @inheritdoc IDisputeBonds
    function openDisputeOf(bytes32 datasetId) external view returns (uint256) {
        return _openDisputeOf[datasetId];
    }

    /// @inheritdoc IDisputeBonds
    function bondsHeld(IERC20 token) external view returns (uint256) {
        return _bondsHeld[token];
    }

    /// @inheritdoc IDisputeBonds
    function bondRunId(uint256 disputeId) public view returns (bytes32) {
        return keccak256(abi.encode("upstream.dispute-bond", block.chainid, address(this), disputeId));
    }

    /// @notice Whether a dataset was delisted by an upheld dispute.
    /// @param datasetId The dataset's content root.
    function isDelisted(bytes32 datasetId) external view returns (bool) {
        return _delisted[datasetId];
    }

    /// @notice The bond settings of a token.
    /// @param token The token.
    function bondToken(IERC20 token) external view returns (BondToken memory) {
        return _bondTokens[token];
    }

    /// @notice Seconds after which anyone may close an unresolved dispute as rejected.
    function disputeTimeout() external view returns (uint64) {
        return _timeout;
    }

    /// @notice The number of disputes opened so far (the last id).
    function disputeCount() external view returns (uint256) {
        return _lastId;
    }

    /// @dev Stores a new open dispute and adds its bond to the held total.
    function _record(OpenRequest calldata request) private returns (uint256 disputeId) {
        disputeId = ++_lastId;
        _disputes[disputeId] = Dispute({
            datasetId: request.datasetId,
            disputer: msg.sender,
            openedAt: uint64(block.timestamp),
            status: Status.Open,
            label: request.label,
            token: request.token,
            bond: request.bond,
            evidenceHash: request.evidenceHash
        });
        _openDisputeOf[request.datasetId] = disputeId;
        _bondsHeld[request.token] += request.bond;
    }

    /// @dev Pulls the bond first so that its exact arrival can be checked (fee-on-transfer tokens are
    /// refused); nonReentrant on `open` keeps a token's callback from re-entering before the effects.
    function _pullBond(IERC20 token, uint256 bond) private {
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), bond);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != bond) revert DisputeBondsUnexpectedBalanceChange(address(token), bond, received);
    }

    function _emitOpened(uint256 disputeId, OpenRequest calldata request) private {
        emit DisputeOpened(
            disputeId,
            request.datasetId,
            msg.sender,
            request.label,
            address(request.token),
            request.bond,
            request.evidenceHash,
            request.evidenceUri,
            request.claimedOwners
        );
    }

    function _reject(uint256 disputeId) private {
        Dispute storage d = _close(disputeId, Status.Rejected);
        bytes32 runId = bondRunId(disputeId);
        emit DisputeResolved(disputeId, d.datasetId, false, msg.sender, new address[](0), new uint16[](0), runId);
        d.token.forceApprove(address(SPLITTER), d.bond);
        SPLITTER.payRun(runId, d.token, d.bond);
    }

    /// @dev Marks an open dispute resolved and releases its bond from the held total; reverts unless open.
    function _close(uint256 disputeId, Status outcome) private returns (Dispute storage d) {
        d = _disputes[disputeId];
        if (d.status != Status.Open) revert DisputeBondsNotOpen(disputeId);
        d.status = outcome;
        delete _openDisputeOf[d.datasetId];
        _bondsHeld[d.token] -= d.bond;
    }

    function _checkOwners(address[] calldata owners) private pure {
        if (owners.length == 0 || owners.length > MAX_OWNERS) revert DisputeBondsInvalidOwners();
        for (uint256 i = 0; i < owners.length; ++i) {
            if (owners[i] == address(0)) revert DisputeBondsInvalidOwners();
            // Distinct accounts: the royalty rule that pays the rightful owners refuses a list naming one twice,
            // so a resolution the contract accepted could never be applied off chain (at most 32: 496 comparisons).
            for (uint256 j = 0; j < i; ++j) {
                if (owners[j] == owners[i]) revert DisputeBondsInvalidOwners();
            }
        }
    }

    function _setTimeout(uint64 newTimeout) private {
        if (newTimeout < MIN_TIMEOUT || newTimeout > MAX_TIMEOUT) revert DisputeBondsTimeoutOutOfRange(newTimeout);
        emit DisputeTimeoutChanged(_timeout, newTimeout);
        _timeout = newTimeout;
    }
}
