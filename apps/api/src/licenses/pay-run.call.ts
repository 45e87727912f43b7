import { Interface, keccak256, solidityPacked } from 'ethers';
import type { PayRunInstructions } from '@upstream/api-contract';
import { artifacts } from '@upstream/chain';

const splitter = new Interface(artifacts.RoyaltySplitter.abi);
const erc20 = new Interface(['function approve(address spender, uint256 amount) returns (bool)']);

export function payRunInstructions(
  splitterAddress: string,
  runId: string,
  token: string,
  amount: bigint,
): PayRunInstructions {
  return {
    runId,
    splitter: splitterAddress,
    token,
    amount: amount.toString(),
    approve: { to: token, data: erc20.encodeFunctionData('approve', [splitterAddress, amount]) },
    call: { to: splitterAddress, data: splitter.encodeFunctionData('payRun', [runId, token, amount]) },
  };
}

/**
 * The bytes32 a lab passes as `runId` to `payRun` to pay a license fee:
 * keccak256(abi.encodePacked("upstream:license-payment:", licenseDigest)), where licenseDigest
 * is the EIP-712 digest of the signed LicenseAcceptance. Anyone can recompute it.
 */
export function licensePaymentRef(licenseDigest: string): string {
  return keccak256(solidityPacked(['string', 'bytes32'], ['upstream:license-payment:', licenseDigest]));
}
