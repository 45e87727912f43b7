import { Interface, keccak256, solidityPacked } from 'ethers';
import { artifacts } from '@upstream/chain';

const splitter = new Interface(artifacts.RoyaltySplitter.abi);
const erc20 = new Interface(['function approve(address spender, uint256 amount) returns (bool)']);

/** A transaction the client sends itself: `to` and ABI-encoded `data`. */
export interface ContractCall {
  to: string;
  data: string;
}

/** What a lab sends to pay `amount` of `token` for `runId`: the ERC-20 approve, then payRun. */
export interface PayRunInstructions {
  runId: string;
  splitter: string;
  token: string;
  amount: string;
  approve: ContractCall;
  call: ContractCall;
}

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
