// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IRoyaltySplitter} from "./interfaces/IRoyaltySplitter.sol";

/// @title RoyaltySplitter
/// @notice Takes royalty payments for training runs in O(1) gas and pays contributors by Merkle
/// proof against a root of cumulative balances that an operator proposes and that becomes
/// claimable only after a delay, during which a guardian can veto it. Proposed roots wait in a
/// queue, each for its own delay, and become current in the order they were proposed.
/// @dev Leaves use the StandardMerkleTree encoding of
/// `(uint256 chainId, address splitter, address token, address account, uint256 cumulativeAmount)`,
/// so a proof is bound to one chain, one splitter and one token. Whatever root is posted, the
/// total claimed for a token never exceeds the total deposited for it net of fees.
contract RoyaltySplitter is IRoyaltySplitter, AccessControl, Pausable, ReentrancyGuardTransient {
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
    /// @notice Most roots pending at once, so that accepting, vetoing or withdrawing all of them
    /// fits one transaction.
    uint32 public constant MAX_PENDING_ROOTS = 1_024;
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


    // The next four variables fill the slot of Pausable's `_paused` (1 + 2 + 1 + 20 + 8 bytes), so a
    // payment reads paused, fee, allowlist toggle and treasury, and a claim paused and epoch, with
    // one SLOAD.
    uint16 private _feeBps;
    bool private _allowlistEnabled;
    address private _treasury;
    uint64 private _currentEpoch;

    // The root queue's bookkeeping shares one slot with the delay and the last epoch, so a proposal
    // reads and writes it once. Pending roots are `_queue[_queueHead .. _queueTail - 1]`, in
    // proposal order (epochs and `claimableAt` both non-decreasing); entries outside that range are
    // stale and never read. `proposeRoot` reads and writes this slot as one word: keep these five
    // variables together, in this order.
    uint64 private _rootDelay;
    uint64 private _lastProposedEpoch;
    uint32 private _queueHead;
    uint32 private _queueTail;
    // `claimableAt` of the newest pending root, so that a later root never becomes acceptable
    // before an earlier one, even after the delay was shortened.
    uint64 private _lastClaimableAt;
    bytes32 private _currentRoot;
    bytes32 private _currentDataHash;
    mapping(uint256 index => PendingRoot) private _queue;

    mapping(IERC20 token => TokenState) private _tokens;


    /// @notice Deploys the splitter with its roles, treasury, fee and root delay.
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

    /// @inheritdoc IRoyaltySplitter
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

    /// @inheritdoc IRoyaltySplitter
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

    /// @inheritdoc IRoyaltySplitter
    function proposeRoot(bytes32 root, uint64 epoch, bytes32 dataHash) external onlyRole(OPERATOR_ROLE) {
        if (root == bytes32(0)) revert RoyaltySplitterZeroRoot();
        // The queue's slot (`_rootDelay`, `_lastProposedEpoch`, `_queueHead`, `_queueTail`,
        // `_lastClaimableAt`, from the low bits up) is read once and written once, and the new
        // entry's `epoch` and `claimableAt` with one SSTORE, instead of one read-modify-write per
        // field.
        uint256 queueWord;
        assembly ("memory-safe") {
            queueWord := sload(_rootDelay.slot)
        }
        uint64 last = uint64(queueWord >> 64);
        if (epoch <= last) revert RoyaltySplitterEpochNotIncreasing(epoch, last);
        uint32 head = uint32(queueWord >> 128);
        uint32 tail = uint32(queueWord >> 160);
        uint64 claimableAt;
        // tail >= head always; block.timestamp + a delay of at most 30 days fits 64 bits for
        // billions of years; and the tail counts proposals, 2^32 of which no chain will see.
        unchecked {
            if (tail - head >= MAX_PENDING_ROOTS) revert RoyaltySplitterTooManyPendingRoots(MAX_PENDING_ROOTS);
            claimableAt = uint64(block.timestamp) + uint64(queueWord);
            uint64 previous = uint64(queueWord >> 192);
            if (previous > claimableAt && tail != head) claimableAt = previous;
            // Keep `_rootDelay` and `_queueHead`; set `_lastProposedEpoch`, `_queueTail`, `_lastClaimableAt`.
            queueWord =
                (queueWord & (uint256(type(uint64).max) | (uint256(type(uint32).max) << 128))) |
                (uint256(epoch) << 64) |
                (uint256(tail + 1) << 160) |
                (uint256(claimableAt) << 192);
        }
        // PendingRoot's slots: root, dataHash, then epoch (low 64 bits) and claimableAt.
        uint256 timing = uint256(epoch) | (uint256(claimableAt) << 64);
        PendingRoot storage entry = _queue[tail];
        assembly ("memory-safe") {
            sstore(_rootDelay.slot, queueWord)
            sstore(entry.slot, root)
            sstore(add(entry.slot, 1), dataHash)
            sstore(add(entry.slot, 2), timing)
        }
        emit RootProposed(epoch, root, dataHash, claimableAt);
    }

    /// @inheritdoc IRoyaltySplitter
    function acceptRoot() external {
        uint32 head = _queueHead;
        uint32 tail = _queueTail;
        if (head == tail) revert RoyaltySplitterNoPendingRoot(0);
        PendingRoot memory next = _queue[head];
        if (block.timestamp < next.claimableAt) revert RoyaltySplitterRootNotReady(next.claimableAt);
        PendingRoot memory accepted;
        // head < tail <= 2^32 - 1 inside the loop.
        unchecked {
            do {
                accepted = next;
                // Cleared as it leaves the queue: the refund pays for most of the clearing, and the
                // next proposal writes fresh slots either way.
                delete _queue[head];
                emit RootAccepted(accepted.epoch, accepted.root, accepted.dataHash);
                ++head;
                if (head == tail) break;
                next = _queue[head];
            } while (block.timestamp >= next.claimableAt);
        }
        _queueHead = head;
        _currentRoot = accepted.root;
        _currentEpoch = accepted.epoch;
        _currentDataHash = accepted.dataHash;
    }

    /// @inheritdoc IRoyaltySplitter
    function vetoRoot(uint64 epoch) external onlyRole(GUARDIAN_ROLE) {
        _dropFrom(epoch, true);
    }

    /// @inheritdoc IRoyaltySplitter
    function withdrawRoot(uint64 epoch) external onlyRole(OPERATOR_ROLE) {
        _dropFrom(epoch, false);
    }

    /// @dev Removes the pending root of `epoch` and every root proposed after it (each was built on
    /// the same data, cumulatively), emitting one RootVetoed or RootWithdrawn per root, oldest first.
    function _dropFrom(uint64 epoch, bool veto) private {
        uint32 head = _queueHead;
        uint32 tail = _queueTail;
        uint32 from = head;
        while (from < tail && _queue[from].epoch < epoch) ++from;
        if (from == tail || _queue[from].epoch != epoch) revert RoyaltySplitterNoPendingRoot(epoch);
        _queueTail = from;
        _lastClaimableAt = from == head ? 0 : _queue[from - 1].claimableAt;
        for (uint32 i = from; i < tail; ++i) {
            PendingRoot storage dropped = _queue[i];
            if (veto) emit RootVetoed(dropped.epoch, dropped.root, msg.sender);
            else emit RootWithdrawn(dropped.epoch, dropped.root, msg.sender);
        }
    }

    // ------------------------------------------------------------------ claims

    /// @inheritdoc IRoyaltySplitter
    function claim(
        address account,
        IERC20 token,
        uint256 cumulativeAmount,
        bytes32[] calldata proof
    ) external nonReentrant whenNotPaused returns (uint256 payout) {
        return _claim(account, token, cumulativeAmount, proof, _currentRoot);
    }

    /// @inheritdoc IRoyaltySplitter
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

    /// @inheritdoc IRoyaltySplitter
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    /// @inheritdoc IRoyaltySplitter
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ parameters

    /// @inheritdoc IRoyaltySplitter
    function setFeeBps(uint16 newFeeBps) external onlyRole(PARAMS_ROLE) {
        _setFeeBps(newFeeBps);
    }

    /// @inheritdoc IRoyaltySplitter
    function setTreasury(address newTreasury) external onlyRole(PARAMS_ROLE) {
        _setTreasury(newTreasury);
    }

    /// @inheritdoc IRoyaltySplitter
    function setRootDelay(uint64 newRootDelay) external onlyRole(PARAMS_ROLE) {
        _setRootDelay(newRootDelay);
    }

    /// @inheritdoc IRoyaltySplitter
    function setTokenAllowlistEnabled(bool enabled) external onlyRole(PARAMS_ROLE) {
        _allowlistEnabled = enabled;
        emit TokenAllowlistToggled(enabled);
    }

    /// @inheritdoc IRoyaltySplitter
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

    /// @inheritdoc IRoyaltySplitter
    function currentRoot() external view returns (bytes32) {
        return _currentRoot;
    }

    /// @inheritdoc IRoyaltySplitter
    function currentEpoch() external view returns (uint64) {
        return _currentEpoch;
    }

    /// @inheritdoc IRoyaltySplitter
    function currentDataHash() external view returns (bytes32) {
        return _currentDataHash;
    }

    /// @inheritdoc IRoyaltySplitter
    function pendingRoots() external view returns (PendingRoot[] memory roots) {
        uint32 head = _queueHead;
        roots = new PendingRoot[](_queueTail - head);
        for (uint256 i = 0; i < roots.length; ++i) roots[i] = _queue[head + i];
    }

    /// @inheritdoc IRoyaltySplitter
    function lastProposedEpoch() external view returns (uint64) {
        return _lastProposedEpoch;
    }

    /// @inheritdoc IRoyaltySplitter
    function claimed(address account, IERC20 token) external view returns (uint256) {
        return _tokens[token].claimed[account];
    }

    /// @inheritdoc IRoyaltySplitter
    function totalDeposited(IERC20 token) external view returns (uint256) {
        return _tokens[token].deposited;
    }

    /// @inheritdoc IRoyaltySplitter
    function totalFees(IERC20 token) external view returns (uint256) {
        return _tokens[token].fees;
    }

    /// @inheritdoc IRoyaltySplitter
    function feesSwept(IERC20 token) external view returns (uint256) {
        return _tokens[token].feesSwept;
    }

    /// @inheritdoc IRoyaltySplitter
    function totalClaimed(IERC20 token) external view returns (uint256) {
        return uint128(_tokens[token].claimTotals);
    }

    /// @inheritdoc IRoyaltySplitter
    function feeBps() external view returns (uint16) {
        return _feeBps;
    }

    /// @inheritdoc IRoyaltySplitter
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IRoyaltySplitter
    function rootDelay() external view returns (uint64) {
        return _rootDelay;
    }

    /// @inheritdoc IRoyaltySplitter
    function tokenAllowlistEnabled() external view returns (bool) {
        return _allowlistEnabled;
    }

    /// @inheritdoc IRoyaltySplitter
    function tokenAllowed(IERC20 token) external view returns (bool) {
        return _tokens[token].allowed;
    }
}
