import { createHash } from 'node:crypto';
import { Contract, ContractFactory, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContentTree, type UpstreamDomain } from '@upstream/provenance';
import { signRegistration } from '../../apps/cli/src/contribution/registration';
import { startTestApp, type TestApp } from '../support/app';
import { siweMessage } from '../support/auth';
import { signLicense, signRunManifest } from '../support/catalogue-fixtures';
import { testArtifact } from '../support/test-artifacts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
enum Mode {
  Valid = 0,
  WrongMagic = 1,
  Reverts = 2,
}

/**
 * Labs and data DAOs hold their accounts in contract wallets (a Safe). Wherever an account key's
 * signature is accepted, a contract wallet's is too, through ERC-1271 `isValidSignature` — and a
 * wallet that answers anything but the magic value, or reverts, is refused.
 */
describe('contract wallets (ERC-1271) sign in, contribute, license and record runs', () => {
  let t: TestApp;
  let domain: UpstreamDomain;
  let keyHolder: Wallet;
  let wallet: Contract;
  let address: string;

  beforeAll(async () => {
    t = await startTestApp({ ANCHOR_INTERVAL_MS: '3600000' });
    domain = (await t.http.get('/chain').expect(200)).body.eip712Domain;
    keyHolder = new Wallet(t.chain.privateKey(7));
    const mock = testArtifact('ContractWalletMock');
    const factory = new ContractFactory(
      mock.abi as never,
      mock.bytecode,
      t.chain.wallet(9), // not 0: the operator's nonces belong to the outbox
    );
    wallet = (await (await factory.deploy(keyHolder.address)).waitForDeployment()) as unknown as Contract;
    address = (await wallet.getAddress()).toLowerCase();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function setMode(mode: Mode) {
    const tx = (await wallet.getFunction('setMode')(mode)) as { wait(): Promise<unknown> };
    await tx.wait();
  }

  /** The key holder signs for the wallet: the SIWE message names the wallet's address. */
  async function signInAsWallet(): Promise<Response> {
    const message = await siweMessage(t.baseUrl, keyHolder, { address: await wallet.getAddress() });
    return fetch(new URL('/auth/session', t.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message, signature: await keyHolder.signMessage(message) }),
    });
  }

  it('refuses a wallet that answers the wrong magic value, or reverts', async () => {
    for (const mode of [Mode.WrongMagic, Mode.Reverts]) {
      await setMode(mode);
      const res = await signInAsWallet();
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('SIWE_INVALID');
      expect(body.message).toContain(mode === Mode.Reverts ? 'reverted' : '0xdeadbeef');
    }
    await setMode(Mode.Valid);
  });

  it('signs in, uploads and registers a dataset it owns, and fetches its bytes — all as the wallet', async () => {
    const signedIn = await signInAsWallet();
    expect(signedIn.status).toBe(201);
    const { token, account } = (await signedIn.json()) as { token: string; account: string };
    expect(account).toBe(address);
    const auth = { authorization: `Bearer ${token}` };

    const bytes = Buffer.from('a data DAO contributes');
    await t.http.put('/blobs').set(auth).set('content-type', 'application/octet-stream').send(bytes).expect(200);
    const tree = await buildContentTree([{ path: 'dao.txt', size: BigInt(bytes.length), sha256: sha256(bytes) }]);
    // The key holder signs the Contribution; the owner is the wallet.
    const body = await signRegistration(keyHolder, {
      entries: [...tree.entries],
      contentRoot: tree.root,
      title: 'DAO data',
      owners: [{ account: address, shareBps: 10_000 }],
      license: { template: 'research-only' },
      domain,
    });
    const registered = await t.http.post('/datasets').set(auth).send(body);
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    expect(registered.body.registrant).toBe(address);

    // The wallet owns it: it may fetch its licensed bytes, which a stranger may not.
    await t.http.get(`/datasets/${registered.body.id}/files/content?path=dao.txt`).set(auth).expect(200);
    await (await t.as(5)).get(`/datasets/${registered.body.id}/files/content?path=dao.txt`).expect(403);
  });

  it('accepts a LicenseAcceptance and a TrainingRun signed for the wallet, and refuses them when the wallet says no', async () => {
    const bytes = Buffer.from('licensed to a multisig lab');
    const owner = await t.as(3);
    await owner.put('/blobs').set('content-type', 'application/octet-stream').send(bytes).expect(200);
    const tree = await buildContentTree([{ path: 'x.txt', size: BigInt(bytes.length), sha256: sha256(bytes) }]);
    const registered = await owner
      .post('/datasets')
      .send(
        await signRegistration(new Wallet(t.chain.privateKey(3)), {
          entries: [...tree.entries],
          contentRoot: tree.root,
          title: 'for the lab',
          license: { template: 'research-only' },
          domain,
        }),
      )
      .expect(201);

    // The wallet as signer: ethers signs with the key holder but names the wallet as licensee/lab.
    const asWallet = { address, signTypedData: keyHolder.signTypedData.bind(keyHolder) };
    const acceptance = await signLicense(asWallet, domain, {
      datasetId: tree.root,
      termsHash: registered.body.license.termsHash as string,
    });
    await setMode(Mode.WrongMagic);
    const refused = await t.http.post('/licenses').send(acceptance).expect(400);
    expect(refused.body.error).toBe('INVALID_SIGNATURE');
    await setMode(Mode.Valid);
    const accepted = await t.http.post('/licenses').send(acceptance).expect(201);
    expect(accepted.body.license).toMatchObject({ licensee: address, status: 'active' });

    const signedIn = await signInAsWallet();
    const { token } = (await signedIn.json()) as { token: string };
    const run = await signRunManifest(asWallet, domain, { entries: [{ datasetId: tree.root, weight: 5n }] });
    const recorded = await t.http
      .post('/runs')
      .set('authorization', `Bearer ${token}`)
      .send({ ...run.body, entries: [{ datasetId: tree.root, weight: '5' }] });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
    expect(recorded.body.status).toBe('committed');
  });
});
