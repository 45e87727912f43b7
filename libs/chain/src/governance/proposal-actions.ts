// What a governance proposal does, both ways: the templates the marketplace needs encoded into
// Governor actions (so nobody hand-encodes calldata), and any action decoded back into words for
// the people voting on it. Pure: ABIs come from the contract artifacts, addresses from the caller.
import { getAddress, Interface, isAddress } from 'ethers';
import { ROLES } from '../deploy';
import * as artifacts from '../generated/artifacts';

/** The governed contracts by address (any may be absent from a deployment). */
export interface GovernedContracts {
  royaltySplitter: string;
  provenanceRegistry?: string;
  governor?: string;
  timelock?: string;
  licenseTemplates?: string;
  disputeBonds?: string;
}

/** One Governor action: call `calldata` on `target` with `value` wei. */
export interface ProposalCall {
  target: string;
  value: bigint;
  calldata: string;
}

/** The changes a proposal can be made from without writing calldata. */
export type ProposalTemplate =
  | { kind: 'protocol-fee'; feeBps: number }
  | { kind: 'root-delay'; seconds: bigint }
  | { kind: 'treasury'; treasury: string }
  | { kind: 'guardian'; add?: string; remove?: string }
  | { kind: 'token-allowed'; token: string; allowed: boolean }
  | { kind: 'token-allowlist'; enabled: boolean }
  | { kind: 'timelock-delay'; seconds: bigint }
  | { kind: 'voting-period'; blocks: bigint }
  | { kind: 'quorum'; percent: number }
  /** `templateId`: keccak256 of the template's canonical terms (a dataset license's `termsHash`). */
  | { kind: 'license-template-add'; templateId: string; uri: string }
  | { kind: 'license-template-remove'; templateId: string }
  | { kind: 'arbiter'; add?: string; remove?: string }
  | { kind: 'dispute-timeout'; seconds: bigint }
  | { kind: 'bond-token'; token: string; allowed: boolean; minBond: bigint };

