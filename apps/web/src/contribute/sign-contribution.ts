import '../polyfills';
import { BrowserProvider } from 'ethers';
import type { CreateDatasetRequest, LicenseChoice, LicenseTemplate } from '@upstream/api-contract';
import {
  checkLicenseDuration,
  CONTRIBUTION_VERSION,
  contentRoot,
  contributionMetadataHash,
  contributionTypedData,
  licenseTerms,
  licenseTermsHash,
  ProvenanceError,
  validateContribution,
  type ContributionMessage,
  type FieldError,
  type UpstreamDomain,
} from '@upstream/provenance';
import type { Eip1193Provider } from '../wallet/eip6963';
import type { HashedFile } from './hash-files';

/** The content root of the hashed files, with the libs' rules (the server's and the CLI's). */
export function rootOf(files: HashedFile[]): Promise<string> {
  return contentRoot(files.map((f) => ({ path: f.path, size: BigInt(f.size), sha256: f.sha256 })));
}

/** The contribute form as typed: shares in percent (up to two decimals), parents by content root or id. */
export interface ContributionDraft {
  title: string;
  description: string;
  license: LicenseTemplate;
  /** paid-per-run: the fee per training run, in the token's smallest units. */
  fee: { token: string; amount: string };
  /** Days a license stays in force once active, as typed; empty: no end. */
  durationDays: string;
  accessPolicy: 'public' | 'licensed' | 'private';
  owners: { account: string; percent: string }[];
  parents: { dataset: string; percent: string }[];
}

/** A draft checked and made exact: shares in basis points, parents as content roots, the license terms. */
export interface ContributionForm {
  title: string;
  description: string;
  license: LicenseChoice;
  accessPolicy: ContributionDraft['accessPolicy'];
  owners: { account: string; shareBps: number }[];
  parents: { datasetId: string; upstreamBps: number }[];
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** "12.5" → 1250 basis points; undefined for anything but a percentage with at most two decimals. */
export function percentToBps(text: string): number | undefined {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** The draft's problems, every field at once (shown by `<ErrorView>`). */
export class ContributionNotValid extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`${errors.length} field${errors.length === 1 ? '' : 's'} to correct before signing`);
  }
}

/**
 * Checks the draft as the API will (`validateContribution` of @upstream/provenance, plus the fee) and
 * makes it exact; `resolveParent` turns a dataset id into its content root. Throws every field's problem
 * at once (ContributionNotValid), named as the API names them.
 */
export async function prepareContribution(
  draft: ContributionDraft,
  contentRootOfFiles: string,
  resolveParent: (id: string) => Promise<string | null>,
): Promise<ContributionForm> {
  const problems: FieldError[] = [];
  const bps = (field: string, text: string) => {
    const value = percentToBps(text);
    if (value === undefined) problems.push({ field, reason: 'must be a percentage with at most two decimals' });
    return value ?? 0;
  };
  const owners = draft.owners.map((o, i) => ({
    account: o.account.trim(),
    shareBps: bps(`owners[${i}].shareBps`, o.percent),
  }));
  const parents: ContributionForm['parents'] = [];
  for (const [i, p] of draft.parents.entries()) {
    const id = p.dataset.trim();
    const root = BYTES32.test(id) ? id.toLowerCase() : id ? await resolveParent(id) : null;
    if (root === null) problems.push({ field: `parents[${i}].datasetId`, reason: 'names no registered dataset' });
    parents.push({ datasetId: root ?? id, upstreamBps: bps(`parents[${i}].upstreamBps`, p.percent) });
  }
  let license: LicenseChoice = { template: draft.license };
  if (draft.license === 'paid-per-run') {
    const token = draft.fee.token.trim();
    const amount = draft.fee.amount.trim();
    if (!/^0x[0-9a-fA-F]{40}$/.test(token))
      problems.push({ field: 'license.fee.token', reason: 'must be a 0x address (40 hex digits)' });
    if (!/^\d+$/.test(amount) || BigInt(amount) === 0n)
      problems.push({ field: 'license.fee.amount', reason: 'must be a positive whole number of smallest token units' });
    license = { template: draft.license, fee: { token, amount } };
  }
  const durationDays = licenseDays(draft.durationDays.trim(), problems);
  if (durationDays !== undefined) license = { ...license, durationDays };
  // The shares, parents and hex formats are checked by the rule the API applies (the terms hash is the
  // API's to compute; a fee with a bad field has been reported above).
  const form = { ...draft, license, owners, parents };
  const message = messageOf(contentRootOfFiles, form, `0x${'0'.repeat(64)}`, 0n, 1n << 64n);
  const named = new Set(problems.map((p) => p.field));
  const errors = [...problems, ...validateContribution(message).filter((e) => !named.has(e.field))];
  if (errors.length > 0) throw new ContributionNotValid(errors);
  return {
    title: draft.title,
    description: draft.description,
    license,
    accessPolicy: draft.accessPolicy,
    owners,
    parents,
  };
}

/** The typed duration checked by the terms' own rule (`checkLicenseDuration`); empty: none. */
function licenseDays(text: string, problems: FieldError[]): number | undefined {
  if (text === '') return undefined;
  try {
    // Only plain digits are a number of days ("1e3" or "0x10" would be read as one by Number).
    return checkLicenseDuration(/^\d+$/.test(text) ? Number(text) : Number.NaN);
  } catch (error) {
    if (!(error instanceof ProvenanceError)) throw error;
    problems.push({ field: `license.${error.field}`, reason: error.reason });
    return undefined;
  }
}

function termsHashOf(license: LicenseChoice): string {
  const options = { durationDays: license.durationDays };
  return licenseTermsHash(
    license.template === 'paid-per-run'
      ? licenseTerms('paid-per-run', { token: license.fee!.token, amount: BigInt(license.fee!.amount) }, options)
      : licenseTerms(license.template, options),
  );
}

function messageOf(
  root: string,
  form: ContributionForm,
  termsHash: string,
  nonce: bigint,
  deadline: bigint,
): ContributionMessage {
  return {
    contentRoot: root,
    metadataHash: contributionMetadataHash({ title: form.title, description: form.description, externalUri: null }),
    owners: form.owners,
    parents: form.parents,
    licenseTermsHash: termsHash,
    nonce,
    deadline,
  };
}

/**
 * The EIP-712 Contribution (version 2) over the files, owners, parents, terms and the shown metadata,
 * signed in the wallet: the body of POST /datasets, as `upstream upload` builds it.
 */
export async function signContribution(
  provider: Eip1193Provider,
  account: string,
  domain: UpstreamDomain,
  files: HashedFile[],
  form: ContributionForm,
): Promise<CreateDatasetRequest> {
  const root = await rootOf(files);
  const nonce = BigInt(
    '0x' + Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''),
  );
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
  const message = messageOf(root, form, termsHashOf(form.license), nonce, deadline);
  const typed = contributionTypedData(domain, message, CONTRIBUTION_VERSION);
  const signer = await new BrowserProvider(provider).getSigner(account);
  const signature = await signer.signTypedData(typed.domain, typed.types, typed.message);
  return {
    title: form.title,
    description: form.description,
    storage: 'uploaded',
    accessPolicy: form.accessPolicy,
    files: files.map((f) => ({ path: f.path, size: String(f.size), sha256: f.sha256 })),
    contentRoot: root,
    owners: form.owners,
    parents: form.parents,
    license: form.license,
    licenseTermsHash: message.licenseTermsHash,
    nonce: nonce.toString(),
    deadline: deadline.toString(),
    signature,
  };
}
