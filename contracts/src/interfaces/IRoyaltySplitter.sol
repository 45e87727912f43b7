// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IRoyaltySplitter
/// @notice The royalty split contract's interface: its events, errors and external functions, for
/// integrators, indexers and tests (as OpenZeppelin and Uniswap lay theirs out).
interface IRoyaltySplitter {
    /// @notice A proposed root waiting in the queue for its delay to pass.
    struct PendingRoot {
        bytes32 root;
        bytes32 dataHash;
        uint64 epoch;
        uint64 claimableAt;
    }

    /// @notice A training run was paid for.
    /// @param runId The training run paid for (its manifest digest).
    /// @param token The ERC-20 paid in.
    /// @param payer Who paid.
    /// @param amount Gross amount, fee included.
    /// @param fee Protocol fee kept for the treasury.
    /// @param net What becomes claimable by contributors.
    event RunPaid(
        bytes32 indexed runId,
        address indexed token,
        address indexed payer,
        uint256 amount,
        uint256 fee,
        uint256 net
    );
    /// @notice A root was proposed; it becomes acceptable at `claimableAt`.
    /// @param epoch The allocation epoch.
    /// @param root Merkle root of cumulative balances.
    /// @param dataHash Hash of the off-chain allocation data.
    /// @param claimableAt When the root can be accepted.
    event RootProposed(uint64 indexed epoch, bytes32 indexed root, bytes32 dataHash, uint64 claimableAt);
    /// @notice A pending root became the current root (or was passed over, in the same transaction,
    /// by a later root that also became acceptable: events come oldest first, the last one is current).
    /// @param epoch The allocation epoch.
    /// @param root The root now claimed against.
    /// @param dataHash Hash of the off-chain allocation data.
    event RootAccepted(uint64 indexed epoch, bytes32 indexed root, bytes32 dataHash);
    /// @notice A pending root was vetoed by a guardian, or dropped with an earlier root it vetoed.
    /// @param epoch The vetoed epoch.
    /// @param root The vetoed root.
    /// @param guardian The guardian who vetoed it.
    event RootVetoed(uint64 indexed epoch, bytes32 indexed root, address indexed guardian);
    /// @notice An operator withdrew its own pending root (its inputs are no longer on the chain), or
    /// the root was dropped with an earlier root it withdrew.
    /// @param epoch The withdrawn epoch.
    /// @param root The withdrawn root.
    /// @param operator The operator who withdrew it.
    event RootWithdrawn(uint64 indexed epoch, bytes32 indexed root, address indexed operator);
    /// @notice `amount` of `token` was paid to `account`, whose claimed total is now `cumulativeAmount`.
    /// @param account Who was paid.
    /// @param token The token paid.
    /// @param epoch The epoch of the root the claim was proved against.
    /// @param amount What this claim paid.
    /// @param cumulativeAmount The account's claimed total in the token after it.
    event Claimed(
        address indexed account,
        address indexed token,
        uint64 indexed epoch,
        uint256 amount,
        uint256 cumulativeAmount
    );
    /// @notice Accrued protocol fees were sent to the treasury.
    /// @param token The token swept.
    /// @param treasury Where the fees went.
    /// @param amount The amount sent.
    event FeesSwept(address indexed token, address indexed treasury, uint256 amount);
    /// @notice The protocol fee changed.
    /// @param previousFeeBps The fee before.
    /// @param newFeeBps The fee now.
    event FeeBpsChanged(uint16 previousFeeBps, uint16 newFeeBps);
    /// @notice The treasury changed.
    /// @param previousTreasury The treasury before.
    /// @param newTreasury The treasury now.
    event TreasuryChanged(address indexed previousTreasury, address indexed newTreasury);
    /// @notice The root delay changed.
    /// @param previousDelay The delay before, in seconds.
    /// @param newDelay The delay now, in seconds.
    event RootDelayChanged(uint64 previousDelay, uint64 newDelay);
    /// @notice The token allowlist was switched on or off.
    /// @param enabled Whether payRun now accepts only allowlisted tokens.
    event TokenAllowlistToggled(bool enabled);
    /// @notice A token was added to or removed from the allowlist.
    /// @param token The token.
    /// @param allowed Whether it is on the allowlist now.
    event TokenAllowedChanged(address indexed token, bool allowed);

