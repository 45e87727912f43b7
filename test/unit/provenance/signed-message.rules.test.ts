import { TypedDataEncoder, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  assertValidContribution,
  assertValidLicenseAcceptance,
  assertValidTrainingRun,
  CONTRIBUTION_TYPES,
  CONTRIBUTION_V1_TYPES,
  contributionTypedData,
  LICENSE_ACCEPTANCE_TYPES,
  ProvenanceValidationError,
  TRAINING_RUN_TYPES,
  typedDataPayload,
  upstreamDomain,
  validateContribution,
  validateDomain,
  validateLicenseAcceptance,
  validateTrainingRun,
  type ContributionMessage,
  type LicenseAcceptanceMessage,
  type TrainingRunMessage,
  type UpstreamDomain,
} from '@upstream/provenance';

const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const now = 1_800_000_000n;
const opts = { nowSeconds: now };
const h = (byte: string) => '0x' + byte.repeat(32);
const alice = new Wallet('0x' + '01'.repeat(32)).address;
const bob = new Wallet('0x' + '02'.repeat(32)).address;

const contribution = (over: Partial<ContributionMessage> = {}): ContributionMessage => ({
  contentRoot: h('aa'),
  owners: [{ account: alice, shareBps: 10_000 }],
  parents: [],
  licenseTermsHash: h('cc'),
  nonce: 0n,
  deadline: now + 1n,
  ...over,
});
const run = (over: Partial<TrainingRunMessage> = {}): TrainingRunMessage => ({
  runRef: h('01'),
  modelName: 'm',
  modelHash: h('02'),
  entriesRoot: h('03'),
  entryCount: 1n,
  weightUnit: 'tokens',
  startedAt: 5n,
  endedAt: 5n,
  nonce: (1n << 256n) - 1n,
  deadline: now + 1n,
  ...over,
});
const acceptance = (over: Partial<LicenseAcceptanceMessage> = {}): LicenseAcceptanceMessage => ({
  datasetId: h('aa'),
  termsHash: h('bb'),
  licensee: bob,
  nonce: 3n,
  deadline: now + 1n,
  ...over,
});
const fields = (errors: { field: string }[]) => errors.map((e) => e.field);

describe('EIP-712 types (what wallets sign and the contracts hash)', () => {
  it('has exactly these type strings', () => {
    expect(TypedDataEncoder.from(CONTRIBUTION_TYPES).encodeType('Contribution')).toBe(
      'Contribution(bytes32 contentRoot,bytes32 metadataHash,Owner[] owners,Parent[] parents,bytes32 licenseTermsHash,uint256 nonce,uint256 deadline)' +
        'Owner(address account,uint16 shareBps)Parent(bytes32 datasetId,uint16 upstreamBps)',
    );
    expect(TypedDataEncoder.from(CONTRIBUTION_V1_TYPES).encodeType('Contribution')).toBe(
      'Contribution(bytes32 contentRoot,Owner[] owners,Parent[] parents,bytes32 licenseTermsHash,uint256 nonce,uint256 deadline)' +
        'Owner(address account,uint16 shareBps)Parent(bytes32 datasetId,uint16 upstreamBps)',
    );
    expect(TypedDataEncoder.from(TRAINING_RUN_TYPES).encodeType('TrainingRun')).toBe(
      'TrainingRun(bytes32 runRef,string modelName,bytes32 modelHash,bytes32 entriesRoot,uint256 entryCount,' +
        'string weightUnit,uint64 startedAt,uint64 endedAt,uint256 nonce,uint256 deadline)',
    );
    expect(TypedDataEncoder.from(LICENSE_ACCEPTANCE_TYPES).encodeType('LicenseAcceptance')).toBe(
      'LicenseAcceptance(bytes32 datasetId,bytes32 termsHash,address licensee,uint256 nonce,uint256 deadline)',
    );
  });

  it('builds the domain and the wallet payload with EIP712Domain', () => {
    const domain = upstreamDomain(31337n, registry);
    expect(domain).toEqual({ name: 'Upstream', version: '1', chainId: 31337n, verifyingContract: registry });
    const td = contributionTypedData(domain, contribution());
    expect(td.primaryType).toBe('Contribution');
    // A message without metadataHash is a version 1 Contribution (the first records).
    expect(td.digest).toBe(TypedDataEncoder.hash(domain, CONTRIBUTION_V1_TYPES, contribution()));
    const payload = typedDataPayload(td) as { primaryType: string; types: Record<string, unknown> };
    expect(payload.primaryType).toBe('Contribution');
    expect(Object.keys(payload.types).sort()).toEqual(['Contribution', 'EIP712Domain', 'Owner', 'Parent']);
  });
});

