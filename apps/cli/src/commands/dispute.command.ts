import { Command, Option } from 'commander';
import { Contract, Interface, type ContractTransactionReceipt, type Wallet } from 'ethers';
import { DISPUTE_STATUSES, type Dispute, type DisputeParameters } from '@upstream/api-contract';
import { artifacts } from '@upstream/chain';
import { sha256File } from '@upstream/provenance/node';
import { DISPUTE_LABELS, type DisputeLabel } from '@upstream/royalties';
import { apiClient, ApiClient, globalOptions, output } from '../cli-context';
import { address, chainOptions, integer, withSigner, type ChainOptions } from '../chain-options';

const bondsAbi = new Interface(artifacts.DisputeBonds.abi);
const tokenAbi = new Interface(artifacts.LocalToken.abi);
const BPS = 10_000n;

/** Collects a repeatable option's values. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

function label(value: string): DisputeLabel {
  const name = value.toUpperCase().replaceAll('-', '_') as DisputeLabel;
  if (!DISPUTE_LABELS.includes(name))
    throw new Error(`--label: ${JSON.stringify(value)} is not one of ${DISPUTE_LABELS.join(', ')}`);
  return name;
}

function bytes32(value: string, option: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new Error(`${option}: ${JSON.stringify(value)} is not a 32-byte hex digest (0x and 64 hex digits)`);
  return value.toLowerCase();
}

/** `ADDR:BPS` pairs whose shares sum to 10,000, as DisputeBonds.uphold takes them. */
export function rightfulOwners(values: string[]): { accounts: string[]; shareBps: bigint[] } {
  const pairs = values.map((v) => {
    const [account, bps, extra] = v.split(':');
    if (bps === undefined || extra !== undefined)
      throw new Error(`--rightful-owner: ${JSON.stringify(v)} is not ADDRESS:BPS (e.g. 0xab…cd:10000)`);
    const share = integer(bps, '--rightful-owner');
    if (share === 0n || share > BPS)
      throw new Error(`--rightful-owner: ${JSON.stringify(v)}: the share must be 1 to 10000 basis points`);
    return { account: address(account, '--rightful-owner'), share };
  });
  const sum = pairs.reduce((a, p) => a + p.share, 0n);
  if (sum !== BPS) throw new Error(`--rightful-owner: the shares sum to ${sum} basis points, not 10000`);
  return { accounts: pairs.map((p) => p.account), shareBps: pairs.map((p) => p.share) };
}

/** Where each DisputeBonds refusal comes from on the command line. */
const REVERT_FLAGS: Record<string, string> = {
  DisputeBondsTokenNotAllowed: '--token',
  DisputeBondsBondTooLow: '--bond',
  DisputeBondsAlreadyDisputed: '--dataset',
  DisputeBondsDatasetDelisted: '--dataset',
  DisputeBondsNotOpen: 'id',
  DisputeBondsNotExpired: 'id',
  DisputeBondsInvalidOwners: 'owners',
  DisputeBondsSharesNotWhole: '--rightful-owner',
  DisputeBondsZeroValue: '--bond',
  AccessControlUnauthorizedAccount: 'wallet',
  ERC20InsufficientBalance: 'wallet',
  ERC20InsufficientAllowance: '--bond',
};

/** A DisputeBonds (or bond token) revert, decoded into the flag it concerns and its reason. */
function explained(error: unknown, what: string): Error {
  const data = (error as { data?: unknown }).data;
  // The bond token's own refusals (balance, allowance) come back through transferFrom.
  const decoded = typeof data === 'string' ? (bondsAbi.parseError(data) ?? tokenAbi.parseError(data)) : null;
  if (!decoded) return error as Error;
  const args = decoded.args.map((a: unknown) => String(a));
  const reason =
    decoded.name === 'DisputeBondsNotExpired'
      ? `dispute ${args[0]} cannot be closed before ${new Date(Number(args[1]) * 1000).toISOString()}`
      : decoded.name === 'AccessControlUnauthorizedAccount'
        ? `${args[0]} does not hold the arbiter role on DisputeBonds`
        : `${decoded.name}(${args.join(', ')})`;
  return new Error(`${REVERT_FLAGS[decoded.name] ?? what}: ${what} refused by DisputeBonds: ${reason}`, {
    cause: error,
  });
}

/** Sends `fn(args)` on DisputeBonds from `signer`, refusals decoded; answers the receipt. */
async function sendToBonds(
  signer: Wallet,
  params: DisputeParameters,
  fn: string,
  args: unknown[],
): Promise<ContractTransactionReceipt> {
  const bonds = new Contract(params.contract, bondsAbi, signer);
  try {
    const receipt = await (await bonds.getFunction(fn).send(...args)).wait();
    if (receipt?.status !== 1) throw new Error(`${fn}: transaction ${receipt?.hash} reverted`);
    return receipt;
  } catch (error) {
    throw explained(error, fn);
  }
}

