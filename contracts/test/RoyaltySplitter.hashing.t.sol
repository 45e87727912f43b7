// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {RoyaltySplitter} from "../src/RoyaltySplitter.sol";
import {TestBase} from "./utils/TestBase.sol";
import {Merkle} from "./utils/Merkle.sol";

/// @notice Exposes the splitter's assembly leaf hashing and proof processing.
contract SplitterHashingHarness is RoyaltySplitter {
    constructor() RoyaltySplitter(address(1), address(1), address(1), address(1), 0, 0) {}

    function leaf(address account, IERC20 token, uint256 cumulativeAmount) external view returns (bytes32) {
        return _leaf(account, token, cumulativeAmount);
    }

    function processProof(bytes32 leaf_, bytes32[] calldata proof) external pure returns (bytes32) {
        return _processProof(leaf_, proof);
    }
}

/// @notice The assembly hashing must equal the Solidity / OpenZeppelin reference exactly: the
/// StandardMerkleTree leaf (double keccak of the ABI encoding) and MerkleProof's sorted-pair fold.
contract RoyaltySplitterHashingTest is TestBase {
    SplitterHashingHarness internal harness;

    function setUp() public {
        harness = new SplitterHashingHarness();
    }

    function testFuzz_Leaf_EqualsStandardMerkleTreeLeaf(address account, address token, uint256 cumulative) public view {
        bytes32 expected = keccak256(
            bytes.concat(keccak256(abi.encode(block.chainid, address(harness), token, account, cumulative)))
        );
        assertEq(harness.leaf(account, IERC20(token), cumulative), expected, "leaf");
        assertEq(Merkle.leaf(address(harness), token, account, cumulative), expected, "test helper leaf");
    }

    function testFuzz_ProcessProof_EqualsOpenZeppelin(bytes32 leaf, bytes32[] memory proof) public view {
        assertEq(harness.processProof(leaf, proof), MerkleProof.processProof(proof, leaf), "root");
    }

    /// Every proof length from 0 to 41, so each remainder of the four-way unrolled loop is covered
    /// whatever lengths the fuzzer picks; siblings equal to the node included.
    function test_ProcessProof_EqualsOpenZeppelin_everyLength() public view {
        for (uint256 n = 0; n <= 41; ++n) {
            bytes32[] memory proof = new bytes32[](n);
            bytes32 leaf = keccak256(abi.encode("leaf", n));
            for (uint256 i = 0; i < n; ++i) proof[i] = keccak256(abi.encode(n, i));
            assertEq(harness.processProof(leaf, proof), MerkleProof.processProof(proof, leaf), "root");
            if (n > 0) {
                proof[0] = leaf; // equal pair
                assertEq(harness.processProof(leaf, proof), MerkleProof.processProof(proof, leaf), "equal pair");
            }
        }
    }

    /// Trees of 1 to 40 leaves built by the reference helper: every leaf proves against the root.
    function test_ProcessProof_ProvesEveryLeafOfSmallTrees() public view {
        for (uint256 size = 1; size <= 40; ++size) {
            bytes32[] memory leaves = new bytes32[](size);
            for (uint256 i = 0; i < size; ++i) {
                leaves[i] = harness.leaf(address(uint160(i + 1)), IERC20(address(0xbeef)), i * 7 + 1);
            }
            bytes32 root = Merkle.root(leaves);
            for (uint256 i = 0; i < size; ++i) {
                assertEq(harness.processProof(leaves[i], Merkle.proof(leaves, i)), root, "proves");
            }
        }
    }
}
