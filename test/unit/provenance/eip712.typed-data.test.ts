import { Wallet } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertValidContribution,
  contributionTypedData,
  licenseAcceptanceTypedData,
  ProvenanceValidationError,
  recoverSigner,
  trainingRunTypedData,
  upstreamDomain,
  validateContribution,
  validateLicenseAcceptance,
  validateTrainingRun,
  type ContributionMessage,
} from '@upstream/provenance';

const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const domain = upstreamDomain(31337n, registry);
const now = 1_800_000_000n;
const h = (byte: string) => '0x' + byte.repeat(32);
const alice = new Wallet('0x' + '01'.repeat(32));
const bob = new Wallet('0x' + '02'.repeat(32));

const contribution = (over: Partial<ContributionMessage> = {}): ContributionMessage => ({
  contentRoot: h('aa'),
  owners: [
    { account: alice.address, shareBps: 7000 },
    { account: bob.address, shareBps: 3000 },
  ],
  parents: [{ datasetId: h('bb'), upstreamBps: 1500 }],
  licenseTermsHash: h('cc'),
  nonce: 1n,
  deadline: now + 3600n,
  ...over,
});

describe('EIP-712 messages', () => {
  it('round-trips a Contribution signature through recoverSigner, and rejects other signers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        fc.integer({ min: 1, max: 9999 }),
        async (nonce, share) => {
          const message = contribution({
            nonce,
            owners: [
              { account: alice.address, shareBps: share },
              { account: bob.address, shareBps: 10_000 - share },
            ],
          });
          const td = contributionTypedData(domain, message);
          const signature = await alice.signTypedData(td.domain, td.types, td.message);
          expect(recoverSigner(td, signature)).toBe(alice.address);
          expect(recoverSigner(td, await bob.signTypedData(td.domain, td.types, td.message))).not.toBe(alice.address);
          // Same signature on another chain or another message does not recover alice.
          expect(recoverSigner(contributionTypedData(upstreamDomain(1n, registry), message), signature)).not.toBe(
            alice.address,
          );
          expect(recoverSigner(contributionTypedData(domain, { ...message, nonce: nonce ^ 1n }), signature)).not.toBe(
            alice.address,
          );
        },
      ),
      { numRuns: 8 },
    );
  });

  it('signs and recovers TrainingRun and LicenseAcceptance too', async () => {
    const run = trainingRunTypedData(domain, {
      runRef: h('01'),
      modelName: 'upstream-7b',
      modelHash: h('02'),
      entriesRoot: h('03'),
      entryCount: 2n,
      weightUnit: 'tokens',
      startedAt: 1_700_000_000n,
      endedAt: 1_700_086_400n,
      nonce: 0n,
      deadline: now + 60n,
    });
    expect(recoverSigner(run, await bob.signTypedData(run.domain, run.types, run.message))).toBe(bob.address);
    expect(validateTrainingRun(run.message, { nowSeconds: now })).toEqual([]);
    const acceptance = licenseAcceptanceTypedData(domain, {
      datasetId: h('aa'),
      termsHash: h('cc'),
      licensee: bob.address,
      nonce: 5n,
      deadline: now + 60n,
    });
    expect(
      recoverSigner(acceptance, await bob.signTypedData(acceptance.domain, acceptance.types, acceptance.message)),
    ).toBe(bob.address);
    expect(validateLicenseAcceptance(acceptance.message, { nowSeconds: now })).toEqual([]);
    expect(acceptance.digest).not.toBe(run.digest);
  });

  it('accepts a valid Contribution', () => {
    expect(validateContribution(contribution(), { nowSeconds: now })).toEqual([]);
    expect(validateContribution(contribution({ parents: [] }), { nowSeconds: now })).toEqual([]);
  });

  it.each<[string, Partial<ContributionMessage>, string]>([
    ['shares not summing to 10000', { owners: [{ account: alice.address, shareBps: 5000 }] }, 'owners'],
    ['no owners', { owners: [] }, 'owners'],
    [
      'a zero share',
      {
        owners: [
          { account: alice.address, shareBps: 10_000 },
          { account: bob.address, shareBps: 0 },
        ],
      },
      'owners[1].shareBps',
    ],
    [
      'a repeated owner',
      {
        owners: [
          { account: alice.address, shareBps: 5000 },
          { account: alice.address.toLowerCase(), shareBps: 5000 },
        ],
      },
      'owners[1].account',
    ],
    ['a malformed account', { owners: [{ account: '0x1234', shareBps: 10_000 }] }, 'owners[0].account'],
    ['the zero address', { owners: [{ account: '0x' + '0'.repeat(40), shareBps: 10_000 }] }, 'owners[0].account'],
    [
      'upstream over 10000',
      {
        parents: [
          { datasetId: h('bb'), upstreamBps: 6000 },
          { datasetId: h('dd'), upstreamBps: 6000 },
        ],
      },
      'parents',
    ],
    [
      'a repeated parent',
      {
        parents: [
          { datasetId: h('bb'), upstreamBps: 10 },
          { datasetId: h('bb'), upstreamBps: 10 },
        ],
      },
      'parents[1].datasetId',
    ],
    ['itself as parent', { parents: [{ datasetId: h('aa'), upstreamBps: 10 }] }, 'parents[0].datasetId'],
    ['a short content root', { contentRoot: '0x1234' }, 'contentRoot'],
    ['a non-hex terms hash', { licenseTermsHash: 'zz' }, 'licenseTermsHash'],
    ['a past deadline', { deadline: now }, 'deadline'],
    ['a negative nonce', { nonce: -1n }, 'nonce'],
  ])('refuses %s naming the field', (_why, over, field) => {
    const errors = validateContribution(contribution(over), { nowSeconds: now });
    expect(errors.map((e) => e.field)).toContain(field);
    expect(() => assertValidContribution(contribution(over), { nowSeconds: now })).toThrow(ProvenanceValidationError);
  });
});