function disputeText(d: Dispute): string {
  const lines = [
    `dispute ${d.id}  ${d.status.toUpperCase()}  ${d.label}`,
    `  dataset      ${d.dataset ? `${d.dataset.id}  ${d.dataset.title}` : '(not registered here)'}`,
    `  contentRoot  ${d.contentRoot}`,
    `  disputer     ${d.disputer}`,
    `  bond         ${d.bond} of ${d.token}`,
    `  evidence     ${d.evidenceUri}  (${d.evidenceHash})`,
    `  claimed      ${d.claimedOwners.join(', ')}`,
    `  opened       ${d.opened.at} in block ${d.opened.blockNumber}, tx ${d.opened.txHash}`,
  ];
  if (d.closableFrom)
    lines.push(`  closable     by anyone from ${d.closableFrom} (upstream dispute close-expired ${d.id})`);
  const r = d.resolution;
  if (r) {
    lines.push(
      `  ${r.outcome.padEnd(12)} by ${r.resolver} at ${r.event.at} in block ${r.event.blockNumber}, tx ${r.event.txHash}`,
    );
    for (const o of r.rightfulOwners) lines.push(`  rightful     ${o.account}  ${o.shareBps} bps`);
    if (r.bondRunId) lines.push(`  bond paid to the owners as run ${r.bondRunId}`);
  }
  return lines.join('\n');
}

/**
 * `upstream dispute open|show|list|resolve|close-expired`: contest a dataset with a bond, read disputes
 * through the API, and resolve them with an arbiter's wallet. Transactions go from the user's own wallet.
 */
