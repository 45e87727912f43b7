import type { Signer } from 'ethers';
import { SiweMessage } from 'siwe';
import type { Session, SiweChallenge } from '@upstream/api-contract';
import { SessionStore } from './session-store';

/**
 * The CLI's credential for one API: `UPSTREAM_API_KEY` if set; else the session saved by
 * `upstream login`; else, when the command has a signing key at hand, a Sign-In with Ethereum
 * it performs by itself (and saves). A credential the server refuses is renewed once, if it can be.
 */
export class Authenticator {
  private current: string | undefined;
  private loaded = false;
  private signingIn: Promise<string> | undefined;

  constructor(
    readonly api: string,
    private readonly signer?: () => Promise<Signer>,
    private readonly store = new SessionStore(),
  ) {}

  /** `Authorization` header value if a credential is at hand (without signing in). */
  async header(): Promise<string | undefined> {
    if (!this.loaded) {
      this.loaded = true;
      const key = process.env.UPSTREAM_API_KEY;
      if (key) this.current = key;
      else {
        const session = await this.store.get(this.api);
        const signerAccount = this.signer ? (await (await this.signer()).getAddress()).toLowerCase() : undefined;
        // A saved session of another account than the key in use is not this command's.
        if (session && (!signerAccount || session.account === signerAccount)) this.current = session.token;
      }
    }
    return this.current === undefined ? undefined : `Bearer ${this.current}`;
  }

  /** A credential, signing in with the command's key if there is none yet; undefined if it cannot. */
  async ensure(): Promise<string | undefined> {
    return (await this.header()) ?? (this.signer ? this.signIn() : undefined);
  }

  /**
   * Whether a credential the server refused may be replaced. Never `UPSTREAM_API_KEY`: its refusal
   * (revoked, expired) stands, rather than the command going on anonymously behind the user's back.
   */
  get renewable(): boolean {
    return !process.env.UPSTREAM_API_KEY;
  }

  /** After a 401: a new session if a key is at hand, else none (the request goes on anonymously or fails). */
  async renew(): Promise<string | undefined> {
    this.current = undefined;
    if (!this.renewable) return undefined;
    if (!this.signer) {
      await this.store.delete(this.api);
      return undefined;
    }
    return this.signIn();
  }

  /**
   * Signs a SIWE message for this API with the command's key; saves and answers the session. Callers
   * that need it at the same time (a download's parallel fetches) share one sign-in.
   */
  signIn(): Promise<string> {
    this.signingIn ??= this.signInOnce().finally(() => (this.signingIn = undefined));
    return this.signingIn;
  }

  private async signInOnce(): Promise<string> {
    if (!this.signer) throw new Error('no signing key: set UPSTREAM_PRIVATE_KEY or pass --keystore <file>');
    const session = await signInWith(this.api, await this.signer());
    await this.store.set(this.api, session);
    this.current = session.token;
    this.loaded = true;
    return `Bearer ${session.token}`;
  }
}

/** Sign-In with Ethereum against `api`: nonce, EIP-4361 message, personal_sign, session. */
export async function signInWith(api: string, signer: Signer): Promise<Session> {
  const challenge = (await postJson(api, '/auth/nonce', undefined)) as SiweChallenge;
  const url = new URL(api);
  const message = new SiweMessage({
    domain: challenge.domain ?? url.host,
    address: await signer.getAddress(),
    statement: 'Sign in to Upstream from the command line',
    uri: challenge.uri ?? url.origin,
    version: '1',
    chainId: challenge.chainId,
    nonce: challenge.nonce,
    issuedAt: new Date().toISOString(),
  }).prepareMessage();
  const signature = await signer.signMessage(message);
  return (await postJson(api, '/auth/session', { message, signature })) as Session;
}

async function postJson(api: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, api), {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok) throw new Error(`sign-in refused: ${response.status} ${parsed.message ?? ''}`.trim());
  return parsed;
}
