import { BrowserProvider } from 'ethers';
import { SiweMessage } from 'siwe';
import { api } from '../api/client';
import type { Eip1193Provider } from './eip6963';

/** Sign-In with Ethereum (EIP-4361): a nonce from the API, the message signed in the wallet, a session back. */
export async function signInWithEthereum(provider: Eip1193Provider, address: string): Promise<string> {
  const challenge = await api('createSiweNonce');
  const signer = await new BrowserProvider(provider).getSigner(address);
  const message = new SiweMessage({
    domain: challenge.domain ?? window.location.host,
    address: await signer.getAddress(),
    statement: 'Sign in to Upstream',
    uri: challenge.uri ?? window.location.origin,
    version: '1',
    chainId: challenge.chainId,
    nonce: challenge.nonce,
    issuedAt: new Date().toISOString(),
  }).prepareMessage();
  const signature = await signer.signMessage(message);
  const session = await api('signIn', { body: { message, signature } });
  return session.token;
}