export function registerDisputeCommands(program: Command): void {
  const dispute = program
    .command('dispute')
    .description('contest a dataset with a bond (DisputeBonds), read disputes, resolve them as an arbiter');

  chainOptions(
    dispute
      .command('open')
      .description('open a dispute against a dataset: approve the bond, then DisputeBonds.open; prints the dispute id')
      .requiredOption('--dataset <id>', 'the disputed dataset (uuid or content root)')
      .requiredOption('--label <label>', `why: ${DISPUTE_LABELS.join(', ')}`)
      .addOption(new Option('--evidence <file>', 'a file of evidence: its SHA-256 is posted').conflicts('evidenceHash'))
      .option('--evidence-hash <hash>', 'the evidence digest (0x and 64 hex digits) instead of --evidence')
      .requiredOption('--evidence-uri <uri>', 'where the evidence can be read')
      .option('--claimed-owner <address>', 'an account you claim is a rightful owner (repeat, 1 to 32)', collect)
      .requiredOption('--bond <units>', 'the bond, in the token’s smallest units (at least its minimum bond)')
      .option('--token <address>', 'the bond token (default: the service’s payment token)'),
  ).action(
    async (
      options: ChainOptions & {
        dataset: string;
        label: string;
        evidence?: string;
        evidenceHash?: string;
        evidenceUri: string;
        claimedOwner?: string[];
        bond: string;
        token?: string;
      },
      command: Command,
    ) => {
      const opts = globalOptions(command);
      const why = DISPUTE_LABELS.indexOf(label(options.label));
      if (options.evidence === undefined && options.evidenceHash === undefined)
        throw new Error('--evidence: give the evidence file (--evidence) or its digest (--evidence-hash)');
      const givenHash =
        options.evidenceHash === undefined ? undefined : bytes32(options.evidenceHash, '--evidence-hash');
      const owners = (options.claimedOwner ?? []).map((o) => {
        if (o.includes(':'))
          throw new Error(
            `--claimed-owner: ${JSON.stringify(o)}: give the account only; the shares are set by the arbiter's resolution`,
          );
        return address(o, '--claimed-owner');
      });
      if (owners.length === 0 || owners.length > 32)
        throw new Error('--claimed-owner: name 1 to 32 accounts you claim are the rightful owners');
      const bond = integer(options.bond, '--bond');
      const api = new ApiClient(opts.api);
      const [params, dataset] = await Promise.all([
        api.call('getDisputeParameters'),
        api.call('getDataset', { params: { id: options.dataset } }),
      ]);
      const token = options.token ? address(options.token, '--token') : params.bondTokens[0]?.token;
      if (token === undefined) throw new Error('--token: the service names no bond token; give one');
      const known = params.bondTokens.find((t) => t.token.toLowerCase() === token.toLowerCase());
      if (known && bond < BigInt(known.minBond))
        throw new Error(`--bond: ${bond} is below the minimum bond ${known.minBond} of ${token}`);
      if (dataset.openDisputes.length > 0)
        throw new Error(`--dataset: ${dataset.id} already has an open dispute (${dataset.openDisputes.join(', ')})`);
      if (dataset.tags.includes('disputed-upheld'))
        throw new Error(`--dataset: ${dataset.id} is delisted (a dispute against it was upheld)`);
      const evidenceHash = givenHash ?? `0x${(await sha256File(options.evidence!)).sha256}`;

      await withSigner(options, async (signer) => {
        const approve = await signer.sendTransaction({
          to: token,
          data: tokenAbi.encodeFunctionData('approve', [params.contract, bond]),
        });
        await approve.wait();
        const receipt = await sendToBonds(signer, params, 'open', [
          {
            datasetId: dataset.contentRoot,
            label: why,
            evidenceHash,
            evidenceUri: options.evidenceUri,
            claimedOwners: owners,
            token,
            bond,
          },
        ]);
        const opened = receipt.logs
          .map((log) => (log.address === params.contract ? bondsAbi.parseLog(log) : null))
          .find((log) => log?.name === 'DisputeOpened');
        const id = String(opened!.args.disputeId);
        output(
          opts,
          {
            id,
            datasetId: dataset.id,
            contentRoot: dataset.contentRoot,
            evidenceHash,
            approveTx: approve.hash,
            txHash: receipt.hash,
          },
          () => `dispute ${id} opened against ${dataset.id} with a bond of ${bond} in ${receipt.hash}`,
        );
      });
    },
  );

  dispute
    .command('show <id>')
    .description('a dispute: its opening, evidence, bond, and its resolution if any')
    .action(async (id: string, _options: object, command: Command) => {
      const opts = globalOptions(command);
      const d = await apiClient(opts.api).call('getDispute', { params: { id } });
      output(opts, d, () => disputeText(d));
    });

  dispute
    .command('list')
    .description('disputes, newest first')
    .option('--dataset <id>', 'against this dataset (uuid or content root)')
    .addOption(new Option('--status <status>', 'only these').choices(DISPUTE_STATUSES))
    .option('--disputer <address>', 'opened by this account')
    .option('--limit <n>', 'at most this many', '100')
    .option('--offset <n>', 'skip this many', '0')
    .action(
      async (
        options: { dataset?: string; status?: Dispute['status']; disputer?: string; limit: string; offset: string },
        command: Command,
      ) => {
        const opts = globalOptions(command);
        const page = await apiClient(opts.api).call('listDisputes', {
          query: {
            dataset: options.dataset,
            status: options.status,
            disputer: options.disputer === undefined ? undefined : address(options.disputer, '--disputer'),
            limit: Number(integer(options.limit, '--limit')),
            offset: Number(integer(options.offset, '--offset')),
          },
        });
        output(opts, page, () =>
          page.items.length === 0
            ? 'no disputes'
            : [
                `${page.total} dispute(s)`,
                ...page.items.map(
                  (d) =>
                    `${d.id.padStart(4)}  ${d.status.padEnd(8)}  ${d.label.padEnd(21)}  ${d.dataset?.id ?? d.contentRoot}  by ${d.disputer}`,
                ),
              ].join('\n'),
        );
      },
    );

  chainOptions(
    dispute
      .command('resolve <id>')
      .description('as an arbiter (ARBITER_ROLE): uphold a dispute naming the rightful owners, or reject it')
      .option('--uphold', 'uphold it: the escrow goes to the rightful owners, the bond back to the disputer')
      .option(
        '--rightful-owner <address:bps>',
        'with --uphold: a rightful owner and its share (repeat; sum 10000)',
        collect,
      )
      .option('--reject', 'reject it: the bond goes to the owners through the splitter (less the protocol fee)'),
  ).action(
    async (
      id: string,
      options: ChainOptions & { uphold?: boolean; reject?: boolean; rightfulOwner?: string[] },
      command: Command,
    ) => {
      const opts = globalOptions(command);
      const disputeId = integer(id, 'id');
      if (Boolean(options.uphold) === Boolean(options.reject))
        throw new Error('--uphold/--reject: give exactly one of them');
      if (options.reject && options.rightfulOwner)
        throw new Error('--rightful-owner: only with --uphold (a rejection names no owners)');
      const owners = options.uphold ? rightfulOwners(options.rightfulOwner ?? []) : undefined;
      if (owners && owners.accounts.length === 0)
        throw new Error('--rightful-owner: --uphold needs at least one ADDRESS:BPS');
      const params = await new ApiClient(opts.api).call('getDisputeParameters');
      await withSigner(options, async (signer) => {
        const receipt = owners
          ? await sendToBonds(signer, params, 'uphold', [disputeId, owners.accounts, owners.shareBps])
          : await sendToBonds(signer, params, 'reject', [disputeId]);
        const outcome = owners ? 'upheld' : 'rejected';
        output(opts, { id, outcome, txHash: receipt.hash }, () => `dispute ${id} ${outcome} in ${receipt.hash}`);
      });
    },
  );

  chainOptions(
    dispute
      .command('close-expired <id>')
      .description('close a dispute nobody resolved within the timeout, as rejected (anyone may)'),
  ).action(async (id: string, options: ChainOptions, command: Command) => {
    const opts = globalOptions(command);
    const disputeId = integer(id, 'id');
    const params = await new ApiClient(opts.api).call('getDisputeParameters');
    await withSigner(options, async (signer) => {
      const receipt = await sendToBonds(signer, params, 'closeExpired', [disputeId]);
      output(
        opts,
        { id, outcome: 'rejected', txHash: receipt.hash },
        () => `dispute ${id} closed (expired) in ${receipt.hash}`,
      );
    });
  });
}
