import { getAddress, Interface, keccak256, solidityPacked } from 'ethers';
import type { Address, PayRunInstructions } from '@upstream/api-contract';
import { artifacts } from '@upstream/chain';

const splitter = new Interface(artifacts.RoyaltySplitter.abi);
const erc20 = new Interface(['function approve(address spender, uint256 amount) returns (bool)']);

/** What a lab sends to pay `amount` of `token` for `runId`; the splitter shown as its EIP-55 checksum, as wallets show it. */
export function payRunInstructions(
  splitterAddress: Address,
  runId: string,
  token: string,
  amount: bigint,
): PayRunInstructions {
  const shown = getAddress(splitterAddress);
  return {
    runId,
    splitter: shown,
    token,
    amount: amount.toString(),
    approve: { to: token, data: erc20.encodeFunctionData('approve', [shown, amount]) },
    call: { to: shown, data: splitter.encodeFunctionData('payRun', [runId, token, amount]) },
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
