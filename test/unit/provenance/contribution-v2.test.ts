// Contribution version 2 signs what the catalogue shows (title, description, external URI) as a
// hash of its canonical JSON; version 1 records keep verifying exactly as they were signed.
import { keccak256, toUtf8Bytes, TypedDataEncoder, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  CONTRIBUTION_V1_TYPES,
  CONTRIBUTION_VERSION,
  contributionMetadataHash,
  contributionTypedData,
  recoverSigner,
  upstreamDomain,
  validateContribution,
  type ContributionMessage,
} from '@upstream/provenance';
import type { ApiClient } from '../../../apps/cli/src/cli-context';
import { checkRegistrationSignature } from '../../../apps/cli/src/commands/contribution.command';
import type { DatasetDetail } from '@upstream/api-contract';

const domain = upstreamDomain(31337n, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const h = (byte: string) => '0x' + byte.repeat(32);
const alice = new Wallet('0x' + '01'.repeat(32));
const metadata = { title: 'Street cats', description: '', externalUri: null };
const base: ContributionMessage = {
  contentRoot: h('aa'),
  owners: [{ account: alice.address, shareBps: 10_000 }],
  parents: [],
  licenseTermsHash: h('cc'),
  nonce: 7n,
  deadline: 1_800_000_000n,
};

describe('Contribution version 2: the shown metadata is signed', () => {
  it('hashes the canonical JSON of title, description and external URI (keys sorted, no whitespace)', () => {
    expect(contributionMetadataHash(metadata)).toBe(
      keccak256(toUtf8Bytes('{"description":"","externalUri":null,"title":"Street cats"}')),
    );
    expect(
      contributionMetadataHash({ title: 'Ünïcode ✓', description: 'a "quoted"\nline', externalUri: 'ipfs://bafy' }),
    ).toBe(
      keccak256(toUtf8Bytes('{"description":"a \\"quoted\\"\\nline","externalUri":"ipfs://bafy","title":"Ünïcode ✓"}')),
    );
    // Each field counts: nothing shown can change without changing the hash.
    const hashes = new Set(
      [
        metadata,
        { ...metadata, title: 'Street cats ' },
        { ...metadata, description: ' ' },
        { ...metadata, externalUri: '' },
        { ...metadata, externalUri: 'https://x' },
      ].map(contributionMetadataHash),
    );
    expect(hashes.size).toBe(5);
  });

  // Both versions' type strings are pinned once, with every other type's, in signed-message.rules.test.ts.
  it('signs version 2 by default and keeps version 1 verifying as it was', () => {
    expect(CONTRIBUTION_VERSION).toBe(2);
    const v1 = contributionTypedData(domain, base, 1);
    expect(v1.digest).toBe(TypedDataEncoder.hash(domain, CONTRIBUTION_V1_TYPES, base));
    const v2 = contributionTypedData(domain, { ...base, metadataHash: contributionMetadataHash(metadata) }, 2);
    expect(v2.digest).not.toBe(v1.digest);
    // Wallets show the same primary type name for both versions.
    expect([v1.primaryType, v2.primaryType]).toEqual(['Contribution', 'Contribution']);
    // Without a version, the message says which it is.
    expect(contributionTypedData(domain, base).digest).toBe(v1.digest);
    expect(contributionTypedData(domain, { ...base, metadataHash: contributionMetadataHash(metadata) }).digest).toBe(
      v2.digest,
    );
  });

  it('refuses a version that does not fit the message, and a malformed metadataHash', () => {
    expect(() => contributionTypedData(domain, base, 2)).toThrow(/needs metadataHash/);
    expect(() => contributionTypedData(domain, { ...base, metadataHash: h('dd') }, 1)).toThrow(/no metadataHash/);
    expect(validateContribution({ ...base, metadataHash: '0x1234' }, { nowSeconds: 0n })).toEqual([
      expect.objectContaining({ field: 'metadataHash' }),
    ]);
    expect(validateContribution({ ...base, metadataHash: h('dd') }, { nowSeconds: 0n })).toEqual([]);
  });

  it('a signature over one title does not verify for another', async () => {
    const signed = contributionTypedData(domain, { ...base, metadataHash: contributionMetadataHash(metadata) }, 2);
    const signature = await alice.signTypedData(signed.domain, signed.types, signed.message);
    expect(recoverSigner(signed, signature)).toBe(alice.address);
    const retitled = contributionTypedData(
      domain,
      { ...base, metadataHash: contributionMetadataHash({ ...metadata, title: 'Street dogs' }) },
      2,
    );
    expect(recoverSigner(retitled, signature)).not.toBe(alice.address);
  });
});

describe('upstream verify: the registration signature, under the version the record was signed with', () => {
  const client = {
    call: (name: string) => {
      if (name !== 'getChain') throw new Error(`unexpected call ${name}`);
      return Promise.resolve({ eip712Domain: domain });
    },
  } as unknown as ApiClient;

  async function record(version: 1 | 2, shown = metadata): Promise<DatasetDetail> {
    const message: ContributionMessage =
      version === 2 ? { ...base, metadataHash: contributionMetadataHash(metadata) } : base;
    const td = contributionTypedData(domain, message, version);
    return {
      contentRoot: base.contentRoot,
      title: shown.title,
      description: shown.description,
      externalUri: shown.externalUri,
      owners: [{ account: alice.address.toLowerCase(), shareBps: 10_000 }],
      parents: [],
      license: { termsHash: base.licenseTermsHash },
      nonce: base.nonce.toString(),
      deadline: new Date(Number(base.deadline) * 1000).toISOString(),
      contributionVersion: version,
      digest: td.digest,
      signature: await alice.signTypedData(td.domain, td.types, td.message),
    } as unknown as DatasetDetail;
  }

  it('verifies a version 2 record and says its metadata is signed; a changed title no longer verifies', async () => {
    expect(await checkRegistrationSignature(client, await record(2))).toEqual({
      digestMatches: true,
      signer: alice.address.toLowerCase(),
      signerIsOwner: true,
      metadataSigned: true,
    });
    const changed = await checkRegistrationSignature(client, await record(2, { ...metadata, title: 'Street dogs' }));
    expect(changed.digestMatches).toBe(false);
    expect(changed.signerIsOwner).toBe(false);
  });

  it('verifies a version 1 record as it was signed, saying its metadata was not', async () => {
    const v1 = await checkRegistrationSignature(client, await record(1, { ...metadata, title: 'anything' }));
    expect(v1).toEqual({
      digestMatches: true,
      signer: alice.address.toLowerCase(),
      signerIsOwner: true,
      metadataSigned: false,
    });
  });
});
