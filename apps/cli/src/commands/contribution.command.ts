import { Command, Option } from 'commander';
import { Contract, JsonRpcProvider, getAddress, isAddress } from 'ethers';
import { artifacts } from '@upstream/chain';
import {
  MAX_LICENSE_DURATION_DAYS,
  buildContentTree,
  contributionMetadataHash,
  contributionTypedData,
  recoverSigner,
  verifyBatchAnchorProof,
  type FileEntry,
  type LicenseTemplate,
} from '@upstream/provenance';
import { hashPath, type HashPathResult } from '@upstream/provenance/node';
import {
  ACCESS_POLICIES,
  type AccessPolicy,
  type DatasetDetail,
  type DatasetFile,
  type FilePage,
} from '@upstream/api-contract';
import { apiClient, ApiClient, globalOptions, loadSigner, output } from '../cli-context';
import { bytesProgress } from '../contribution/progress';
import { signRegistration } from '../contribution/registration';
import { listFiles } from '../contribution/file-list';
import { DEFAULT_RESUMABLE_THRESHOLD, hashAndUpload } from '../contribution/uploader';

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function hashWithProgress(path: string, showProgress: boolean): Promise<HashPathResult> {
  let bar: ReturnType<typeof bytesProgress> | undefined;
  let seen = 0n;
  const result = await hashPath(path, {
    onProgress: (p) => {
      bar ??= bytesProgress('hashing', Number(p.bytesTotal), showProgress);
      bar.add(Number(p.bytesDone - seen));
      seen = p.bytesDone;
    },
  });
  bar?.stop();
  return result;
}

function parsePair(value: string, what: string): [string, number] {
  const at = value.lastIndexOf(':');
  const bps = Number(value.slice(at + 1));
  if (at <= 0 || !Number.isInteger(bps))
    throw new Error(`${what} must look like <id>:<basis points>, got ${JSON.stringify(value)}`);
  return [value.slice(0, at), bps];
}

/** The options of `upstream upload`, as commander parses them (choices and defaults applied). */
interface UploadOptions {
  title: string;
  description?: string;
  owner?: string[];
  parent?: string[];
  license: LicenseTemplate;
  feeToken?: string;
  feeAmount?: string;
  licenseDays?: string;
  access?: AccessPolicy;
  externalUri?: string;
  previousVersion?: string;
  keystore?: string;
  resumableThreshold: string;
}

/**
 * The fee of `upstream upload --license paid-per-run`: both --fee-token and --fee-amount, checked before
 * anything is hashed or uploaded; fee flags under a free template are refused too (the server would).
 */
export function feeOf(
  template: LicenseTemplate,
  options: Pick<UploadOptions, 'feeToken' | 'feeAmount'>,
): { token: string; amount: string } | undefined {
  if (template !== 'paid-per-run') {
    const given = [options.feeToken !== undefined && '--fee-token', options.feeAmount !== undefined && '--fee-amount'];
    const flags = given.filter(Boolean).join(' and ');
    if (flags)
      throw new Error(
        `${flags} ${flags.includes(' and ') ? 'apply' : 'applies'} only to --license paid-per-run (this upload is ${template})`,
      );
    return undefined;
  }
  const missing = [
    options.feeToken === undefined && '--fee-token <address>',
    options.feeAmount === undefined && '--fee-amount <units>',
  ];
  const named = missing.filter(Boolean).join(' and ');
  if (named)
    throw new Error(
      `--license paid-per-run needs --fee-token <address> and --fee-amount <units> (the ERC-20 token and the fee per training run in its smallest units); missing ${named}`,
    );
  const token = options.feeToken!;
  const amount = options.feeAmount!;
  if (!isAddress(token))
    throw new Error(`--fee-token must be a 0x address of 40 hex digits, got ${JSON.stringify(token)}`);
  if (!/^[1-9]\d*$/.test(amount))
    throw new Error(
      `--fee-amount must be a positive whole number of the token's smallest units, got ${JSON.stringify(amount)}`,
    );
  return { token, amount };
}

function licenseDays(value: string): number {
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > MAX_LICENSE_DURATION_DAYS)
    throw new Error(
      `--license-days must be an integer from 1 to ${MAX_LICENSE_DURATION_DAYS}, got ${JSON.stringify(value)}`,
    );
  return days;
}

