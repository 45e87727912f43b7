// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title UpstreamTimelock
/// @notice Holds the admin and parameter roles of the Upstream contracts, so every rule change
/// waits `minDelay` seconds in public before it can be executed.
contract UpstreamTimelock is TimelockController {
    /// @notice Deploys the timelock that holds every admin role.
    /// @param minDelay Seconds between queueing and executing an operation.
    /// @param proposers Accounts allowed to queue (the governor).
    /// @param executors Accounts allowed to execute (address(0) for anyone).
    /// @param admin Optional bootstrap admin, renounced after set-up (address(0) for none).
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