    /// @notice The amount is zero.
    error RoyaltySplitterZeroAmount();
    /// @notice The amount does not fit the 128-bit ledger.
    error RoyaltySplitterAmountTooLarge(uint256 amount);
    /// @notice The token's balance moved by something other than the amount transferred
    /// (fee-on-transfer, rebasing or otherwise misbehaving token).
    error RoyaltySplitterUnexpectedBalanceChange(address token, uint256 expected, uint256 actual);
    /// @notice The allowlist is on and the token is not on it.
    error RoyaltySplitterTokenNotAllowed(address token);
    /// @notice The fee is above MAX_FEE_BPS.
    error RoyaltySplitterFeeTooHigh(uint16 feeBps, uint16 maxFeeBps);
    /// @notice The root delay is above MAX_ROOT_DELAY.
    error RoyaltySplitterRootDelayTooLong(uint64 delay, uint64 maxDelay);
    /// @notice An address that must be set is zero.
    error RoyaltySplitterZeroAddress();
    /// @notice A root must be non-zero.
    error RoyaltySplitterZeroRoot();
    /// @notice Epochs must strictly increase.
    error RoyaltySplitterEpochNotIncreasing(uint64 epoch, uint64 lastProposedEpoch);
    /// @notice There is no pending root (with that epoch).
    error RoyaltySplitterNoPendingRoot(uint64 epoch);
    /// @notice The pending root's delay has not passed yet.
    error RoyaltySplitterRootNotReady(uint64 claimableAt);
    /// @notice The proof does not prove the leaf against the current root.
    error RoyaltySplitterInvalidProof(address account, address token, uint256 cumulativeAmount);
    /// @notice The account already claimed at least this cumulative amount.
    error RoyaltySplitterNothingToClaim(address account, address token, uint256 cumulativeAmount);
    /// @notice Paying out would take more of the token than was deposited for it net of fees.
    error RoyaltySplitterClaimExceedsDeposits(address token, uint256 payout, uint256 available);
    /// @notice The arrays passed to claimMany differ in length.
    error RoyaltySplitterLengthMismatch();
    /// @notice The queue already holds MAX_PENDING_ROOTS roots; accept or drop some first.
    error RoyaltySplitterTooManyPendingRoots(uint32 maxPendingRoots);

    /// @notice Pays `amount` of `token` for training run `runId`; the protocol fee is kept for the
    /// treasury and the rest becomes claimable by contributors once a root covers it.
    /// @dev The caller must have approved `amount`. Tokens whose balance here does not grow by
    /// exactly `amount` are refused. Costs the same whatever the number of contributors.
    /// @param runId Off-chain identifier of the training run.
    /// @param token The ERC-20 the run is paid in.
    /// @param amount Gross amount, fee included.
    function payRun(bytes32 runId, IERC20 token, uint256 amount) external;

    /// @notice Sends the protocol fees accrued in `token` to the treasury. Anyone may call.
    /// @param token The token whose fees are swept.
    /// @return amount The amount sent.
    function sweepFees(IERC20 token) external returns (uint256 amount);

    /// @notice Queues `root` of cumulative balances for `epoch`; it can be accepted after the root delay.
    /// @dev Roots already pending stay pending, each with its own `claimableAt`; a root's
    /// `claimableAt` is never earlier than that of the root queued before it. The current root
    /// stays claimable meanwhile.
    /// @param root Merkle root (StandardMerkleTree) of `(chainId, splitter, token, account, cumulativeAmount)`.
    /// @param epoch Allocation epoch; must be greater than every epoch proposed before.
    /// @param dataHash Hash of the off-chain allocation data the root was built from.
    function proposeRoot(bytes32 root, uint64 epoch, bytes32 dataHash) external;

    /// @notice Makes the newest pending root whose delay has passed current, accepting every root
    /// queued before it on the way (oldest first). Anyone may call.
    function acceptRoot() external;

    /// @notice Discards the pending root of `epoch` and every root queued after it (they build on it).
    /// @param epoch The epoch of the pending root, so a guardian never vetoes a root it did not review.
    function vetoRoot(uint64 epoch) external;

