import { Wallet, type Signer } from 'ethers';
import { SiweMessage } from 'siwe';

/** Signs in to the API at `baseUrl` with Sign-In with Ethereum, as a browser or the CLI would; answers the session token. */
export async function signIn(baseUrl: string, signer: Signer, options: { statement?: string } = {}): Promise<string> {
  const message = await siweMessage(baseUrl, signer, options);
  const signature = await signer.signMessage(message);
  const response = await fetch(new URL('/auth/session', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, signature }),
  });
  const body = (await response.json()) as { token?: string; message?: string };
  if (response.status !== 201 || !body.token) throw new Error(`sign-in failed: ${response.status} ${body.message}`);
  return body.token;
}

/** A fresh SIWE message for `baseUrl` (nonce from POST /auth/nonce), with fields overridable for hostile tests. */
export async function siweMessage(
  baseUrl: string,
  signer: Signer,
  overrides: Partial<
    Pick<
      SiweMessage,
      'domain' | 'uri' | 'chainId' | 'nonce' | 'issuedAt' | 'expirationTime' | 'notBefore' | 'statement' | 'address'
    >
  > = {},
): Promise<string> {
  const issued = await fetch(new URL('/auth/nonce', baseUrl), { method: 'POST' });
  if (issued.status !== 200) throw new Error(`POST /auth/nonce: ${issued.status} ${await issued.text()}`);
  const challenge = (await issued.json()) as { nonce: string; chainId: number };
  const url = new URL(baseUrl);
  return new SiweMessage({
    domain: url.host,
    address: await signer.getAddress(),
    statement: 'Sign in to Upstream',
    uri: url.origin,
    version: '1',
    chainId: challenge.chainId,
    nonce: challenge.nonce,
    issuedAt: new Date().toISOString(),
    ...overrides,
  }).prepareMessage();
}

/** A signer for a raw private key (tests sign SIWE messages off-chain). */
export const walletFor = (privateKey: string): Wallet => new Wallet(privateKey);
