// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title UpstreamVotes
/// @notice Fixed-supply governance token; holders delegate votes to steer UpstreamGovernor.
contract UpstreamVotes is ERC20, ERC20Permit, ERC20Votes {
    /// @notice Mints the fixed supply once.
    /// @param initialHolder Receives the whole supply.
    /// @param initialSupply Supply minted once, at deployment.
    constructor(
        address initialHolder,
        uint256 initialSupply
    ) ERC20("Upstream Votes", "UPV") ERC20Permit("Upstream Votes") {
        _mint(initialHolder, initialSupply);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    /// @notice The current permit/delegation nonce of `owner`.
    /// @param owner The signer.
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}
