import { Injectable } from '@nestjs/common';
import { Contract, recoverAddress, Signature } from 'ethers';
import type { Address } from '@upstream/api-contract';
import { ChainService } from '../chain/chain.service';

/** ERC-1271's answer for a valid signature: `bytes4(keccak256("isValidSignature(bytes32,bytes)"))`. */
export const ERC1271_MAGIC_VALUE = '0x1626ba7e';
const ERC1271_ABI = ['function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)'];

export type SignatureCheck =
  | { valid: true; by: 'eoa' | 'erc1271' }
  | {
      valid: false;
      reason: string;
      /** The EOA the signature recovers to (checksummed), if it is one. */ recovered?: string;
    };

/**
 * Whether `signature` over `digest` is `signer`'s: an EOA's ECDSA signature, or, when `signer` is a
 * contract (a Safe, a DAO), its ERC-1271 `isValidSignature` answering the magic value at the latest
 * block. Used for Sign-In with Ethereum and every signed EIP-712 message (Contribution,
 * LicenseAcceptance, TrainingRun, LicensingChange); a contract that reverts or answers anything else
 * is refused.
 */
/** Contract-wallet candidates whose code is fetched at once. */
const CODE_BATCH = 100;

@Injectable()
export class SignatureVerifier {
  constructor(private readonly chain: ChainService) {}

  /** Of `candidates`, the first contract wallet that accepts `signature` over `digest` (ERC-1271), if any. */
  async contractSigner(
    digest: string,
    signature: string,
    candidates: readonly Address[],
  ): Promise<Address | undefined> {
    // Codes asked together, CODE_BATCH at a time (one JSON-RPC batch), not one round trip per owner:
    // a registration may list 10,000 owners.
    for (let i = 0; i < candidates.length; i += CODE_BATCH) {
      const slice = candidates.slice(i, i + CODE_BATCH);
      const codes = await Promise.all(slice.map((candidate) => this.chain.provider.getCode(candidate)));
      for (let k = 0; k < slice.length; k++) {
        if (codes[k] === '0x') continue;
        if ((await this.check(digest, signature, slice[k])).valid) return slice[k];
      }
    }
    return undefined;
  }

  async check(digest: string, signature: string, signer: Address): Promise<SignatureCheck> {
    let recovered: string | undefined;
    try {
      recovered = recoverAddress(digest, Signature.from(signature));
    } catch {
      recovered = undefined; // not a 65-byte ECDSA signature: a contract wallet may still accept it
    }
    if (recovered?.toLowerCase() === signer) return { valid: true, by: 'eoa' };
    const code = await this.chain.provider.getCode(signer);
    if (code === '0x')
      return recovered
        ? { valid: false, reason: `signed by ${recovered.toLowerCase()}`, recovered }
        : { valid: false, reason: 'is not a valid signature' };
    try {
      const wallet = new Contract(signer, ERC1271_ABI, this.chain.provider);
      const answer = (await wallet.getFunction('isValidSignature').staticCall(digest, signature)) as string;
      return answer.toLowerCase() === ERC1271_MAGIC_VALUE
        ? { valid: true, by: 'erc1271' }
        : { valid: false, reason: `the contract wallet's isValidSignature answered ${answer}` };
    } catch {
      return { valid: false, reason: "the contract wallet's isValidSignature reverted" };
    }
  }
}
