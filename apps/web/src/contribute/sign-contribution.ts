import '../polyfills';
import { BrowserProvider } from 'ethers';
import type { CreateDatasetRequest, LicenseTemplate } from '@upstream/api-contract';
import {
  CONTRIBUTION_VERSION,
  contentRoot,
  contributionMetadataHash,
  contributionTypedData,
  licenseTerms,
  licenseTermsHash,
  type UpstreamDomain,
} from '@upstream/provenance';
import type { Eip1193Provider } from '../wallet/eip6963';
import type { HashedFile } from './hash-files';

/** The content root of the hashed files, with the libs' rules (the server's and the CLI's). */
export function rootOf(files: HashedFile[]): Promise<string> {
  return contentRoot(files.map((f) => ({ path: f.path, size: BigInt(f.size), sha256: f.sha256 })));
}

export interface ContributionForm {
  title: string;
  description: string;
  license: Exclude<LicenseTemplate, 'paid-per-run'>;
  accessPolicy: 'public' | 'licensed' | 'private';
  owners: { account: string; shareBps: number }[];
}

/**
 * The EIP-712 Contribution (version 2) over the files, owners, terms and the shown metadata, signed in the
 * wallet: the body of POST /datasets, as `upstream upload` builds it.
 */
export async function signContribution(
  provider: Eip1193Provider,
  account: string,
  domain: UpstreamDomain,
  files: HashedFile[],
  form: ContributionForm,
): Promise<CreateDatasetRequest> {
  const root = await rootOf(files);
  const termsHash = licenseTermsHash(licenseTerms(form.license));
  const nonce = BigInt(
    '0x' + Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(''),
  );
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
  const typed = contributionTypedData(
    domain,
    {
      contentRoot: root,
      metadataHash: contributionMetadataHash({ title: form.title, description: form.description, externalUri: null }),
      owners: form.owners,
      parents: [],
      licenseTermsHash: termsHash,
      nonce,
      deadline,
    },
    CONTRIBUTION_VERSION,
  );
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
    parents: [],
    license: { template: form.license },
    licenseTermsHash: termsHash,
    nonce: nonce.toString(),
    deadline: deadline.toString(),
    signature,
  };
}
