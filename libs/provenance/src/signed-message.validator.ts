import { isAddress } from 'ethers';
import type {
  ContributionMessage,
  LicenseAcceptanceMessage,
  TrainingRunMessage,
  UpstreamDomain,
} from './eip712.typed-data';
import { ProvenanceValidationError, type FieldError } from './provenance.errors';

export const TOTAL_BPS = 10_000;
const BYTES32_RE = /^0x[0-9a-fA-F]{64}$/;
const ZERO_ADDRESS = /^0x0{40}$/;
const UINT256_MAX = (1n << 256n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

export interface ValidationOptions {
  /** Unix seconds used for the deadline check; defaults to the wall clock. */
  nowSeconds?: bigint;
}

class Collector {
  readonly errors: FieldError[] = [];
  add(field: string, reason: string): void {
    this.errors.push({ field, reason });
  }
  bytes32(field: string, value: unknown): void {
    if (typeof value !== 'string' || !BYTES32_RE.test(value)) this.add(field, 'must be 0x followed by 64 hex digits');
  }
  address(field: string, value: unknown): boolean {
    // Stryker disable next-line ConditionalExpression: ethers' isAddress answers false for a non-string itself.
    if (typeof value !== 'string' || !isAddress(value) || !value.startsWith('0x')) {
      this.add(field, 'must be a 0x address (40 hex digits, valid EIP-55 checksum if mixed case)');
      return false;
    }
    if (ZERO_ADDRESS.test(value)) {
      this.add(field, 'must not be the zero address');
      return false;
    }
    return true;
  }
  uint(field: string, value: unknown, max: bigint): bigint | undefined {
    const v = toBigInt(value);
    if (v === undefined || v < 0n || v > max) {
      this.add(field, max === UINT256_MAX ? 'must be an unsigned 256-bit integer' : `must be an integer 0..${max}`);
      return undefined;
    }
    return v;
  }
  bps(field: string, value: unknown, min: number): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > TOTAL_BPS) {
      this.add(field, `must be an integer ${min}..${TOTAL_BPS} (basis points)`);
      return undefined;
    }
    return value;
  }
  deadline(value: unknown, options: ValidationOptions): void {
    const d = this.uint('deadline', value, UINT256_MAX);
    const now = options.nowSeconds ?? BigInt(Math.floor(Date.now() / 1000));
    if (d !== undefined && d <= now) this.add('deadline', 'must be in the future');
  }
  text(field: string, value: unknown, maxLength: number): void {
    if (typeof value !== 'string' || value.length === 0 || value.length > maxLength)
      this.add(field, `must be a non-empty string of at most ${maxLength} characters`);
  }
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^(\d+|0x[0-9a-fA-F]+)$/.test(value)) return BigInt(value);
  return undefined;
}

export function validateDomain(domain: UpstreamDomain): FieldError[] {
  const c = new Collector();
  if (domain?.name !== 'Upstream') c.add('domain.name', 'must be "Upstream"');
  if (domain?.version !== '1') c.add('domain.version', 'must be "1"');
  const chainId = c.uint('domain.chainId', domain?.chainId, UINT256_MAX);
  if (chainId === 0n) c.add('domain.chainId', 'must not be 0');
  c.address('domain.verifyingContract', domain?.verifyingContract);
  return c.errors;
}

/**
 * Field-named errors of a Contribution, empty when valid: owners non-empty, distinct,
 * nonzero addresses with shares 1..10000 summing to exactly 10000; parents distinct,
 * not the dataset itself, upstream shares summing to ≤ 10000; hex formats; deadline ahead.
 */
