// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice Test token that, on each transfer, calls back into a target with preset calldata (as an
/// ERC-777 hook or a malicious receiver would) and records whether that re-entry succeeded.
contract ReentrantToken is ERC20 {
    address private _target;
    bytes private _callData;
    bool private _armed;

    /// @notice Whether the last re-entry attempt succeeded.
    bool public reentrySucceeded;
    /// @notice Number of re-entry attempts made.
    uint256 public reentryAttempts;
    /// @notice The revert data of the last failed re-entry.
    bytes public lastRevertData;

    constructor() ERC20("Reentrant", "RE") {}

    /// @notice Mints `amount` to `to`; anyone may call.
    /// @param to Recipient.
    /// @param amount Amount minted.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook: the next transfer calls `target` with `callData` once.
    /// @param target Contract to re-enter.
    /// @param callData Call to make.
    function arm(address target, bytes calldata callData) external {
        _target = target;
        _callData = callData;
        _armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (_armed && from != address(0)) {
            _armed = false;
            reentryAttempts += 1;
            (bool ok, bytes memory data) = _target.call(_callData);
            reentrySucceeded = ok;
            if (!ok) lastRevertData = data;
        }
    }
}
