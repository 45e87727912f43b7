// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title NaivePushSplitter
/// @notice Benchmark peer only: pays every recipient in the same transaction as the payment, so
/// gas grows linearly with the number of contributors.
contract NaivePushSplitter {
    using SafeERC20 for IERC20;

    /// @notice The arrays differ in length.
    error NaivePushSplitterLengthMismatch();

    /// @notice Pulls the sum of `amounts` from the caller and pushes each amount to its recipient.
    /// @param token The token.
    /// @param recipients Recipients.
    /// @param amounts Amounts per recipient.
    function split(IERC20 token, address[] calldata recipients, uint256[] calldata amounts) external {
        if (recipients.length != amounts.length) revert NaivePushSplitterLengthMismatch();
        for (uint256 i = 0; i < recipients.length; ++i) {
            token.safeTransferFrom(msg.sender, recipients[i], amounts[i]);
        }
    }
}