describe('validateDomain', () => {
  const domain = upstreamDomain(31337n, registry);
  it('accepts the Upstream domain and names each bad field', () => {
    expect(validateDomain(domain)).toEqual([]);
    expect(validateDomain({ ...domain, chainId: 1 })).toEqual([]);
    expect(fields(validateDomain({ ...domain, name: 'upstream' as 'Upstream' }))).toEqual(['domain.name']);
    expect(fields(validateDomain({ ...domain, version: '2' as '1' }))).toEqual(['domain.version']);
    expect(fields(validateDomain({ ...domain, chainId: 0n }))).toEqual(['domain.chainId']);
    expect(fields(validateDomain({ ...domain, chainId: -1n }))).toEqual(['domain.chainId']);
    expect(fields(validateDomain({ ...domain, chainId: 1n << 256n }))).toEqual(['domain.chainId']);
    expect(fields(validateDomain({ ...domain, verifyingContract: '0x' + '00'.repeat(20) }))).toEqual([
      'domain.verifyingContract',
    ]);
    expect(fields(validateDomain({ ...domain, verifyingContract: registry.slice(2) }))).toEqual([
      'domain.verifyingContract',
    ]);
    expect(fields(validateDomain(undefined as unknown as UpstreamDomain))).toEqual([
      'domain.name',
      'domain.version',
      'domain.chainId',
      'domain.verifyingContract',
    ]);
    expect(validateDomain({ ...domain, chainId: 0n })[0].reason).toBe('must not be 0');
  });
});

describe('validateContribution: the boundaries', () => {
  it('accepts a sole owner at exactly 10000 bps, parents summing to exactly 10000, and a deadline one second ahead', () => {
    expect(validateContribution(contribution(), opts)).toEqual([]);
    const parents = [
      { datasetId: h('bb'), upstreamBps: 4_000 },
      { datasetId: h('dd'), upstreamBps: 6_000 },
    ];
    expect(validateContribution(contribution({ parents }), opts)).toEqual([]);
    expect(validateContribution(contribution({ parents: [{ datasetId: h('bb'), upstreamBps: 0 }] }), opts)).toEqual([]);
    expect(() => assertValidContribution(contribution({ parents }), opts)).not.toThrow();
  });

  it.each<[string, Partial<ContributionMessage>, string[]]>([
    ['an owner share of 10001', { owners: [{ account: alice, shareBps: 10_001 }] }, ['owners[0].shareBps']],
    [
      'an owner share of 0',
      {
        owners: [
          { account: alice, shareBps: 10_000 },
          { account: bob, shareBps: 0 },
        ],
      },
      ['owners[1].shareBps'],
    ],
    [
      'a fractional share',
      {
        owners: [
          { account: alice, shareBps: 9_999.5 },
          { account: bob, shareBps: 0.5 },
        ],
      },
      ['owners[0].shareBps', 'owners[1].shareBps'],
    ],
    ['owners summing to 9999', { owners: [{ account: alice, shareBps: 9_999 }] }, ['owners']],
    [
      'owners summing to 10001',
      {
        owners: [
          { account: alice, shareBps: 5_001 },
          { account: bob, shareBps: 5_000 },
        ],
      },
      ['owners'],
    ],
    ['no owners', { owners: [] }, ['owners']],
    ['owners not a list', { owners: 'x' as never }, ['owners']],
    ['the zero address', { owners: [{ account: '0x' + '00'.repeat(20), shareBps: 10_000 }] }, ['owners[0].account']],
    [
      'a repeated owner (case aside)',
      {
        owners: [
          { account: alice, shareBps: 5_000 },
          { account: alice.toLowerCase(), shareBps: 5_000 },
        ],
      },
      ['owners[1].account'],
    ],
    ['an address without 0x', { owners: [{ account: alice.slice(2), shareBps: 10_000 }] }, ['owners[0].account']],
    [
      'a bad checksum',
      { owners: [{ account: '0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', shareBps: 10_000 }] },
      ['owners[0].account'],
    ],
    [
      'parents summing to 10001',
      {
        parents: [
          { datasetId: h('bb'), upstreamBps: 5_001 },
          { datasetId: h('dd'), upstreamBps: 5_000 },
        ],
      },
      ['parents'],
    ],
    [
      'an upstream share of 10001',
      { parents: [{ datasetId: h('bb'), upstreamBps: 10_001 }] },
      ['parents[0].upstreamBps'],
    ],
    ['a negative upstream share', { parents: [{ datasetId: h('bb'), upstreamBps: -1 }] }, ['parents[0].upstreamBps']],
    [
      'a repeated parent (case aside)',
      {
        parents: [
          { datasetId: h('bb'), upstreamBps: 1 },
          { datasetId: h('BB'), upstreamBps: 1 },
        ],
      },
      ['parents[1].datasetId'],
    ],
    ['itself as parent (case aside)', { parents: [{ datasetId: h('AA'), upstreamBps: 1 }] }, ['parents[0].datasetId']],
    ['a bad parent id', { parents: [{ datasetId: h('bb').slice(0, 64), upstreamBps: 1 }] }, ['parents[0].datasetId']],
    ['parents not a list', { parents: undefined }, ['parents']],
    ['a content root with junk after it', { contentRoot: h('aa') + '0' }, ['contentRoot']],
    ['a content root with junk before it', { contentRoot: ' ' + h('aa') }, ['contentRoot']],
    ['a deadline now', { deadline: now }, ['deadline']],
    ['a nonce over uint256', { nonce: 1n << 256n }, ['nonce']],
    ['a nonce that is not an integer', { nonce: 1.5 as never }, ['nonce']],
    ['a nonce string with junk', { nonce: '12x' as never }, ['nonce']],
  ])('refuses %s, naming exactly the fields to blame', (_why, over, expected) => {
    const errors = validateContribution(contribution(over), opts);
    expect(fields(errors)).toEqual(expected);
    expect(() => assertValidContribution(contribution(over), opts)).toThrow(ProvenanceValidationError);
    try {
      assertValidContribution(contribution(over), opts);
    } catch (error) {
      expect((error as ProvenanceValidationError).errors).toEqual(errors);
      expect((error as ProvenanceValidationError).field).toBe(expected[0]);
    }
  });

  it('takes nonces and deadlines as bigint, safe integer or decimal/hex string', () => {
    expect(
      validateContribution(
        contribution({ nonce: 5 as never, deadline: ('0x' + (now + 10n).toString(16)) as never }),
        opts,
      ),
    ).toEqual([]);
    expect(validateContribution(contribution({ deadline: String(now + 10n) as never }), opts)).toEqual([]);
    expect(fields(validateContribution(contribution({ nonce: (2 ** 53) as never }), opts))).toEqual(['nonce']);
    expect(fields(validateContribution(contribution({ nonce: -1 as never }), opts))).toEqual(['nonce']);
  });

  it('uses the wall clock when no time is given', () => {
    const soon = BigInt(Math.floor(Date.now() / 1000)) + 600n;
    expect(validateContribution(contribution({ deadline: soon }))).toEqual([]);
    expect(fields(validateContribution(contribution({ deadline: soon - 1200n })))).toEqual(['deadline']);
  });
});