export function registerContributionCommands(program: Command): void {
  program
    .command('hash <path>')
    .description('print the content root and per-file SHA-256 of a file or folder (the same computation as the server)')
    .action(async (path: string, _options, command: Command) => {
      const opts = globalOptions(command);
      const hashed = await hashWithProgress(path, !opts.json);
      const files = hashed.entries.map((e) => ({ path: e.path, size: e.size.toString(), sha256: e.sha256 }));
      output(
        opts,
        {
          contentRoot: hashed.contentRoot,
          kind: hashed.kind,
          fileCount: files.length,
          totalBytes: hashed.totalBytes.toString(),
          files,
          emptyDirectories: hashed.emptyDirectories,
        },
        () =>
          [
            `content root  ${hashed.contentRoot}`,
            `files         ${files.length} (${hashed.totalBytes} bytes)`,
            '',
            ...files.map((f) => `${f.sha256}  ${f.path}`),
          ].join('\n'),
      );
    });

  program
    .command('upload <path>')
    .description('upload a file or folder, sign the registration with your key, and register it; prints the dataset id')
    .requiredOption('--title <title>', 'dataset title')
    .option('--description <text>', 'dataset description')
    .option(
      '--owner <address:bps>',
      'co-owner and share in basis points (repeat; all sum to 10000; you must be one). Default: you, 10000',
      collect,
    )
    .option(
      '--parent <id:bps>',
      'dataset this derives from (uuid or content root) and its upstream share in basis points (repeat)',
      collect,
    )
    .addOption(
      new Option('--license <template>', 'license template')
        .choices(['open-training', 'paid-per-run', 'research-only'])
        .default('open-training'),
    )
    .option('--fee-token <address>', 'paid-per-run: ERC-20 token of the fee')
    .option('--fee-amount <units>', 'paid-per-run: fee per training run in smallest token units')
    .option('--license-days <n>', 'a license expires this many days (1–3650) after it becomes active')
    .addOption(
      new Option(
        '--access <policy>',
        'who may download the bytes: public, licensed (license holders) or private (owners); default public for open-training, licensed otherwise',
      ).choices(ACCESS_POLICIES),
    )
    .option('--external-uri <uri>', 'register by hashes alone: the bytes stay at this URI and are not uploaded')
    .option('--previous-version <id>', 'this is a new version of that dataset (you must own it)')
    .option(
      '--keystore <file>',
      'encrypted JSON keystore (password from UPSTREAM_KEYSTORE_PASSWORD); default UPSTREAM_PRIVATE_KEY',
    )
    .option(
      '--resumable-threshold <bytes>',
      'files this big or bigger upload through tus (resumable, hashed while sent)',
      String(DEFAULT_RESUMABLE_THRESHOLD),
    )
    .action(async (path: string, options: UploadOptions, command: Command) => {
      const opts = globalOptions(command);
      // Flags are checked before anything is hashed or sent.
      const fee = feeOf(options.license, options);
      const durationDays = options.licenseDays === undefined ? undefined : licenseDays(options.licenseDays);
      const client = apiClient(opts.api, { keystore: options.keystore });
      const signer = await loadSigner({ keystore: options.keystore });
      let upload = { uploaded: 0, skipped: 0, bytes: 0 };
      let hashed: { entries: FileEntry[]; contentRoot: string };
      if (options.externalUri) {
        hashed = await hashWithProgress(path, !opts.json);
      } else {
        // One read per file: big files are hashed while they are sent, small ones just before.
        const listing = await listFiles(path);
        const threshold = Number(options.resumableThreshold);
        const smallBytes = listing.files.reduce((sum, f) => (f.size < BigInt(threshold) ? sum + f.size : sum), 0n);
        let hashing: ReturnType<typeof bytesProgress> | undefined =
          smallBytes > 0n ? bytesProgress('hashing', Number(smallBytes), !opts.json) : undefined;
        let uploading: ReturnType<typeof bytesProgress> | undefined;
        const result = await hashAndUpload(listing.files, {
          api: opts.api,
          authorization: await client.auth.ensure(),
          resumableThreshold: threshold,
          onHashed: (d) => hashing?.add(d),
          onBytes: (d) => {
            hashing?.stop();
            hashing = undefined;
            uploading ??= bytesProgress('uploading', Number(listing.totalBytes), !opts.json);
            uploading.add(d);
          },
        });
        hashing?.stop();
        uploading?.stop();
        const tree = await buildContentTree(result.entries);
        hashed = { entries: [...tree.entries], contentRoot: tree.root };
        upload = { uploaded: result.uploaded, skipped: result.skipped, bytes: result.bytes };
      }

      const parents = await Promise.all(
        (options.parent ?? []).map(async (value) => {
          const [id, upstreamBps] = parsePair(value, '--parent');
          const parent = await client.call('getDataset', { params: { id } });
          return { datasetId: parent.contentRoot, upstreamBps };
        }),
      );
      const owners = (options.owner ?? []).map((value) => {
        const [account, shareBps] = parsePair(value, '--owner');
        return { account, shareBps };
      });
      const template = options.license;
      const chain = await client.call('getChain');
      const body = await signRegistration(signer, {
        entries: hashed.entries,
        contentRoot: hashed.contentRoot,
        title: options.title,
        description: options.description,
        owners: owners.length > 0 ? owners : undefined,
        parents,
        license: {
          template,
          ...(fee ? { fee } : {}),
          ...(durationDays !== undefined ? { durationDays } : {}),
        },
        accessPolicy: options.access,
        externalUri: options.externalUri,
        previousVersionId: options.previousVersion,
        domain: chain.eip712Domain,
      });
      const dataset = await client.call('registerDataset', { body });
      output(
        opts,
        {
          id: dataset.id,
          contentRoot: dataset.contentRoot,
          fileCount: dataset.fileCount,
          totalBytes: dataset.totalBytes,
          digest: dataset.digest,
          anchorState: dataset.anchorStatus.state,
          upload,
        },
        () =>
          [
            `registered dataset ${dataset.id}`,
            `content root  ${dataset.contentRoot}`,
            `files         ${dataset.fileCount} (${dataset.totalBytes} bytes; ${upload.uploaded} uploaded, ${upload.skipped} already stored)`,
            `anchor        ${dataset.anchorStatus.state} (check later with: upstream verify ${path} --dataset ${dataset.id})`,
          ].join('\n'),
      );
    });

  program
    .command('verify <path>')
    .description(
      "re-hash a file or folder, compare it with a dataset's record, and check the dataset's anchor on-chain",
    )
    .requiredOption('--dataset <id>', 'dataset uuid or content root')
    .option('--rpc <url>', 'JSON-RPC endpoint of the chain', process.env.UPSTREAM_RPC_URL ?? 'http://127.0.0.1:8545')
    .action(async (path: string, options: { dataset: string; rpc: string }, command: Command) => {
      const opts = globalOptions(command);
      const client = new ApiClient(opts.api);
      const hashed = await hashWithProgress(path, !opts.json);
      const dataset = await client.call('getDataset', { params: { id: options.dataset } });
      const serverFiles = new Map<string, DatasetFile>();
      for (let cursor: string | null | undefined = undefined; cursor !== null;) {
        const page: FilePage = await client.call('listDatasetFiles', {
          params: { id: dataset.id },
          query: { limit: 500, cursor: cursor || undefined },
        });
        page.items.forEach((f) => serverFiles.set(f.path, f));
        cursor = page.nextCursor;
      }
      const local = new Map(hashed.entries.map((e) => [e.path, e]));
      const missing = [...serverFiles.keys()].filter((p) => !local.has(p));
      const extra = [...local.keys()].filter((p) => !serverFiles.has(p));
      const changed = [...local.values()]
        .filter((e) => {
          const s = serverFiles.get(e.path);
          return s && (s.sha256 !== e.sha256 || s.size !== e.size.toString());
        })
        .map((e) => e.path);
      const contentMatches = hashed.contentRoot === dataset.contentRoot;
      const signed = await checkRegistrationSignature(client, dataset);

      const status = dataset.anchorStatus;
      const anchor: {
        state: string;
        proofValid?: boolean;
        anchoredAtOnChain?: number;
        txHash?: string;
        batchRoot?: string;
      } = { state: status.state };
      if (status.batch) {
        anchor.batchRoot = status.batch.root;
        anchor.proofValid =
          status.leaf === dataset.digest &&
          (await verifyBatchAnchorProof(status.batch.root, status.leaf, status.batch.proof));
        const provider = new JsonRpcProvider(options.rpc, undefined, { cacheTimeout: -1 });
        try {
          const registry = new Contract(status.registry, artifacts.ProvenanceRegistry.abi, provider);
          anchor.anchoredAtOnChain = Number(await registry.getFunction('anchoredAt')(status.batch.root));
        } finally {
          provider.destroy();
        }
        anchor.txHash = status.anchor?.txHash;
      }
      const anchored = anchor.proofValid === true && (anchor.anchoredAtOnChain ?? 0) > 0;
      const ok = contentMatches && anchored && signed.digestMatches && signed.signerIsOwner;
      output(
        opts,
        {
          ok,
          dataset: dataset.id,
          contentRoot: { local: hashed.contentRoot, server: dataset.contentRoot, match: contentMatches },
          files: { missing, extra, changed },
          signature: signed,
          anchor,
        },
        () =>
          [
            `${ok ? 'OK' : 'MISMATCH'}  dataset ${dataset.id}`,
            `content root  local ${hashed.contentRoot}`,
            `              server ${dataset.contentRoot} ${contentMatches ? '(match)' : '(DIFFERENT)'}`,
            ...(missing.length + extra.length + changed.length > 0
              ? [
                  `files         missing locally: ${missing.length}, not in record: ${extra.length}, changed: ${changed.length}`,
                  ...changed.slice(0, 10).map((p) => `  changed ${p}`),
                ]
              : []),
            signed.digestMatches && signed.signerIsOwner
              ? `signature     digest rebuilt from the record matches; signed by owner ${signed.signer}; ${
                  signed.metadataSigned
                    ? 'title, description and external URI are as signed (Contribution v2)'
                    : 'a version 1 record: its title, description and external URI were not signed'
                }`
              : `signature     ${signed.digestMatches ? `signer ${signed.signer} is NOT an owner` : 'digest rebuilt from the record DOES NOT MATCH'}`,
            anchored
              ? `anchor        batch ${anchor.batchRoot} anchored on-chain at ${new Date(anchor.anchoredAtOnChain! * 1000).toISOString()} (tx ${anchor.txHash ?? '?'}); proof valid`
              : `anchor        ${anchor.state}${anchor.proofValid === false ? ', PROOF INVALID' : ''}${anchor.batchRoot ? `, on-chain: ${anchor.anchoredAtOnChain ? 'yes' : 'not yet'}` : ''}`,
          ].join('\n'),
      );
      if (!ok) process.exitCode = 1;
    });
}

