import { Interface, Wallet } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  artifacts,
  describeProposalCall,
  encodeProposal,
  MAX_FEE_BPS,
  ProposalTemplateError,
  ROLES,
  type GovernedContracts,
  type ProposalTemplate,
} from '@upstream/chain';

const address = (seed: number) => new Wallet(`0x${seed.toString(16).padStart(64, '0')}`).address;
const contracts: GovernedContracts = {
  royaltySplitter: address(1),
  provenanceRegistry: address(2),
  governor: address(3),
  timelock: address(4),
  licenseTemplates: address(6),
  disputeBonds: address(9),
};
const TERMS = '0x' + 'c0ffee'.padEnd(64, '0');

/** Each template with what a voter must read, word for word. */
const CASES: [ProposalTemplate, string[]][] = [
  [{ kind: 'protocol-fee', feeBps: 300 }, ['set the protocol fee to 3 % (300 basis points)']],
  [{ kind: 'protocol-fee', feeBps: 250 }, ['set the protocol fee to 2.5 % (250 basis points)']],
  [{ kind: 'protocol-fee', feeBps: 5 }, ['set the protocol fee to 0.05 % (5 basis points)']],
  [{ kind: 'root-delay', seconds: 86_400n }, ['set the root delay to 1 day (86,400 s)']],
  [{ kind: 'root-delay', seconds: 90n }, ['set the root delay to 90 s']],
  [{ kind: 'treasury', treasury: address(9) }, [`send protocol fees to the treasury ${address(9)}`]],
  [
    { kind: 'guardian', add: address(7), remove: address(8) },
    [
      `grant GUARDIAN_ROLE on RoyaltySplitter to ${address(7)}`,
      `revoke GUARDIAN_ROLE on RoyaltySplitter from ${address(8)}`,
    ],
  ],
  [{ kind: 'token-allowed', token: address(5), allowed: true }, [`allow payments in token ${address(5)}`]],
  [{ kind: 'token-allowed', token: address(5), allowed: false }, [`disallow payments in token ${address(5)}`]],
  [{ kind: 'token-allowlist', enabled: true }, ['accept payments only in allowed tokens']],
  [{ kind: 'timelock-delay', seconds: 172_800n }, ['set the timelock delay to 2 days (172,800 s)']],
  [{ kind: 'voting-period', blocks: 50_400n }, ['set the voting period to 50400 blocks']],
  [{ kind: 'quorum', percent: 5 }, ['set the quorum to 5 % of the votes supply']],
  [
    { kind: 'license-template-add', templateId: TERMS, uri: 'https://example.org/terms' },
    [`approve the license template ${TERMS} (terms at https://example.org/terms)`],
  ],
  [{ kind: 'license-template-add', templateId: TERMS, uri: '' }, [`approve the license template ${TERMS}`]],
  [
    { kind: 'license-template-remove', templateId: TERMS.toUpperCase().replace('0X', '0x') },
    [`withdraw the approval of the license template ${TERMS}`],
  ],
  [
    { kind: 'arbiter', add: address(7), remove: address(8) },
    [
      `let ${address(7)} uphold and reject disputes (grant ARBITER_ROLE on DisputeBonds)`,
      `stop ${address(8)} from resolving disputes (revoke ARBITER_ROLE on DisputeBonds)`,
    ],
  ],
  [
    { kind: 'dispute-timeout', seconds: 604_800n },
    ['let anyone close a dispute as rejected once it has been open 7 days (604,800 s)'],
  ],
  [
    { kind: 'bond-token', token: address(5), allowed: true, minBond: 10_000_000n },
    [`allow dispute bonds in token ${address(5)}, at least 10000000 (smallest units)`],
  ],
  [
    { kind: 'bond-token', token: address(5), allowed: false, minBond: 1n },
    [`refuse new dispute bonds in token ${address(5)}`],
  ],
];

