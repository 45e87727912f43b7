import { keccak256, toUtf8Bytes } from 'ethers';
import { ProvenanceError } from './provenance.errors';

export type LicenseTemplate = 'open-training' | 'paid-per-run' | 'research-only';

export interface LicenseFee {
  kind: 'per-run';
  /** ERC-20 token address, lowercase. */
  token: string;
  /** Smallest token units, decimal string (JSON has no bigint). */
  amount: string;
}

export interface LicenseTerms {
  template: LicenseTemplate;
  version: 1;
  training: boolean;
  commercialUse: boolean;
  attribution: boolean;
  redistribution: boolean;
  fee: LicenseFee | null;
  /**
   * Days a license under these terms stays in force once active (1–3650). Absent: no end. Left out of
   * the terms document when absent, so terms without a duration hash exactly as before it existed.
   */
  durationDays?: number;
}

export interface LicenseTermsOptions {
  /** Integer 1–3650: a license expires this many days after it becomes active. */
  durationDays?: number;
}

export const MAX_LICENSE_DURATION_DAYS = 3650;

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/**
 * The three templates. `paid-per-run` needs `{ token, amount }`: the fee a lab pays per
 * training run, on top of royalties. Any template takes an optional `durationDays`.
 */
export function licenseTerms(template: 'open-training' | 'research-only', options?: LicenseTermsOptions): LicenseTerms;
export function licenseTerms(
  template: 'paid-per-run',
  fee: { token: string; amount: bigint },
  options?: LicenseTermsOptions,
): LicenseTerms;
export function licenseTerms(
  template: LicenseTemplate,
  feeOrOptions?: { token: string; amount: bigint } | LicenseTermsOptions,
  options?: LicenseTermsOptions,
): LicenseTerms {
  const paid = template === 'paid-per-run';
  const fee = paid ? (feeOrOptions as { token: string; amount: bigint } | undefined) : undefined;
  const durationDays = checkLicenseDuration(
    (paid ? options : (feeOrOptions as LicenseTermsOptions | undefined))?.durationDays,
  );
  const base = {
    version: 1 as const,
    training: true,
    attribution: true,
    redistribution: false,
    ...(durationDays !== undefined ? { durationDays } : {}),
  };
  switch (template) {
    case 'open-training':
      return { template, ...base, commercialUse: true, fee: null };
    case 'research-only':
      return { template, ...base, commercialUse: false, fee: null };
    case 'paid-per-run': {
      if (!fee || !ADDRESS_RE.test(fee.token))
        throw new ProvenanceError('INVALID_TEMPLATE', 'paid-per-run needs a fee token address', 'fee.token');
      if (typeof fee.amount !== 'bigint' || fee.amount <= 0n)
        throw new ProvenanceError('INVALID_TEMPLATE', 'paid-per-run needs a positive fee amount', 'fee.amount');
      return {
        template,
        ...base,
        commercialUse: true,
        fee: { kind: 'per-run', token: fee.token.toLowerCase(), amount: fee.amount.toString() },
      };
    }
    default:
      throw new ProvenanceError('INVALID_TEMPLATE', `unknown license template ${JSON.stringify(template)}`, 'template');
  }
}

/**
 * Checks an optional duration: undefined, or an integer 1–3650 (refused as INVALID_TEMPLATE, field
 * `durationDays`). The terms' own rule, also what the web app's Contribute form checks before signing.
 */
export function checkLicenseDuration(days: unknown): number | undefined {
  if (days === undefined) return undefined;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_LICENSE_DURATION_DAYS)
    throw new ProvenanceError(
      'INVALID_TEMPLATE',
      `durationDays must be an integer from 1 to ${MAX_LICENSE_DURATION_DAYS}`,
      'durationDays',
    );
  return days;
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit (JS default sort), no whitespace,
 * bigint as a decimal string, `undefined` properties dropped; refuses non-finite or
 * unsafe numbers and anything that is not plain data.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new ProvenanceError('INVALID_FIELD', `${value} is not a safe integer; use a decimal string`, 'terms');
    return String(value);
  }
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(record[k])).join(',') + '}';
  }
  throw new ProvenanceError('INVALID_FIELD', `cannot serialize a ${typeof value} canonically`, 'terms');
}

/** keccak256 of the terms' canonical JSON (UTF-8): the `licenseTermsHash` a Contribution signs. */
export function licenseTermsHash(terms: LicenseTerms | Record<string, unknown>): string {
  return keccak256(toUtf8Bytes(canonicalJson(terms)));
}