    /// @notice Withdraws the pending root of `epoch` and every root queued after it, so that none of
    /// them ever becomes claimable.
    /// @dev For the operator's own mistakes, above all a root built on payments that a chain
    /// reorganisation removed. Unlike a veto it needs no guardian; like a veto it leaves the epoch
    /// number spent, so a corrected root is proposed under a higher epoch.
    /// @param epoch The epoch of the pending root, so a stale withdrawal never removes a newer root.
    function withdrawRoot(uint64 epoch) external;

    /// @notice Pays `account` what the current root grants it in `token` beyond what it already claimed.
    /// Anyone may call; the tokens always go to `account`.
    /// @param account The contributor.
    /// @param token The token claimed.
    /// @param cumulativeAmount The account's all-time total in the current root.
    /// @param proof Merkle proof of the leaf against the current root.
    /// @return payout The amount transferred.
    function claim(address account, IERC20 token, uint256 cumulativeAmount, bytes32[] calldata proof) external returns (uint256 payout);

    /// @notice Claims several tokens for one account in one transaction.
    /// @param account The contributor.
    /// @param tokens The tokens claimed.
    /// @param cumulativeAmounts The account's all-time totals per token in the current root.
    /// @param proofs One Merkle proof per token.
    /// @return payouts The amounts transferred, per token.
    function claimMany(address account, IERC20[] calldata tokens, uint256[] calldata cumulativeAmounts, bytes32[][] calldata proofs) external returns (uint256[] memory payouts);

    /// @notice Stops payments and claims.
    function pause() external;

    /// @notice Resumes payments and claims.
    function unpause() external;

    /// @notice Sets the protocol fee.
    /// @param newFeeBps Fee in basis points, at most MAX_FEE_BPS.
    function setFeeBps(uint16 newFeeBps) external;

    /// @notice Sets where swept fees go.
    /// @param newTreasury The new treasury, non-zero.
    function setTreasury(address newTreasury) external;

    /// @notice Sets the delay between proposing a root and it becoming claimable; applies to later proposals.
    /// @param newRootDelay Seconds, at most MAX_ROOT_DELAY.
    function setRootDelay(uint64 newRootDelay) external;

    /// @notice Switches the token allowlist on or off.
    /// @param enabled When true, payRun accepts only allowlisted tokens.
    function setTokenAllowlistEnabled(bool enabled) external;

    /// @notice Adds a token to or removes it from the allowlist.
    /// @param token The token.
    /// @param allowed Whether payRun accepts it while the allowlist is on.
    function setTokenAllowed(IERC20 token, bool allowed) external;

    /// @notice The root claims are proved against.
    function currentRoot() external view returns (bytes32);

    /// @notice The epoch of the current root (0 before the first root is accepted).
    function currentEpoch() external view returns (uint64);

    /// @notice The data hash of the current root.
    function currentDataHash() external view returns (bytes32);

    /// @notice The pending roots, oldest first (empty when none is pending).
    function pendingRoots() external view returns (PendingRoot[] memory);

    /// @notice The highest epoch ever proposed (accepted, pending or vetoed).
    function lastProposedEpoch() external view returns (uint64);

    /// @notice The cumulative amount of `token` already paid to `account`.
    /// @param account The contributor.
    /// @param token The token.
    function claimed(address account, IERC20 token) external view returns (uint256);

    /// @notice Total deposited in `token`, net of fees.
    /// @param token The token.
    function totalDeposited(IERC20 token) external view returns (uint256);

    /// @notice Total protocol fees taken in `token` (swept or not).
    /// @param token The token.
    function totalFees(IERC20 token) external view returns (uint256);

    /// @notice Protocol fees in `token` already sent to the treasury.
    /// @param token The token.
    function feesSwept(IERC20 token) external view returns (uint256);

    /// @notice Total claimed in `token` by all accounts.
    /// @param token The token.
    function totalClaimed(IERC20 token) external view returns (uint256);

    /// @notice The protocol fee in basis points.
    function feeBps() external view returns (uint16);

    /// @notice Where swept fees go.
    function treasury() external view returns (address);

    /// @notice Seconds between proposing a root and it becoming claimable.
    function rootDelay() external view returns (uint64);

    /// @notice Whether payRun only accepts allowlisted tokens.
    function tokenAllowlistEnabled() external view returns (bool);

    /// @notice Whether `token` is on the allowlist.
    /// @param token The token.
    function tokenAllowed(IERC20 token) external view returns (bool);
}
