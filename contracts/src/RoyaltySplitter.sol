// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title RoyaltySplitter
/// @notice Takes royalty payments for training runs in O(1) gas and pays contributors by Merkle
/// proof against a root of cumulative balances that an operator proposes and that becomes
/// claimable only after a delay, during which a guardian can veto it.
/// @dev Leaves use the StandardMerkleTree encoding of
/// `(uint256 chainId, address splitter, address token, address account, uint256 cumulativeAmount)`,
/// so a proof is bound to one chain, one splitter and one token. Whatever root is posted, the
/// total claimed for a token never exceeds the total deposited for it net of fees.
contract RoyaltySplitter is AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Proposes roots of cumulative balances.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice Vetoes pending roots and pauses payments and claims.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice Changes fee, treasury, root delay and token allowlist; meant for the timelock.
    bytes32 public constant PARAMS_ROLE = keccak256("PARAMS_ROLE");

    /// @notice Highest protocol fee, in basis points (10%).
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Longest delay between proposing a root and it becoming claimable.
    uint64 public constant MAX_ROOT_DELAY = 30 days;
    uint256 private constant _BPS = 10_000;

    /// @dev Everything kept per token, under one mapping so that a claim hashes the token once for
    /// all its slots. A payment reads and writes only the first slot (deposits and fees), a claim
    /// only the second (`claimTotals`) in the usual case; see `_claim`.
    struct TokenState {
        uint128 deposited;
        uint128 fees;
        // Low 128 bits: total claimed. High 128 bits: `deposited` as a claim last read it, a lower
        // bound of `deposited` since deposits only grow.
        uint256 claimTotals;
        uint256 feesSwept;
        bool allowed;
        mapping(address account => uint256) claimed;
    }

    /// @notice A proposed root waiting for its delay to pass.
    struct PendingRoot {
        bytes32 root;
        bytes32 dataHash;
        uint64 epoch;
        uint64 claimableAt;
    }

    // The next four variables fill the slot of Pausable's `_paused` (1 + 2 + 1 + 20 + 8 bytes), so a
    // payment reads paused, fee, allowlist toggle and treasury, and a claim paused and epoch, with
    // one SLOAD.
    uint16 private _feeBps;
    bool private _allowlistEnabled;
    address private _treasury;
    uint64 private _currentEpoch;

    uint64 private _rootDelay;
    uint64 private _lastProposedEpoch;
    bytes32 private _currentRoot;
    bytes32 private _currentDataHash;
    PendingRoot private _pending;

    mapping(IERC20 token => TokenState) private _tokens;

    /// @notice A training run was paid for.
    event RunPaid(
        bytes32 indexed runId,
        address indexed token,
        address indexed payer,
        uint256 amount,
        uint256 fee,
        uint256 net
    );
    /// @notice A root was proposed; it becomes acceptable at `claimableAt`.
    event RootProposed(uint64 indexed epoch, bytes32 indexed root, bytes32 dataHash, uint64 claimableAt);
    /// @notice A pending root became the current root.
    event RootAccepted(uint64 indexed epoch, bytes32 indexed root, bytes32 dataHash);
    /// @notice A pending root was vetoed by a guardian.
    event RootVetoed(uint64 indexed epoch, bytes32 indexed root, address indexed guardian);
    /// @notice An operator withdrew its own pending root (its inputs are no longer on the chain).
    event RootWithdrawn(uint64 indexed epoch, bytes32 indexed root, address indexed operator);
    /// @notice `amount` of `token` was paid to `account`, whose claimed total is now `cumulativeAmount`.
    event Claimed(
        address indexed account,
        address indexed token,
        uint64 indexed epoch,
        uint256 amount,
        uint256 cumulativeAmount
    );
    /// @notice Accrued protocol fees were sent to the treasury.
    event FeesSwept(address indexed token, address indexed treasury, uint256 amount);
    /// @notice The protocol fee changed.
    event FeeBpsChanged(uint16 previousFeeBps, uint16 newFeeBps);
    /// @notice The treasury changed.
    event TreasuryChanged(address indexed previousTreasury, address indexed newTreasury);
    /// @notice The root delay changed.
    event RootDelayChanged(uint64 previousDelay, uint64 newDelay);
    /// @notice The token allowlist was switched on or off.
    event TokenAllowlistToggled(bool enabled);
    /// @notice A token was added to or removed from the allowlist.
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

    /// @param admin Receives DEFAULT_ADMIN_ROLE and PARAMS_ROLE (the deployer hands them to the timelock).
    /// @param operator Receives OPERATOR_ROLE.
    /// @param guardian Receives GUARDIAN_ROLE.
    /// @param treasury_ Receives the protocol fees.
    /// @param feeBps_ Protocol fee in basis points, at most MAX_FEE_BPS.
    /// @param rootDelay_ Seconds between proposing a root and it becoming claimable.
    constructor(
        address admin,
        address operator,
        address guardian,
        address treasury_,
        uint16 feeBps_,
        uint64 rootDelay_
    ) {
        if (admin == address(0) || operator == address(0) || guardian == address(0)) {
            revert RoyaltySplitterZeroAddress();
        }
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PARAMS_ROLE, admin);
        _grantRole(OPERATOR_ROLE, operator);
        _grantRole(GUARDIAN_ROLE, guardian);
        _setTreasury(treasury_);
        _setFeeBps(feeBps_);
        _setRootDelay(rootDelay_);
    }

    // ------------------------------------------------------------------ payments

    /// @notice Pays `amount` of `token` for training run `runId`; the protocol fee is kept for the
    /// treasury and the rest becomes claimable by contributors once a root covers it.
    /// @dev The caller must have approved `amount`. Tokens whose balance here does not grow by
    /// exactly `amount` are refused. Costs the same whatever the number of contributors.
    /// @param runId Off-chain identifier of the training run.
    /// @param token The ERC-20 the run is paid in.
    /// @param amount Gross amount, fee included.
    function payRun(bytes32 runId, IERC20 token, uint256 amount) external nonReentrant whenNotPaused {
        if (amount == 0) revert RoyaltySplitterZeroAmount();
        if (amount > type(uint128).max) revert RoyaltySplitterAmountTooLarge(amount);
        TokenState storage state = _tokens[token];
        if (_allowlistEnabled && !state.allowed) revert RoyaltySplitterTokenNotAllowed(address(token));

        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert RoyaltySplitterUnexpectedBalanceChange(address(token), amount, received);

        uint256 fee;
        uint256 net;
        // amount < 2^128 and _feeBps <= 1000, so the product fits easily and fee <= amount.
        unchecked {
            fee = (amount * _feeBps) / _BPS;
            net = amount - fee;
        }
        uint256 newDeposited = uint256(state.deposited) + net;
        uint256 newFees = uint256(state.fees) + fee;
        if (newDeposited > type(uint128).max || newFees > type(uint128).max) {
            revert RoyaltySplitterAmountTooLarge(amount);
        }
        state.deposited = uint128(newDeposited);
        state.fees = uint128(newFees);

        emit RunPaid(runId, address(token), msg.sender, amount, fee, net);
    }

    /// @notice Sends the protocol fees accrued in `token` to the treasury. Anyone may call.
    /// @param token The token whose fees are swept.
    /// @return amount The amount sent.
    function sweepFees(IERC20 token) external nonReentrant returns (uint256 amount) {
        TokenState storage state = _tokens[token];
        uint256 swept = state.feesSwept;
        amount = state.fees - swept;
        if (amount == 0) revert RoyaltySplitterZeroAmount();
        state.feesSwept = swept + amount;
        address treasury_ = _treasury;
        emit FeesSwept(address(token), treasury_, amount);
        token.safeTransfer(treasury_, amount);
    }

    // ------------------------------------------------------------------ roots

    /// @notice Proposes `root` of cumulative balances for `epoch`; it can be accepted after the root delay.
    /// @dev A new proposal replaces a still-pending one. The current root stays claimable meanwhile.
    /// @param root Merkle root (StandardMerkleTree) of `(chainId, splitter, token, account, cumulativeAmount)`.
    /// @param epoch Allocation epoch; must be greater than every epoch proposed before.
    /// @param dataHash Hash of the off-chain allocation data the root was built from.
    function proposeRoot(bytes32 root, uint64 epoch, bytes32 dataHash) external onlyRole(OPERATOR_ROLE) {
        if (root == bytes32(0)) revert RoyaltySplitterZeroRoot();
        uint64 last = _lastProposedEpoch;
        if (epoch <= last) revert RoyaltySplitterEpochNotIncreasing(epoch, last);
        uint64 claimableAt = uint64(block.timestamp) + _rootDelay;
        _lastProposedEpoch = epoch;
        _pending = PendingRoot({root: root, dataHash: dataHash, epoch: epoch, claimableAt: claimableAt});
        emit RootProposed(epoch, root, dataHash, claimableAt);
    }

    /// @notice Makes the pending root current once its delay has passed. Anyone may call.
    function acceptRoot() external {
        PendingRoot memory pending = _pending;
        if (pending.root == bytes32(0)) revert RoyaltySplitterNoPendingRoot(0);
        if (block.timestamp < pending.claimableAt) revert RoyaltySplitterRootNotReady(pending.claimableAt);
        _currentRoot = pending.root;
        _currentEpoch = pending.epoch;
        _currentDataHash = pending.dataHash;
        delete _pending;
        emit RootAccepted(pending.epoch, pending.root, pending.dataHash);
    }

    /// @notice Discards the pending root of `epoch`.
    /// @param epoch The epoch of the pending root, so a guardian never vetoes a root it did not review.
    function vetoRoot(uint64 epoch) external onlyRole(GUARDIAN_ROLE) {
        PendingRoot memory pending = _pending;
        if (pending.root == bytes32(0) || pending.epoch != epoch) revert RoyaltySplitterNoPendingRoot(epoch);
        delete _pending;
        emit RootVetoed(epoch, pending.root, msg.sender);
    }

    /// @notice Withdraws the pending root of `epoch`, so that it never becomes claimable.
    /// @dev For the operator's own mistakes, above all a root built on payments that a chain
    /// reorganisation removed. Unlike a veto it needs no guardian; like a veto it leaves the epoch
    /// number spent, so a corrected root is proposed under a higher epoch.
    /// @param epoch The epoch of the pending root, so a stale withdrawal never removes a newer root.
    function withdrawRoot(uint64 epoch) external onlyRole(OPERATOR_ROLE) {
        PendingRoot memory pending = _pending;
        if (pending.root == bytes32(0) || pending.epoch != epoch) revert RoyaltySplitterNoPendingRoot(epoch);
        delete _pending;
        emit RootWithdrawn(epoch, pending.root, msg.sender);
    }

    // ------------------------------------------------------------------ claims

    /// @notice Pays `account` what the current root grants it in `token` beyond what it already claimed.
    /// Anyone may call; the tokens always go to `account`.
    /// @param account The contributor.
    /// @param token The token claimed.
    /// @param cumulativeAmount The account's all-time total in the current root.
    /// @param proof Merkle proof of the leaf against the current root.
    /// @return payout The amount transferred.
    function claim(
        address account,
        IERC20 token,
        uint256 cumulativeAmount,
        bytes32[] calldata proof
    ) external nonReentrant whenNotPaused returns (uint256 payout) {
        return _claim(account, token, cumulativeAmount, proof, _currentRoot);
    }

    /// @notice Claims several tokens for one account in one transaction.
    /// @param account The contributor.
    /// @param tokens The tokens claimed.
    /// @param cumulativeAmounts The account's all-time totals per token in the current root.
    /// @param proofs One Merkle proof per token.
    /// @return payouts The amounts transferred, per token.
    function claimMany(
        address account,
        IERC20[] calldata tokens,
        uint256[] calldata cumulativeAmounts,
        bytes32[][] calldata proofs
    ) external nonReentrant whenNotPaused returns (uint256[] memory payouts) {
        uint256 n = tokens.length;
        if (cumulativeAmounts.length != n || proofs.length != n) revert RoyaltySplitterLengthMismatch();
        bytes32 root = _currentRoot;
        payouts = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            payouts[i] = _claim(account, tokens[i], cumulativeAmounts[i], proofs[i], root);
        }
    }

    function _claim(
        address account,
        IERC20 token,
        uint256 cumulativeAmount,
        bytes32[] calldata proof,
        bytes32 root
    ) private returns (uint256 payout) {
        if (_processProof(_leaf(account, token, cumulativeAmount), proof) != root) {
            revert RoyaltySplitterInvalidProof(account, address(token), cumulativeAmount);
        }
        TokenState storage state = _tokens[token];
        uint256 alreadyClaimed = state.claimed[account];
        if (cumulativeAmount <= alreadyClaimed) {
            revert RoyaltySplitterNothingToClaim(account, address(token), cumulativeAmount);
        }
        // Checked just above: cumulativeAmount > alreadyClaimed.
        unchecked {
            payout = cumulativeAmount - alreadyClaimed;
        }
        // Claims are checked against `depositedSeen`, a copy of `deposited` kept in the slot this
        // function writes anyway, so that the usual claim does not also read the payment slot.
        // Deposits only grow, so depositedSeen <= deposited always, and claimedTotal <=
        // depositedSeen is enforced on every claim: the total claimed never exceeds the total
        // deposited net of fees. Only a payout beyond what the copy covers reads `deposited` and
        // refreshes the copy before deciding.
        uint256 totals = state.claimTotals;
        uint256 claimedTotal = uint128(totals);
        uint256 depositedSeen = totals >> 128;
        uint256 available;
        unchecked {
            available = depositedSeen - claimedTotal;
        }
        if (payout > available) {
            depositedSeen = state.deposited;
            unchecked {
                available = depositedSeen - claimedTotal;
            }
            if (payout > available) revert RoyaltySplitterClaimExceedsDeposits(address(token), payout, available);
        }

        state.claimed[account] = cumulativeAmount;
        // payout <= available = depositedSeen - claimedTotal, so the sum stays <= depositedSeen < 2^128.
        unchecked {
            state.claimTotals = (depositedSeen << 128) | (claimedTotal + payout);
        }
        emit Claimed(account, address(token), _currentEpoch, payout, cumulativeAmount);
        token.safeTransfer(account, payout);
    }

    /// @dev The StandardMerkleTree leaf `keccak256(keccak256(abi.encode(block.chainid, address(this),
    /// token, account, cumulativeAmount)))`, hashed in memory past the free pointer (left untouched).
    function _leaf(address account, IERC20 token, uint256 cumulativeAmount) internal view returns (bytes32 leaf) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, chainid())
            mstore(add(m, 0x20), address())
            mstore(add(m, 0x40), token)
            mstore(add(m, 0x60), account)
            mstore(add(m, 0x80), cumulativeAmount)
            mstore(0x00, keccak256(m, 0xa0))
            leaf := keccak256(0x00, 0x20)
        }
    }

    /// @dev OpenZeppelin's `MerkleProof.processProofCalldata` (sorted-pair keccak256, the smaller
    /// hash first) over the calldata proof, in assembly, hashing in scratch space and unrolled by
    /// four. The ABI decoder has already checked that `proof` lies within calldata.
    function _processProof(bytes32 leaf, bytes32[] calldata proof) internal pure returns (bytes32 node) {
        assembly ("memory-safe") {
            node := leaf
            let p := proof.offset
            let end := add(p, shl(5, proof.length))
            // Puts the smaller of `node` and `sibling` at 0x00 and the other at 0x20, then hashes:
            // `flip` is 0x20 when sibling < node.
            for {
                let end4 := sub(end, and(shl(5, proof.length), 0x60))
            } lt(p, end4) {
                p := add(p, 0x80)
            } {
                let sibling := calldataload(p)
                let flip := shl(5, lt(sibling, node))
                mstore(flip, node)
                mstore(xor(flip, 0x20), sibling)
                node := keccak256(0x00, 0x40)
                sibling := calldataload(add(p, 0x20))
                flip := shl(5, lt(sibling, node))
                mstore(flip, node)
                mstore(xor(flip, 0x20), sibling)
                node := keccak256(0x00, 0x40)
                sibling := calldataload(add(p, 0x40))
                flip := shl(5, lt(sibling, node))
                mstore(flip, node)
                mstore(xor(flip, 0x20), sibling)
                node := keccak256(0x00, 0x40)
                sibling := calldataload(add(p, 0x60))
                flip := shl(5, lt(sibling, node))
                mstore(flip, node)
                mstore(xor(flip, 0x20), sibling)
                node := keccak256(0x00, 0x40)
            }
            for {} lt(p, end) {
                p := add(p, 0x20)
            } {
                let sibling := calldataload(p)
                let flip := shl(5, lt(sibling, node))
                mstore(flip, node)
                mstore(xor(flip, 0x20), sibling)
                node := keccak256(0x00, 0x40)
            }
        }
    }

    // ------------------------------------------------------------------ guardian

    /// @notice Stops payments and claims.
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    /// @notice Resumes payments and claims.
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ parameters

    /// @notice Sets the protocol fee.
    /// @param newFeeBps Fee in basis points, at most MAX_FEE_BPS.
    function setFeeBps(uint16 newFeeBps) external onlyRole(PARAMS_ROLE) {
        _setFeeBps(newFeeBps);
    }

    /// @notice Sets where swept fees go.
    /// @param newTreasury The new treasury, non-zero.
    function setTreasury(address newTreasury) external onlyRole(PARAMS_ROLE) {
        _setTreasury(newTreasury);
    }

    /// @notice Sets the delay between proposing a root and it becoming claimable; applies to later proposals.
    /// @param newRootDelay Seconds, at most MAX_ROOT_DELAY.
    function setRootDelay(uint64 newRootDelay) external onlyRole(PARAMS_ROLE) {
        _setRootDelay(newRootDelay);
    }

    /// @notice Switches the token allowlist on or off.
    /// @param enabled When true, payRun accepts only allowlisted tokens.
    function setTokenAllowlistEnabled(bool enabled) external onlyRole(PARAMS_ROLE) {
        _allowlistEnabled = enabled;
        emit TokenAllowlistToggled(enabled);
    }

    /// @notice Adds a token to or removes it from the allowlist.
    /// @param token The token.
    /// @param allowed Whether payRun accepts it while the allowlist is on.
    function setTokenAllowed(IERC20 token, bool allowed) external onlyRole(PARAMS_ROLE) {
        _tokens[token].allowed = allowed;
        emit TokenAllowedChanged(address(token), allowed);
    }

    function _setFeeBps(uint16 newFeeBps) private {
        if (newFeeBps > MAX_FEE_BPS) revert RoyaltySplitterFeeTooHigh(newFeeBps, MAX_FEE_BPS);
        uint16 previous = _feeBps;
        _feeBps = newFeeBps;
        emit FeeBpsChanged(previous, newFeeBps);
    }

    function _setTreasury(address newTreasury) private {
        if (newTreasury == address(0)) revert RoyaltySplitterZeroAddress();
        address previous = _treasury;
        _treasury = newTreasury;
        emit TreasuryChanged(previous, newTreasury);
    }

    function _setRootDelay(uint64 newRootDelay) private {
        if (newRootDelay > MAX_ROOT_DELAY) revert RoyaltySplitterRootDelayTooLong(newRootDelay, MAX_ROOT_DELAY);
        uint64 previous = _rootDelay;
        _rootDelay = newRootDelay;
        emit RootDelayChanged(previous, newRootDelay);
    }

    // ------------------------------------------------------------------ views

    /// @notice The root claims are proved against.
    function currentRoot() external view returns (bytes32) {
        return _currentRoot;
    }

    /// @notice The epoch of the current root (0 before the first root is accepted).
    function currentEpoch() external view returns (uint64) {
        return _currentEpoch;
    }

    /// @notice The data hash of the current root.
    function currentDataHash() external view returns (bytes32) {
        return _currentDataHash;
    }

    /// @notice The pending root, or all zeros when none is pending.
    function pendingRoot() external view returns (PendingRoot memory) {
        return _pending;
    }

    /// @notice The highest epoch ever proposed (accepted, pending or vetoed).
    function lastProposedEpoch() external view returns (uint64) {
        return _lastProposedEpoch;
    }

    /// @notice The cumulative amount of `token` already paid to `account`.
    /// @param account The contributor.
    /// @param token The token.
    function claimed(address account, IERC20 token) external view returns (uint256) {
        return _tokens[token].claimed[account];
    }

    /// @notice Total deposited in `token`, net of fees.
    /// @param token The token.
    function totalDeposited(IERC20 token) external view returns (uint256) {
        return _tokens[token].deposited;
    }

    /// @notice Total protocol fees taken in `token` (swept or not).
    /// @param token The token.
    function totalFees(IERC20 token) external view returns (uint256) {
        return _tokens[token].fees;
    }

    /// @notice Protocol fees in `token` already sent to the treasury.
    /// @param token The token.
    function feesSwept(IERC20 token) external view returns (uint256) {
        return _tokens[token].feesSwept;
    }

    /// @notice Total claimed in `token` by all accounts.
    /// @param token The token.
    function totalClaimed(IERC20 token) external view returns (uint256) {
        return uint128(_tokens[token].claimTotals);
    }

    /// @notice The protocol fee in basis points.
    function feeBps() external view returns (uint16) {
        return _feeBps;
    }

    /// @notice Where swept fees go.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice Seconds between proposing a root and it becoming claimable.
    function rootDelay() external view returns (uint64) {
        return _rootDelay;
    }

    /// @notice Whether payRun only accepts allowlisted tokens.
    function tokenAllowlistEnabled() external view returns (bool) {
        return _allowlistEnabled;
    }

    /// @notice Whether `token` is on the allowlist.
    /// @param token The token.
    function tokenAllowed(IERC20 token) external view returns (bool) {
        return _tokens[token].allowed;
    }
}
