// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Builds sorted-pair Merkle roots and proofs in Solidity, as OpenZeppelin's MerkleProof
/// verifies them; leaves are hashed like StandardMerkleTree for the splitter's encoding.
library Merkle {
    function leaf(address splitter, address token, address account, uint256 cumulative) internal view returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(block.chainid, splitter, token, account, cumulative))));
    }

    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory level = leaves;
        while (level.length > 1) level = _next(level);
        return level[0];
    }

    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory out) {
        bytes32[] memory scratch = new bytes32[](64);
        uint256 n;
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < level.length) scratch[n++] = level[sibling];
            level = _next(level);
            index /= 2;
        }
        out = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) out[i] = scratch[i];
    }

    function _next(bytes32[] memory level) private pure returns (bytes32[] memory up) {
        up = new bytes32[]((level.length + 1) / 2);
        for (uint256 i = 0; i < up.length; ++i) {
            uint256 l = 2 * i;
            up[i] = l + 1 < level.length ? _hashPair(level[l], level[l + 1]) : level[l];
        }
    }

    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32) {
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }
}
