// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The few Foundry cheatcodes these tests use (the forge-std on npm is too old to import).
interface Vm {
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function chainId(uint256 newChainId) external;
    function assume(bool condition) external pure;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 revertData) external;
    function expectRevert() external;
    function expectEmit() external;
}

/// @notice forge-std's invariant target description.
struct FuzzSelector {
    address addr;
    bytes4[] selectors;
}
