// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title LocalToken
/// @notice The payment token of the local development chain that `npm start` runs without RPC_URL: an ERC-20
///         with worthless balances that its owner (the local deployer) mints to the dev accounts. Never deploy
///         it to a public chain; a real deployment names its payment token in PAYMENT_TOKEN_ADDRESS.
contract LocalToken is ERC20, Ownable {
    uint8 private immutable _DECIMALS;

    /// @notice Deploys the token; nothing is minted until the owner mints.
    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param decimals_ Token decimals.
    /// @param owner_ The only account that may mint.
    constructor(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        address owner_
    ) ERC20(name_, symbol_) Ownable(owner_) {
        _DECIMALS = decimals_;
    }

    /// @notice Mints `amount` to `to`; only the owner may call.
    /// @param to Recipient.
    /// @param amount Amount minted.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice The token's decimals.
    /// @return The number of decimals set at deployment.
    function decimals() public view override returns (uint8) {
        return _DECIMALS;
    }
}
