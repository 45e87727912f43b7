// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PaymentSplitter} from "oz4/finance/PaymentSplitter.sol";

/// @title PeerPaymentSplitter
/// @notice OpenZeppelin 4.9's PaymentSplitter (removed in OZ 5), deployed only by the gas benchmark
/// as a reference peer: payees are fixed at deployment and each releases its own share.
contract PeerPaymentSplitter is PaymentSplitter {
    /// @param payees Payees, fixed for life.
    /// @param shares_ Shares per payee.
    constructor(address[] memory payees, uint256[] memory shares_) PaymentSplitter(payees, shares_) {}
}
