// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IDisputeBonds
/// @notice Bonded disputes against registered datasets: anyone opens one with a bond in an allowed
/// ERC-20; an arbiter (held by the timelock) upholds or rejects it; one nobody resolves within the
/// timeout can be closed as rejected by anyone. The royalty ledger follows the events: while a dispute
/// is open the dataset's owner shares of new payments are held in escrow off-chain.
interface IDisputeBonds {
    /// @notice Why a dispute was opened.
    enum Label {
        ImproperRegistration,
        Infringement,
        ImproperUsage,
        ImproperPayment
    }

    /// @notice Where a dispute stands. `None` is a dispute id never used.
    enum Status {
        None,
        Open,
        Upheld,
        Rejected
    }

    /// @notice One dispute as stored.
    struct Dispute {
        bytes32 datasetId;
        address disputer;
        uint64 openedAt;
        Status status;
        Label label;
        IERC20 token;
        uint256 bond;
        bytes32 evidenceHash;
    }

    /// @notice What a disputer states and posts when opening a dispute.
    struct OpenRequest {
        /// The disputed dataset's content root.
        bytes32 datasetId;
        /// Why.
        Label label;
        /// Digest of the evidence.
        bytes32 evidenceHash;
        /// Where the evidence can be read.
        string evidenceUri;
        /// The accounts the disputer claims are the rightful owners (1..32, no zero address).
        address[] claimedOwners;
        /// The bond's token (allowed for bonds).
        IERC20 token;
        /// At least the token's minimum bond.
        uint256 bond;
    }

    /// @notice A dispute was opened and its bond pulled in.
    /// @param disputeId The new dispute's id (1, 2, …).
    /// @param datasetId The disputed dataset's content root.
    /// @param disputer Who opened it and posted the bond.
    /// @param label Why.
    /// @param token The bond's token.
    /// @param bond The bond, in the token's smallest unit.
    /// @param evidenceHash SHA-256 (or any 32-byte digest) of the evidence.
    /// @param evidenceUri Where the evidence can be read.
    /// @param claimedOwners The accounts the disputer claims are the rightful owners.
    event DisputeOpened(
        uint256 indexed disputeId,
        bytes32 indexed datasetId,
        address indexed disputer,
        Label label,
        address token,
        uint256 bond,
        bytes32 evidenceHash,
        string evidenceUri,
        address[] claimedOwners
    );

    /// @notice A dispute was resolved and its bond paid out.
    /// @param disputeId The dispute.
    /// @param datasetId The disputed dataset's content root.
    /// @param upheld True: the escrow goes to `rightfulOwners`, the bond back to the disputer. False: the
    /// escrow goes to the owners, the bond to the owners through the splitter (less its protocol fee).
    /// @param resolver The arbiter, or whoever closed an expired dispute.
    /// @param rightfulOwners Upheld: who receives the dataset's owner part from the opening on. Rejected: [].
    /// @param shareBps Each rightful owner's share in basis points (sum 10,000). Rejected: [].
    /// @param bondRunId Rejected: the runId under which the bond was paid into the splitter. Upheld: 0.
    event DisputeResolved(
        uint256 indexed disputeId,
        bytes32 indexed datasetId,
        bool upheld,
        address indexed resolver,
        address[] rightfulOwners,
        uint16[] shareBps,
        bytes32 bondRunId
    );

    /// @notice A token was allowed or refused for bonds, with its minimum bond.
    /// @param token The token.
    /// @param allowed Whether new disputes may post bonds in it.
    /// @param minBond The smallest bond accepted in it.
    event BondTokenChanged(address indexed token, bool allowed, uint256 minBond);

    /// @notice The time after which anyone may close an unresolved dispute as rejected changed.
    /// @param previousTimeout Seconds before.
    /// @param newTimeout Seconds now.
    event DisputeTimeoutChanged(uint64 previousTimeout, uint64 newTimeout);

    /// @notice The token is not allowed for bonds.
    error DisputeBondsTokenNotAllowed(address token);
    /// @notice The bond is below the token's minimum.
    error DisputeBondsBondTooLow(uint256 bond, uint256 minBond);
    /// @notice The dataset already has an open dispute.
    error DisputeBondsAlreadyDisputed(bytes32 datasetId, uint256 openDisputeId);
    /// @notice A dispute against the dataset was upheld already: it is delisted.
    error DisputeBondsDatasetDelisted(bytes32 datasetId);
    /// @notice The dispute is not open (never opened, or resolved already).
    error DisputeBondsNotOpen(uint256 disputeId);
    /// @notice The dispute's timeout has not passed yet.
    error DisputeBondsNotExpired(uint256 disputeId, uint64 expiresAt);
    /// @notice The owners list is empty, too long, holds the zero address or one account twice, or has mismatched shares.
    error DisputeBondsInvalidOwners();
    /// @notice The shares do not sum to 10,000 basis points.
    error DisputeBondsSharesNotWhole(uint256 sum);
    /// @notice A zero address or zero dataset id was given.
    error DisputeBondsZeroValue();
    /// @notice The timeout is out of range.
    error DisputeBondsTimeoutOutOfRange(uint64 timeout);
    /// @notice The token moved a different amount than asked (fee-on-transfer, rebasing): refused.
    error DisputeBondsUnexpectedBalanceChange(address token, uint256 expected, uint256 actual);

    /// @notice Opens a dispute against a dataset, pulling the bond from the caller (approve first).
    /// @param request The dataset, label, evidence, claimed owners, bond token and bond.
    /// @return disputeId The new dispute's id.
    function open(OpenRequest calldata request) external returns (uint256 disputeId);

    /// @notice Upholds an open dispute: the bond goes back to the disputer. Arbiter only.
    /// @param disputeId The dispute.
    /// @param rightfulOwners Who receives the dataset's owner part from the opening on (1..32 accounts).
    /// @param shareBps Their shares in basis points, summing to 10,000.
    function uphold(uint256 disputeId, address[] calldata rightfulOwners, uint16[] calldata shareBps) external;

    /// @notice Rejects an open dispute: the bond is paid into the splitter for the dataset's owners. Arbiter only.
    /// @param disputeId The dispute.
    function reject(uint256 disputeId) external;

    /// @notice Closes an open dispute as rejected once its timeout has passed; anyone may call.
    /// @param disputeId The dispute.
    function closeExpired(uint256 disputeId) external;

    /// @notice Allows or refuses a bond token and sets its minimum bond. Timelock only (PARAMS_ROLE).
    /// @param token The token.
    /// @param allowed Whether new disputes may post bonds in it.
    /// @param minBond The smallest bond accepted in it (at least 1).
    function setBondToken(IERC20 token, bool allowed, uint256 minBond) external;

    /// @notice Sets how long a dispute may stay unresolved before anyone may close it. Timelock only.
    /// @param newTimeout Seconds, between 1 hour and 365 days.
    function setDisputeTimeout(uint64 newTimeout) external;

    /// @notice A dispute by id.
    /// @param disputeId The dispute.
    function dispute(uint256 disputeId) external view returns (Dispute memory);

    /// @notice The open dispute against a dataset, or 0.
    /// @param datasetId The dataset's content root.
    function openDisputeOf(bytes32 datasetId) external view returns (uint256);

    /// @notice The bonds held for open disputes in a token.
    /// @param token The token.
    function bondsHeld(IERC20 token) external view returns (uint256);

    /// @notice The runId under which a rejected dispute's bond is paid into the splitter.
    /// @param disputeId The dispute.
    function bondRunId(uint256 disputeId) external view returns (bytes32);
}
