// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IUpstreamVotes
/// @notice Earned, non-transferable governance votes: the events, errors and functions of
/// UpstreamVotes beyond ERC20Votes.
interface IUpstreamVotes {
    /// @notice `amount` earned votes were minted to `account`, whose earned total is now `cumulativeVotes`.
    /// @param account Who received the votes.
    /// @param epoch The epoch of the splitter root the claim was proved against.
    /// @param amount Votes minted by this claim.
    /// @param cumulativeVotes The account's earned votes minted so far.
    event VotesClaimed(address indexed account, uint64 indexed epoch, uint256 amount, uint256 cumulativeVotes);
    /// @notice The founder minted `amount` founding votes to `to`.
    /// @param to Who received them.
    /// @param amount Votes minted.
    event FoundingVotesMinted(address indexed to, uint256 amount);
    /// @notice Governance shrank the founding allocation.
    /// @param previousAllocation The allocation before.
    /// @param newAllocation The allocation now.
    event FoundingAllocationShrunk(uint256 previousAllocation, uint256 newAllocation);

    /// @notice Votes cannot be transferred, only minted by a claim or the founding allocation.
    error UpstreamVotesNonTransferable();
    /// @notice The proof does not lead from the votes leaf to the splitter's current root.
    /// @param account The claimed-for account.
    /// @param cumulativeVotes The cumulative votes claimed.
    error UpstreamVotesInvalidProof(address account, uint256 cumulativeVotes);
    /// @notice The account already holds every vote the leaf grants.
    /// @param account The claimed-for account.
    /// @param cumulativeVotes The cumulative votes claimed.
    error UpstreamVotesNothingToClaim(address account, uint256 cumulativeVotes);
    /// @notice Claims are paused on the splitter (the guardian's pause covers votes too).
    error UpstreamVotesPaused();
    /// @notice Only `expected` may call this.
    /// @param caller Who called.
    error UpstreamVotesUnauthorized(address caller);
    /// @notice Minting would take the founding votes past the allocation.
    /// @param requested Founding votes minted after this mint.
    /// @param allocation The allocation.
    error UpstreamVotesFoundingExceeded(uint256 requested, uint256 allocation);
    /// @notice The founding allocation can only shrink, and not below what was already minted.
    /// @param newAllocation The refused allocation.
    /// @param current The allocation now.
    /// @param minted Founding votes already minted.
    error UpstreamVotesFoundingAllocationInvalid(uint256 newAllocation, uint256 current, uint256 minted);
    /// @notice A zero address where an account is needed.
    error UpstreamVotesZeroAddress();

    /// @notice Mints `account` the earned votes of its votes leaf in the splitter's current root that
    /// it does not hold yet (cumulative: a second claim mints only the difference). Anyone may call.
    /// @param account Whose votes leaf.
    /// @param cumulativeVotes The votes in the leaf.
    /// @param proof Sibling hashes from the leaf to the splitter's current root.
    /// @return minted Votes minted now.
    function claimVotes(
        address account,
        uint256 cumulativeVotes,
        bytes32[] calldata proof
    ) external returns (uint256 minted);

    /// @notice Claims `account`'s royalties (the splitter's claimMany) and its earned votes in one
    /// transaction; votes already held are skipped rather than refused.
    /// @param account Who is paid and receives the votes.
    /// @param tokens Tokens to claim (may be empty).
    /// @param cumulativeAmounts The leaves' cumulative amounts.
    /// @param proofs One proof per token.
    /// @param cumulativeVotes The votes leaf's cumulative votes.
    /// @param votesProof The votes leaf's proof.
    /// @return payouts What each token claim paid.
    /// @return minted Votes minted now.
    function claimWithVotes(
        address account,
        IERC20[] calldata tokens,
        uint256[] calldata cumulativeAmounts,
        bytes32[][] calldata proofs,
        uint256 cumulativeVotes,
        bytes32[] calldata votesProof
    ) external returns (uint256[] memory payouts, uint256 minted);

    /// @notice Mints founding votes, within the founding allocation; only the founder.
    /// @param to Who receives them.
    /// @param amount Votes to mint.
    function mintFounding(address to, uint256 amount) external;

    /// @notice Shrinks the founding allocation; only governance (the timelock). It can never grow.
    /// @param newAllocation The new allocation, at most the current one and at least what was minted.
    function shrinkFoundingAllocation(uint256 newAllocation) external;

    /// @notice Earned votes minted to `account` so far (its last claimed cumulative votes).
    /// @param account The account.
    function earnedClaimed(address account) external view returns (uint256);

    /// @notice Earned votes minted to everyone so far.
    function totalEarnedMinted() external view returns (uint256);

    /// @notice The founding allocation now (at most FOUNDING_CAP).
    function foundingAllocation() external view returns (uint256);

    /// @notice Founding votes minted so far.
    function foundingMinted() external view returns (uint256);
}
