import { randomBytes } from 'node:crypto';
import type { Signer } from 'ethers';
import type { AccessPolicy, CreateDatasetRequest } from '@upstream/api-contract';
import {
  CONTRIBUTION_VERSION,
  contributionMetadataHash,
  contributionTypedData,
  licenseTerms,
  licenseTermsHash,
  type FileEntry,
  type LicenseTemplate,
  type LicenseTerms,
  type UpstreamDomain,
} from '@upstream/provenance';

export interface RegistrationInput {
  entries: readonly FileEntry[];
  contentRoot: string;
  title: string;
  description?: string;
  /** Defaults to the signer alone with 10,000 bps. */
  owners?: { account: string; shareBps: number }[];
  /** Parents by content root. */
  parents?: { datasetId: string; upstreamBps: number }[];
  license?: { template: LicenseTemplate; fee?: { token: string; amount: string }; durationDays?: number };
  /** Who may fetch the bytes; the server's default is `public` for open-training, `licensed` otherwise. */
  accessPolicy?: AccessPolicy;
  externalUri?: string;
  previousVersionId?: string;
  nonce?: bigint;
  /** Unix seconds; defaults to one hour from now. */
  deadline?: bigint;
  domain: UpstreamDomain;
}

/** The body of POST /datasets, signed: what `upstream upload` sends, and what the tests send (always with storage, parents and the terms hash). */
export type RegistrationBody = CreateDatasetRequest &
  Required<Pick<CreateDatasetRequest, 'storage' | 'parents' | 'licenseTermsHash'>>;

export function termsOf(license: RegistrationInput['license']): LicenseTerms {
  const template = license?.template ?? 'open-training';
  const options = { durationDays: license?.durationDays };
  if (template === 'paid-per-run') {
    if (!license?.fee) throw new Error('paid-per-run needs a fee token and amount');
    return licenseTerms('paid-per-run', { token: license.fee.token, amount: BigInt(license.fee.amount) }, options);
  }
  return licenseTerms(template, options);
}

/** A random 128-bit nonce: collisions with the signer's earlier ones are negligible. */
export function freshNonce(): bigint {
  return BigInt('0x' + randomBytes(16).toString('hex'));
}

/** Builds the Contribution, signs it with EIP-712 (the signature is the only authorization) and returns the request body. */
export async function signRegistration(signer: Signer, input: RegistrationInput): Promise<RegistrationBody> {
  const account = await signer.getAddress();
  const owners = input.owners ?? [{ account, shareBps: 10_000 }];
  const parents = input.parents ?? [];
  const license = input.license ?? { template: 'open-training' as const };
  const termsHash = licenseTermsHash(termsOf(license));
  const nonce = input.nonce ?? freshNonce();
  const deadline = input.deadline ?? BigInt(Math.floor(Date.now() / 1000) + 3600);
  const typed = contributionTypedData(
    input.domain,
    {
      contentRoot: input.contentRoot,
      metadataHash: contributionMetadataHash({
        title: input.title,
        description: input.description ?? '',
        externalUri: input.externalUri || null,
      }),
      owners,
      parents,
      licenseTermsHash: termsHash,
      nonce,
      deadline,
    },
    CONTRIBUTION_VERSION,
  );
  const signature = await signer.signTypedData(typed.domain, typed.types, typed.message);
  return {
    title: input.title,
    ...(input.description !== undefined ? { description: input.description } : {}),
    storage: input.externalUri ? 'external' : 'uploaded',
    ...(input.accessPolicy !== undefined ? { accessPolicy: input.accessPolicy } : {}),
    ...(input.externalUri ? { externalUri: input.externalUri } : {}),
    files: input.entries.map((e) => ({ path: e.path, size: e.size.toString(), sha256: e.sha256 })),
    contentRoot: input.contentRoot,
    owners,
    parents,
    license,
    licenseTermsHash: termsHash,
    ...(input.previousVersionId ? { previousVersionId: input.previousVersionId } : {}),
    nonce: nonce.toString(),
    deadline: deadline.toString(),
    signature,
  };
}
