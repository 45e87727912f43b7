// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IRoyaltySplitter} from "../interfaces/IRoyaltySplitter.sol";
import {IUpstreamVotes} from "../interfaces/IUpstreamVotes.sol";

/// @title UpstreamVotes
/// @notice Governance votes earned by taking part: each royalty epoch's tree carries, beside the
/// (account, token) balances, one votes leaf per account whose "token" is this contract, and a
/// claim against the splitter's current root mints the votes not minted yet. Votes cannot be
/// transferred, so they cannot be bought for one proposal; a capped founding allocation bootstraps
/// governance and can only shrink.
/// @dev A votes leaf is the splitter's own leaf encoding,
/// `(uint256 chainId, address splitter, address token, address account, uint256 cumulative)` with
/// `token == address(this)`, under the splitter's accepted root. The splitter itself can never pay
/// such a leaf out: nothing can be deposited in a token that cannot be transferred.
contract UpstreamVotes is IUpstreamVotes, ERC20, ERC20Permit, ERC20Votes, ReentrancyGuardTransient {
    /// @notice The splitter whose accepted roots carry the votes leaves.
    IRoyaltySplitter public immutable SPLITTER;
    /// @notice The timelock: the only caller that may shrink the founding allocation.
    address public immutable GOVERNANCE;
    /// @notice The only caller that may mint founding votes.
    address public immutable FOUNDER;
    /// @notice The founding allocation can never exceed this.
    uint256 public immutable FOUNDING_CAP;

    uint256 private _foundingAllocation;
    uint256 private _foundingMinted;
    mapping(address account => uint256) private _earnedClaimed;

    /// @notice Deploys the votes token over a splitter, with its founding allocation.
    /// @param splitter_ The splitter whose roots carry the votes leaves.
    /// @param governance_ The timelock.
    /// @param founder_ Who may mint founding votes.
    /// @param foundingCap_ The founding allocation, and its cap forever.
    /// @param foundingMint Founding votes minted to the founder at deployment (counted in the allocation).
    constructor(
        IRoyaltySplitter splitter_,
        address governance_,
        address founder_,
        uint256 foundingCap_,
        uint256 foundingMint
    ) ERC20("Upstream Votes", "UPV") ERC20Permit("Upstream Votes") {
        if (address(splitter_) == address(0) || governance_ == address(0) || founder_ == address(0)) {
            revert UpstreamVotesZeroAddress();
        }
        SPLITTER = splitter_;
        GOVERNANCE = governance_;
        FOUNDER = founder_;
        FOUNDING_CAP = foundingCap_;
        _foundingAllocation = foundingCap_;
        if (foundingMint != 0) _mintFounding(founder_, foundingMint);
    }

    // ------------------------------------------------------------------ earned votes

    /// @inheritdoc IUpstreamVotes
    function claimVotes(
        address account,
        uint256 cumulativeVotes,
        bytes32[] calldata proof
    ) external nonReentrant returns (uint256 minted) {
        if (cumulativeVotes <= _earnedClaimed[account]) revert UpstreamVotesNothingToClaim(account, cumulativeVotes);
        return _claimVotes(account, cumulativeVotes, proof);
    }

    /// @inheritdoc IUpstreamVotes
    function claimWithVotes(
        address account,
        IERC20[] calldata tokens,
        uint256[] calldata cumulativeAmounts,
        bytes32[][] calldata proofs,
        uint256 cumulativeVotes,
        bytes32[] calldata votesProof
    ) external nonReentrant returns (uint256[] memory payouts, uint256 minted) {
        // Votes first (effects on this contract), then the splitter's claims (token transfers).
        if (cumulativeVotes > _earnedClaimed[account]) minted = _claimVotes(account, cumulativeVotes, votesProof);
        if (tokens.length != 0) payouts = SPLITTER.claimMany(account, tokens, cumulativeAmounts, proofs);
    }

    function _claimVotes(
        address account,
        uint256 cumulativeVotes,
        bytes32[] calldata proof
    ) private returns (uint256 minted) {
        IRoyaltySplitter splitter = SPLITTER;
        // The guardian's pause stops claims against a bad root; it stops votes from that root too.
        if (Pausable(address(splitter)).paused()) revert UpstreamVotesPaused();
        bytes32 leaf = keccak256(
            bytes.concat(keccak256(abi.encode(block.chainid, address(splitter), address(this), account, cumulativeVotes)))
        );
        if (!MerkleProof.verifyCalldata(proof, splitter.currentRoot(), leaf)) {
            revert UpstreamVotesInvalidProof(account, cumulativeVotes);
        }
        // The callers checked cumulativeVotes > _earnedClaimed[account].
        unchecked {
            minted = cumulativeVotes - _earnedClaimed[account];
        }
        _earnedClaimed[account] = cumulativeVotes;
        _mint(account, minted);
        emit VotesClaimed(account, splitter.currentEpoch(), minted, cumulativeVotes);
    }

    // ------------------------------------------------------------------ founding allocation

    /// @inheritdoc IUpstreamVotes
    function mintFounding(address to, uint256 amount) external {
        if (msg.sender != FOUNDER) revert UpstreamVotesUnauthorized(msg.sender);
        _mintFounding(to, amount);
    }

    /// @inheritdoc IUpstreamVotes
    function shrinkFoundingAllocation(uint256 newAllocation) external {
        if (msg.sender != GOVERNANCE) revert UpstreamVotesUnauthorized(msg.sender);
        uint256 current = _foundingAllocation;
        uint256 minted = _foundingMinted;
        if (newAllocation > current || newAllocation < minted) {
            revert UpstreamVotesFoundingAllocationInvalid(newAllocation, current, minted);
        }
        _foundingAllocation = newAllocation;
        emit FoundingAllocationShrunk(current, newAllocation);
    }

    function _mintFounding(address to, uint256 amount) private {
        if (to == address(0)) revert UpstreamVotesZeroAddress();
        uint256 next = _foundingMinted + amount;
        if (next > _foundingAllocation) revert UpstreamVotesFoundingExceeded(next, _foundingAllocation);
        _foundingMinted = next;
        _mint(to, amount);
        emit FoundingVotesMinted(to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IUpstreamVotes
    function earnedClaimed(address account) external view returns (uint256) {
        return _earnedClaimed[account];
    }

    /// @inheritdoc IUpstreamVotes
    function totalEarnedMinted() external view returns (uint256) {
        // Votes are only ever minted (earned or founding), never burnt: no counter of its own to write per claim.
        return totalSupply() - _foundingMinted;
    }

    /// @inheritdoc IUpstreamVotes
    function foundingAllocation() external view returns (uint256) {
        return _foundingAllocation;
    }

    /// @inheritdoc IUpstreamVotes
    function foundingMinted() external view returns (uint256) {
        return _foundingMinted;
    }

    /// @notice The current permit/delegation nonce of `owner`.
    /// @param owner The signer.
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @dev Mints and burns only: a transfer (or transferFrom) between two accounts is refused, so
    /// votes can neither be bought nor borrowed for a snapshot.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        if (from != address(0) && to != address(0)) revert UpstreamVotesNonTransferable();
        super._update(from, to, value);
    }
}