export function validateContribution(message: ContributionMessage, options: ValidationOptions = {}): FieldError[] {
  const c = new Collector();
  c.bytes32('contentRoot', message?.contentRoot);
  if (message?.metadataHash !== undefined) c.bytes32('metadataHash', message.metadataHash);
  if (!Array.isArray(message?.owners) || message.owners.length === 0) {
    c.add('owners', 'must list at least one owner');
  } else {
    const seen = new Map<string, number>();
    let sum = 0;
    message.owners.forEach((owner, i) => {
      if (c.address(`owners[${i}].account`, owner?.account)) {
        // Stryker disable next-line MethodExpression: folding to upper case finds the same duplicates as folding to lower case.
        const key = owner.account.toLowerCase();
        const first = seen.get(key);
        if (first !== undefined) c.add(`owners[${i}].account`, `duplicates owners[${first}].account`);
        else seen.set(key, i);
      }
      sum += c.bps(`owners[${i}].shareBps`, owner?.shareBps, 1) ?? 0;
    });
    if (c.errors.every((e) => !e.field.startsWith('owners[')) && sum !== TOTAL_BPS) {
      c.add('owners', `shareBps must sum to ${TOTAL_BPS}, got ${sum}`);
    }
  }
  if (!Array.isArray(message?.parents)) {
    c.add('parents', 'must be a list (empty when the dataset has no parents)');
  } else {
    const seen = new Map<string, number>();
    let sum = 0;
    message.parents.forEach((parent, i) => {
      c.bytes32(`parents[${i}].datasetId`, parent?.datasetId);
      if (typeof parent?.datasetId === 'string') {
        const key = parent.datasetId.toLowerCase();
        const first = seen.get(key);
        if (first !== undefined) c.add(`parents[${i}].datasetId`, `duplicates parents[${first}].datasetId`);
        else seen.set(key, i);
        if (typeof message.contentRoot === 'string' && key === message.contentRoot.toLowerCase()) {
          c.add(`parents[${i}].datasetId`, 'a dataset cannot be its own parent');
        }
      }
      sum += c.bps(`parents[${i}].upstreamBps`, parent?.upstreamBps, 0) ?? 0;
    });
    if (sum > TOTAL_BPS) c.add('parents', `upstreamBps must sum to at most ${TOTAL_BPS}, got ${sum}`);
  }
  c.bytes32('licenseTermsHash', message?.licenseTermsHash);
  c.uint('nonce', message?.nonce, UINT256_MAX);
  c.deadline(message?.deadline, options);
  return c.errors;
}

export function validateTrainingRun(message: TrainingRunMessage, options: ValidationOptions = {}): FieldError[] {
  const c = new Collector();
  c.bytes32('runRef', message?.runRef);
  c.text('modelName', message?.modelName, 256);
  c.bytes32('modelHash', message?.modelHash);
  c.bytes32('entriesRoot', message?.entriesRoot);
  const count = c.uint('entryCount', message?.entryCount, UINT256_MAX);
  if (count === 0n) c.add('entryCount', 'a run must use at least one dataset');
  c.text('weightUnit', message?.weightUnit, 32);
  const started = c.uint('startedAt', message?.startedAt, UINT64_MAX);
  const ended = c.uint('endedAt', message?.endedAt, UINT64_MAX);
  if (started !== undefined && ended !== undefined && ended < started) c.add('endedAt', 'must not be before startedAt');
  c.uint('nonce', message?.nonce, UINT256_MAX);
  c.deadline(message?.deadline, options);
  return c.errors;
}

export function validateLicenseAcceptance(
  message: LicenseAcceptanceMessage,
  options: ValidationOptions = {},
): FieldError[] {
  const c = new Collector();
  c.bytes32('datasetId', message?.datasetId);
  c.bytes32('termsHash', message?.termsHash);
  c.address('licensee', message?.licensee);
  c.uint('nonce', message?.nonce, UINT256_MAX);
  c.deadline(message?.deadline, options);
  return c.errors;
}

function assertNone(errors: FieldError[]): void {
  if (errors.length > 0) throw new ProvenanceValidationError(errors);
}

export function assertValidContribution(message: ContributionMessage, options?: ValidationOptions): void {
  assertNone(validateContribution(message, options));
}

export function assertValidTrainingRun(message: TrainingRunMessage, options?: ValidationOptions): void {
  assertNone(validateTrainingRun(message, options));
}

export function assertValidLicenseAcceptance(message: LicenseAcceptanceMessage, options?: ValidationOptions): void {
  assertNone(validateLicenseAcceptance(message, options));
}
