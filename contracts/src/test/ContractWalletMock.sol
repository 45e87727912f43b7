// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Test-only ERC-1271 contract wallet, a stand-in for a Safe or a DAO: a signature is valid
/// when its owner signed the hash. It can be told to answer a wrong value or to revert.
contract ContractWalletMock is IERC1271 {
    enum Mode {
        Valid,
        WrongMagic,
        Reverts
    }

    address public immutable owner;
    Mode public mode;

    constructor(address owner_) {
        owner = owner_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (mode == Mode.Reverts) revert("ContractWalletMock: refused");
        if (mode == Mode.WrongMagic) return 0xdeadbeef;
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == owner ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