export class ProposalTemplateError extends Error {
  override readonly name = 'ProposalTemplateError';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

const SPLITTER = new Interface(artifacts.RoyaltySplitter.abi);
const GOVERNOR = new Interface(artifacts.UpstreamGovernor.abi);
const TIMELOCK = new Interface(artifacts.UpstreamTimelock.abi);
const REGISTRY = new Interface(artifacts.ProvenanceRegistry.abi);
const LICENSE_TEMPLATES = new Interface(artifacts.LicenseTemplateRegistry.abi);
const DISPUTES = new Interface(artifacts.DisputeBonds.abi);
/** DisputeBonds' timeout range (MIN_TIMEOUT, MAX_TIMEOUT): a proposal outside it could never execute. */
export const MIN_DISPUTE_TIMEOUT_SECONDS = 3_600n;
export const MAX_DISPUTE_TIMEOUT_SECONDS = 365n * 86_400n;
/** The splitter's ceilings (RoyaltySplitter.MAX_FEE_BPS, MAX_ROOT_DELAY): a proposal past them could never execute. */
export const MAX_FEE_BPS = 1_000;
export const MAX_ROOT_DELAY_SECONDS = 30n * 86_400n;

/** The Governor actions that make `template`'s change. */
export function encodeProposal(template: ProposalTemplate, contracts: GovernedContracts): ProposalCall[] {
  const splitter = (fn: string, args: unknown[]): ProposalCall => ({
    target: getAddress(contracts.royaltySplitter),
    value: 0n,
    calldata: SPLITTER.encodeFunctionData(fn, args),
  });
  const on = (address: string | undefined, name: string, iface: Interface, fn: string, args: unknown[]) => {
    if (address === undefined) throw new ProposalTemplateError('kind', `this deployment has no ${name}`);
    return { target: getAddress(address), value: 0n, calldata: iface.encodeFunctionData(fn, args) };
  };
  switch (template.kind) {
    case 'protocol-fee':
      if (!Number.isInteger(template.feeBps) || template.feeBps < 0 || template.feeBps > MAX_FEE_BPS)
        throw new ProposalTemplateError('feeBps', `must be an integer from 0 to ${MAX_FEE_BPS} basis points`);
      return [splitter('setFeeBps', [template.feeBps])];
    case 'root-delay':
      if (template.seconds < 0n || template.seconds > MAX_ROOT_DELAY_SECONDS)
        throw new ProposalTemplateError('seconds', `must be from 0 to ${MAX_ROOT_DELAY_SECONDS} seconds (30 days)`);
      return [splitter('setRootDelay', [template.seconds])];
    case 'treasury':
      return [splitter('setTreasury', [account(template.treasury, 'treasury')])];
    case 'guardian': {
      if (template.add === undefined && template.remove === undefined)
        throw new ProposalTemplateError('add', 'name a guardian to add, one to remove, or both');
      const calls: ProposalCall[] = [];
      if (template.add !== undefined)
        calls.push(splitter('grantRole', [ROLES.GUARDIAN_ROLE, account(template.add, 'add')]));
      if (template.remove !== undefined)
        calls.push(splitter('revokeRole', [ROLES.GUARDIAN_ROLE, account(template.remove, 'remove')]));
      return calls;
    }
    case 'token-allowed':
      return [splitter('setTokenAllowed', [account(template.token, 'token'), template.allowed])];
    case 'token-allowlist':
      return [splitter('setTokenAllowlistEnabled', [template.enabled])];
    case 'timelock-delay':
      if (template.seconds < 0n) throw new ProposalTemplateError('seconds', 'must not be negative');
      return [on(contracts.timelock, 'timelock', TIMELOCK, 'updateDelay', [template.seconds])];
    case 'voting-period':
      if (template.blocks <= 0n || template.blocks >= 2n ** 32n)
        throw new ProposalTemplateError('blocks', 'must be a positive uint32 number of blocks');
      return [on(contracts.governor, 'governor', GOVERNOR, 'setVotingPeriod', [template.blocks])];
    case 'quorum':
      if (!Number.isInteger(template.percent) || template.percent < 1 || template.percent > 100)
        throw new ProposalTemplateError('percent', 'must be an integer percentage from 1 to 100');
      return [on(contracts.governor, 'governor', GOVERNOR, 'updateQuorumNumerator', [template.percent])];
    case 'license-template-add':
      return [
        on(contracts.licenseTemplates, 'license template registry', LICENSE_TEMPLATES, 'addTemplate', [
          templateId(template.templateId),
          template.uri,
        ]),
      ];
    case 'license-template-remove':
      return [
        on(contracts.licenseTemplates, 'license template registry', LICENSE_TEMPLATES, 'removeTemplate', [
          templateId(template.templateId),
        ]),
      ];
    case 'arbiter': {
      if (template.add === undefined && template.remove === undefined)
        throw new ProposalTemplateError('add', 'name an arbiter to add, one to remove, or both');
      const disputes = (fn: string, who: string, field: string) =>
        on(contracts.disputeBonds, 'dispute contract', DISPUTES, fn, [ROLES.ARBITER_ROLE, account(who, field)]);
      const calls: ProposalCall[] = [];
      if (template.add !== undefined) calls.push(disputes('grantRole', template.add, 'add'));
      if (template.remove !== undefined) calls.push(disputes('revokeRole', template.remove, 'remove'));
      return calls;
    }
    case 'dispute-timeout':
      if (template.seconds < MIN_DISPUTE_TIMEOUT_SECONDS || template.seconds > MAX_DISPUTE_TIMEOUT_SECONDS)
        throw new ProposalTemplateError(
          'seconds',
          `must be from ${MIN_DISPUTE_TIMEOUT_SECONDS} (1 hour) to ${MAX_DISPUTE_TIMEOUT_SECONDS} seconds (365 days)`,
        );
      return [on(contracts.disputeBonds, 'dispute contract', DISPUTES, 'setDisputeTimeout', [template.seconds])];
    case 'bond-token':
      if (template.minBond <= 0n || template.minBond >= 2n ** 256n)
        throw new ProposalTemplateError('minBond', 'must be a positive uint256 (smallest units of the token)');
      return [
        on(contracts.disputeBonds, 'dispute contract', DISPUTES, 'setBondToken', [
          account(template.token, 'token'),
          template.allowed,
          template.minBond,
        ]),
      ];
  }
}

function templateId(value: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new ProposalTemplateError('templateId', 'must be 0x followed by 64 hex digits (a terms hash)');
  if (/^0x0{64}$/.test(value)) throw new ProposalTemplateError('templateId', 'must not be zero');
  return value.toLowerCase();
}

function account(value: string, field: string): string {
  if (!isAddress(value) || !/^0x[0-9a-fA-F]{40}$/.test(value))
    throw new ProposalTemplateError(field, 'must be a 0x address (40 hex digits)');
  if (/^0x0{40}$/.test(value)) throw new ProposalTemplateError(field, 'must not be the zero address');
  return getAddress(value);
}

/** An action decoded: which contract and function, its arguments, and a sentence saying what it does. */
export interface DescribedAction {
  /** `RoyaltySplitter`, `UpstreamGovernor`, … or null for an address this deployment does not know. */
  contract: string | null;
  /** The function's signature (`setFeeBps(uint16)`), or null when the calldata matches none of the contract's. */
  function: string | null;
  /** Arguments by name, as strings (integers in decimal, addresses checksummed). */
  args: Record<string, string>;
  /** What the action does, in words. */
  words: string;
}

const ROLE_NAMES = new Map<string, string>(Object.entries(ROLES).map(([name, hash]) => [hash.toLowerCase(), name]));

/** Decodes a Governor action against the governed contracts; anything unknown is described literally. */
export function describeProposalCall(call: ProposalCall, contracts: GovernedContracts): DescribedAction {
  const known: [string | undefined, string, Interface][] = [
    [contracts.royaltySplitter, 'RoyaltySplitter', SPLITTER],
    [contracts.provenanceRegistry, 'ProvenanceRegistry', REGISTRY],
    [contracts.governor, 'UpstreamGovernor', GOVERNOR],
    [contracts.timelock, 'UpstreamTimelock', TIMELOCK],
    [contracts.licenseTemplates, 'LicenseTemplateRegistry', LICENSE_TEMPLATES],
    [contracts.disputeBonds, 'DisputeBonds', DISPUTES],
  ];
  const target = isAddress(call.target) ? getAddress(call.target) : call.target;
  const match = known.find(([address]) => address !== undefined && address.toLowerCase() === target.toLowerCase());
  const withValue = call.value > 0n ? `, sending ${call.value} wei` : '';
  if (match === undefined)
    return {
      contract: null,
      function: null,
      args: {},
      words: `call ${selectorOf(call.calldata)} on ${target}${withValue} (not a contract of this deployment)`,
    };
  const [, contract, iface] = match;
  let parsed;
  try {
    parsed = iface.parseTransaction({ data: call.calldata, value: call.value });
  } catch {
    parsed = null;
  }
  if (!parsed)
    return {
      contract,
      function: null,
      args: {},
      words: `call ${selectorOf(call.calldata)} on ${contract}${withValue} (no function of ${contract} matches)`,
    };
  const args: Record<string, string> = {};
  parsed.fragment.inputs.forEach((input, i) => (args[input.name] = plain(parsed.args[i])));
  return { contract, function: parsed.signature, args, words: wordsFor(contract, parsed.name, args) + withValue };
}

function wordsFor(contract: string, fn: string, args: Record<string, string>): string {
  const role = (hash: string) => ROLE_NAMES.get(hash.toLowerCase()) ?? `role ${hash}`;
  switch (`${contract}.${fn}`) {
    case 'RoyaltySplitter.setFeeBps':
      return `set the protocol fee to ${percent(BigInt(args.newFeeBps))} (${args.newFeeBps} basis points)`;
    case 'RoyaltySplitter.setRootDelay':
      return `set the root delay to ${duration(BigInt(args.newRootDelay))}`;
    case 'RoyaltySplitter.setTreasury':
      return `send protocol fees to the treasury ${args.newTreasury}`;
    case 'RoyaltySplitter.setTokenAllowed':
      return `${args.allowed === 'true' ? 'allow' : 'disallow'} payments in token ${args.token}`;
    case 'RoyaltySplitter.setTokenAllowlistEnabled':
      return args.enabled === 'true'
        ? 'accept payments only in allowed tokens'
        : 'accept payments in any token (allowlist off)';
    case 'UpstreamTimelock.updateDelay':
      return `set the timelock delay to ${duration(BigInt(args.newDelay))}`;
    case 'UpstreamGovernor.setVotingPeriod':
      return `set the voting period to ${args.newVotingPeriod} blocks`;
    case 'UpstreamGovernor.setVotingDelay':
      return `set the voting delay to ${args.newVotingDelay} blocks`;
    case 'UpstreamGovernor.setProposalThreshold':
      return `set the proposal threshold to ${args.newProposalThreshold} votes (smallest units)`;
    case 'UpstreamGovernor.updateQuorumNumerator':
      return `set the quorum to ${args.newQuorumNumerator} % of the votes supply`;
    case 'LicenseTemplateRegistry.addTemplate':
      return `approve the license template ${args.templateId}${args.uri ? ` (terms at ${args.uri})` : ''}`;
    case 'LicenseTemplateRegistry.removeTemplate':
      return `withdraw the approval of the license template ${args.templateId}`;
    case 'DisputeBonds.setDisputeTimeout':
      return `let anyone close a dispute as rejected once it has been open ${duration(BigInt(args.newTimeout))}`;
    case 'DisputeBonds.setBondToken':
      return args.allowed === 'true'
        ? `allow dispute bonds in token ${args.token}, at least ${args.minBond} (smallest units)`
        : `refuse new dispute bonds in token ${args.token}`;
    case 'DisputeBonds.grantRole':
      if (role(args.role) === 'ARBITER_ROLE')
        return `let ${args.account} uphold and reject disputes (grant ARBITER_ROLE on DisputeBonds)`;
      break;
    case 'DisputeBonds.revokeRole':
      if (role(args.role) === 'ARBITER_ROLE')
        return `stop ${args.account} from resolving disputes (revoke ARBITER_ROLE on DisputeBonds)`;
      break;
  }
  if (fn === 'grantRole') return `grant ${role(args.role)} on ${contract} to ${args.account}`;
  if (fn === 'revokeRole') return `revoke ${role(args.role)} on ${contract} from ${args.account}`;
  const list = Object.entries(args)
    .map(([name, value]) => `${name} = ${value}`)
    .join(', ');
  return `call ${contract}.${fn}(${list})`;
}

function plain(value: unknown): string {
  if (typeof value === 'string' && isAddress(value)) return getAddress(value);
  if (Array.isArray(value)) return `[${value.map(plain).join(', ')}]`;
  return String(value);
}

function selectorOf(calldata: string): string {
  return calldata.length >= 10 ? calldata.slice(0, 10) : calldata || '0x';
}

/** Basis points as a percentage: 250 → "2.5 %". */
function percent(bps: bigint): string {
  const whole = bps / 100n;
  const rest = (bps % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return `${whole}${rest ? `.${rest}` : ''} %`;
}

/** Seconds in words: 86400 → "1 day (86,400 s)". */
function duration(seconds: bigint): string {
  const units: [bigint, string][] = [
    [86_400n, 'day'],
    [3_600n, 'hour'],
    [60n, 'minute'],
  ];
  const exact = units.find(([size]) => seconds >= size && seconds % size === 0n);
  const spelled = seconds.toLocaleString('en-US');
  if (!exact) return `${spelled} s`;
  const n = seconds / exact[0];
  return `${n} ${exact[1]}${n === 1n ? '' : 's'} (${spelled} s)`;
}