describe('governance proposals: templates encoded, actions described', () => {
  it.each(CASES)('%o reads as it does', (template, words) => {
    const calls = encodeProposal(template, contracts);
    expect(calls.map((c) => describeProposalCall(c, contracts).words)).toEqual(words);
    for (const call of calls) expect(call.value).toBe(0n);
  });

  it('encodes the fee change as the splitter’s own setFeeBps call', () => {
    const [call] = encodeProposal({ kind: 'protocol-fee', feeBps: 300 }, contracts);
    const splitter = new Interface(artifacts.RoyaltySplitter.abi);
    expect(call.target).toBe(contracts.royaltySplitter);
    expect(call.calldata).toBe(splitter.encodeFunctionData('setFeeBps', [300]));
    expect(describeProposalCall(call, contracts)).toMatchObject({
      contract: 'RoyaltySplitter',
      function: 'setFeeBps(uint16)',
      args: { newFeeBps: '300' },
    });
  });

  it('describes any fee in basis points as the same percentage', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_FEE_BPS }), (feeBps) => {
        const [call] = encodeProposal({ kind: 'protocol-fee', feeBps }, contracts);
        const { words } = describeProposalCall(call, contracts);
        const shown = Number(/fee to ([\d.]+) %/.exec(words)?.[1]);
        expect(Math.round(shown * 100)).toBe(feeBps);
      }),
    );
  });

  it('refuses templates that could never execute, naming the field', () => {
    const refusals: [ProposalTemplate, string][] = [
      [{ kind: 'protocol-fee', feeBps: MAX_FEE_BPS + 1 }, 'feeBps'],
      [{ kind: 'protocol-fee', feeBps: 2.5 }, 'feeBps'],
      [{ kind: 'root-delay', seconds: 31n * 86_400n }, 'seconds'],
      [{ kind: 'treasury', treasury: '0x' + '00'.repeat(20) }, 'treasury'],
      [{ kind: 'treasury', treasury: '0x1234' }, 'treasury'],
      [{ kind: 'guardian' }, 'add'],
      [{ kind: 'quorum', percent: 0 }, 'percent'],
      [{ kind: 'voting-period', blocks: 0n }, 'blocks'],
      [{ kind: 'license-template-add', templateId: '0x1234', uri: '' }, 'templateId'],
      [{ kind: 'license-template-remove', templateId: '0x' + '0'.repeat(64) }, 'templateId'],
      [{ kind: 'arbiter' }, 'add'],
      [{ kind: 'arbiter', add: '0x' + '00'.repeat(20) }, 'add'],
      [{ kind: 'dispute-timeout', seconds: 3_599n }, 'seconds'],
      [{ kind: 'dispute-timeout', seconds: 366n * 86_400n }, 'seconds'],
      [{ kind: 'bond-token', token: address(5), allowed: true, minBond: 0n }, 'minBond'],
    ];
    for (const [template, field] of refusals) {
      const attempt = () => encodeProposal(template, contracts);
      expect(
        attempt,
        JSON.stringify(template, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toThrow(ProposalTemplateError);
      try {
        attempt();
      } catch (error) {
        expect((error as ProposalTemplateError).field).toBe(field);
      }
    }
    expect(() => encodeProposal({ kind: 'quorum', percent: 5 }, { royaltySplitter: address(1) })).toThrow(
      /no governor/,
    );
    expect(() =>
      encodeProposal({ kind: 'license-template-remove', templateId: TERMS }, { royaltySplitter: address(1) }),
    ).toThrow(/no license template registry/);
    expect(() => encodeProposal({ kind: 'arbiter', add: address(7) }, { royaltySplitter: address(1) })).toThrow(
      /no dispute contract/,
    );
  });

  it('describes what it does not know literally, never as something else', () => {
    const stranger = address(42);
    expect(describeProposalCall({ target: stranger, value: 5n, calldata: '0xdeadbeef00' }, contracts)).toEqual({
      contract: null,
      function: null,
      args: {},
      words: `call 0xdeadbeef on ${stranger}, sending 5 wei (not a contract of this deployment)`,
    });
    expect(
      describeProposalCall({ target: contracts.royaltySplitter, value: 0n, calldata: '0xdeadbeef' }, contracts).words,
    ).toBe('call 0xdeadbeef on RoyaltySplitter (no function of RoyaltySplitter matches)');
    // A role the deployment does not name is shown by its hash.
    const splitter = new Interface(artifacts.RoyaltySplitter.abi);
    const unknownRole = '0x' + 'ab'.repeat(32);
    const call = {
      target: contracts.royaltySplitter,
      value: 0n,
      calldata: splitter.encodeFunctionData('grantRole', [unknownRole, address(6)]),
    };
    expect(describeProposalCall(call, contracts).words).toBe(
      `grant role ${unknownRole} on RoyaltySplitter to ${address(6)}`,
    );
    const pause = { target: contracts.royaltySplitter, value: 0n, calldata: splitter.encodeFunctionData('pause') };
    expect(describeProposalCall(pause, contracts).words).toBe('call RoyaltySplitter.pause()');
    expect(ROLES.GUARDIAN_ROLE).toMatch(/^0x[0-9a-f]{64}$/);
  });
});

describe('the arbiter template', () => {
  it('grants and revokes DisputeBonds’ own ARBITER_ROLE on the dispute contract', () => {
    const disputes = new Interface(artifacts.DisputeBonds.abi);
    const [grant, revoke] = encodeProposal({ kind: 'arbiter', add: address(7), remove: address(8) }, contracts);
    expect(grant.target).toBe(contracts.disputeBonds);
    expect(grant.calldata).toBe(disputes.encodeFunctionData('grantRole', [ROLES.ARBITER_ROLE, address(7)]));
    expect(revoke.calldata).toBe(disputes.encodeFunctionData('revokeRole', [ROLES.ARBITER_ROLE, address(8)]));
    expect(describeProposalCall(grant, contracts)).toMatchObject({
      contract: 'DisputeBonds',
      function: 'grantRole(bytes32,address)',
      args: { role: ROLES.ARBITER_ROLE, account: address(7) },
    });
  });
});