/**
 * Rebuilds the registration's EIP-712 digest from the public record (content
 * root, the shown title / description / external URI for version 2, owners and
 * parents in signed order, terms hash, nonce, deadline) under the domain the API
 * publishes, and recovers who signed it. The metadata hash is recomputed from
 * what is shown, never taken from the API.
 */
export async function checkRegistrationSignature(
  client: ApiClient,
  dataset: DatasetDetail,
): Promise<{ digestMatches: boolean; signer: string | null; signerIsOwner: boolean; metadataSigned: boolean }> {
  const chain = await client.call('getChain');
  const version = dataset.contributionVersion === 1 ? 1 : 2;
  const typedData = contributionTypedData(
    chain.eip712Domain,
    {
      contentRoot: dataset.contentRoot,
      ...(version === 2
        ? {
            metadataHash: contributionMetadataHash({
              title: dataset.title,
              description: dataset.description,
              externalUri: dataset.externalUri,
            }),
          }
        : {}),
      owners: dataset.owners.map((o) => ({ account: getAddress(o.account), shareBps: o.shareBps })),
      parents: dataset.parents.map((p) => ({ datasetId: p.contentRoot, upstreamBps: p.upstreamBps })),
      licenseTermsHash: dataset.license.termsHash,
      nonce: BigInt(dataset.nonce),
      deadline: BigInt(Math.floor(Date.parse(dataset.deadline) / 1000)),
    },
    version,
  );
  const digestMatches = typedData.digest.toLowerCase() === dataset.digest.toLowerCase();
  let signer: string | null = null;
  try {
    signer = recoverSigner(typedData, dataset.signature).toLowerCase();
  } catch {
    signer = null;
  }
  return {
    digestMatches,
    signer,
    signerIsOwner: signer !== null && dataset.owners.some((o) => o.account.toLowerCase() === signer),
    metadataSigned: version === 2 && digestMatches,
  };
}
