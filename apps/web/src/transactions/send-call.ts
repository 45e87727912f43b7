// Sends a call from the connected wallet and waits for its receipt: the one way every page sends a
// transaction (pay, claim, vote, delegate, propose, queue, execute). Loaded with the first wallet action.
import { BrowserProvider } from 'ethers';
import type { ContractCall } from '@upstream/api-contract';
import type { Eip1193Provider } from '../wallet/eip6963';

/** A mined transaction. */
export interface SentTransaction {
  hash: string;
  block: number;
}

export class TransactionFailed extends Error {
  constructor(
    message: string,
    readonly hash: string,
  ) {
    super(message);
  }
}

/** Sends `call` from `account`; `onSent` hears the hash at once. A reverted transaction throws, naming its hash. */
export async function sendCall(
  provider: Eip1193Provider,
  account: string,
  call: ContractCall,
  onSent: (hash: string) => void,
): Promise<SentTransaction> {
  const signer = await new BrowserProvider(provider).getSigner(account);
  const sent = await signer.sendTransaction({ to: call.to, data: call.data });
  onSent(sent.hash);
  const receipt = await sent.wait();
  if (!receipt || receipt.status !== 1) throw new TransactionFailed('the transaction reverted', sent.hash);
  return { hash: sent.hash, block: receipt.blockNumber };
}