describe('validateTrainingRun and validateLicenseAcceptance', () => {
  it('accept valid messages (assertValid* does not throw) and refuse each bad field', () => {
    expect(validateTrainingRun(run(), opts)).toEqual([]);
    expect(() => assertValidTrainingRun(run(), opts)).not.toThrow();
    expect(
      validateTrainingRun(
        run({
          modelName: 'x'.repeat(256),
          weightUnit: 'y'.repeat(32),
          startedAt: (1n << 64n) - 1n,
          endedAt: (1n << 64n) - 1n,
        }),
        opts,
      ),
    ).toEqual([]);
    const cases: [Partial<TrainingRunMessage>, string[]][] = [
      [{ modelName: '' }, ['modelName']],
      [{ modelName: 'x'.repeat(257) }, ['modelName']],
      [{ modelName: 5 as never }, ['modelName']],
      [{ weightUnit: 'y'.repeat(33) }, ['weightUnit']],
      [{ entryCount: 0n }, ['entryCount']],
      [{ startedAt: 6n }, ['endedAt']],
      [{ startedAt: 1n << 64n, endedAt: 1n << 64n }, ['startedAt', 'endedAt']],
      [{ runRef: '0x12' }, ['runRef']],
      [{ modelHash: h('zz') }, ['modelHash']],
      [{ entriesRoot: undefined }, ['entriesRoot']],
      [{ nonce: 1n << 256n }, ['nonce']],
      [{ deadline: now - 1n }, ['deadline']],
    ];
    for (const [over, expected] of cases) {
      expect(fields(validateTrainingRun(run(over), opts))).toEqual(expected);
      expect(() => assertValidTrainingRun(run(over), opts)).toThrow(ProvenanceValidationError);
    }
    expect(validateTrainingRun(run({ startedAt: 6n }), opts)[0].reason).toBe('must not be before startedAt');
    expect(validateTrainingRun(run({ startedAt: 1n << 64n, endedAt: 0n }), opts)[0].reason).toBe(
      `must be an integer 0..${(1n << 64n) - 1n}`,
    );

    expect(validateLicenseAcceptance(acceptance(), opts)).toEqual([]);
    expect(() => assertValidLicenseAcceptance(acceptance(), opts)).not.toThrow();
    for (const [over, expected] of [
      [{ licensee: '0x' + '00'.repeat(20) }, ['licensee']],
      [{ licensee: 'bob' }, ['licensee']],
      [{ datasetId: h('a') }, ['datasetId']],
      [{ termsHash: 5 as never }, ['termsHash']],
      [{ nonce: -1n }, ['nonce']],
      [{ deadline: now }, ['deadline']],
    ] as [Partial<LicenseAcceptanceMessage>, string[]][]) {
      expect(fields(validateLicenseAcceptance(acceptance(over), opts))).toEqual(expected);
      expect(() => assertValidLicenseAcceptance(acceptance(over), opts)).toThrow(ProvenanceValidationError);
    }
  });
});
