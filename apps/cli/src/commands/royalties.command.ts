import type { Command } from 'commander';
import { Contract, Interface, JsonRpcProvider, getAddress, isAddress, type Log } from 'ethers';
import { artifacts } from '@upstream/chain';
import {
  normaliseAddress,
  normaliseBytes32,
  parseAddress,
  parseBytes32,
  type Address,
  type ClaimProof,
} from '@upstream/api-contract';
// What rebuildEpoch reads; the API's EpochInputs (@upstream/api-contract) is assignable to it.
import {
  CumulativeSums,
  epochDataHash,
  EpochLeafStream,
  rebuildEpoch,
  type EpochInputs,
  type PublicDataset,
  type PublicPayment,
} from '@upstream/royalties';
import { ApiClient, globalOptions, loadSigner, output } from '../cli-context';

const DEFAULT_RPC = process.env.UPSTREAM_RPC_URL ?? 'http://127.0.0.1:8545';
const splitterAbi = new Interface(artifacts.RoyaltySplitter.abi);
const votesAbi = new Interface(artifacts.UpstreamVotes.abi);
const short = (hex: string) => `${hex.slice(0, 10)}…${hex.slice(-4)}`;

/** An address option as ethers accepts it (a mixed-case one must carry a valid checksum), parsed once. */
function checkedAddress(value: string, option: string): Address {
  if (!isAddress(value)) throw new Error(`${option}: ${JSON.stringify(value)} is not a 0x-prefixed 20-byte address`);
  return parseAddress(getAddress(value), option);
}

export function registerRoyaltiesCommands(program: Command): void {
  program
    .command('royalties')
    .description("show a contributor's balances per token (earned, claimed, claimable, pending) and earnings history")
    .option('--account <address>', "contributor address (default: the signing key's address)")
    .option('--keystore <file>', 'encrypted JSON keystore (password in UPSTREAM_KEYSTORE_PASSWORD)')
    .option('--limit <n>', 'history entries to show', '20')
    .action(async (options: { account?: string; keystore?: string; limit: string }, command: Command) => {
      const opts = globalOptions(command);
      const account = options.account
        ? checkedAddress(options.account, '--account')
        : parseAddress((await loadSigner(options)).address, 'signer');
      const api = new ApiClient(opts.api);
      const [balances, history] = await Promise.all([
        api.call('getContributorBalances', { params: { address: account } }),
        api.call('getContributorHistory', {
          params: { address: account },
          query: { limit: Number(options.limit) || 20 },
        }),
      ]);
      output(opts, { ...balances, history }, () => {
        const lines = [`account ${account}   current epoch ${balances.currentEpoch ?? '-'}`];
        if (balances.balances.length === 0) lines.push('no royalties yet');
        for (const b of balances.balances) {
          lines.push(
            `token ${b.token}`,
            `  earned ${b.earned}   claimed ${b.claimed}   claimable now ${b.claimable}   pending next epoch ${b.pending}`,
          );
        }
        for (const e of balances.escrow)
          lines.push(
            `held in escrow for dispute ${e.disputeId} (dataset ${short(e.datasetId)}): ${e.amount} (${short(e.token)}), released when it is resolved`,
          );
        if (history.items.length > 0) lines.push(`history (${history.items.length} of ${history.total}, newest first)`);
        for (const h of history.items) {
          lines.push(
            `  ${h.paidAt}  ${h.source} ${short(h.runId)}  dataset ${short(h.datasetId)}  +${h.amount}  (${short(h.token)})`,
          );
        }
        return lines.join('\n');
      });
    });

  program
    .command('claim')
    .description(
      "claim royalties on-chain with the current root's proofs; several tokens go in one claimMany transaction, and earned governance votes with them (claimWithVotes)",
    )
    .option('--no-votes', 'leave the earned governance votes unclaimed')
    .option('--token <address...>', 'only these tokens (default: every token with something to claim)')
    .option('--account <address>', 'claim for this account (the tokens always go to it; default: the signer)')
    .option('--rpc <url>', 'JSON-RPC endpoint (UPSTREAM_RPC_URL)', DEFAULT_RPC)
    .option('--keystore <file>', 'encrypted JSON keystore (password in UPSTREAM_KEYSTORE_PASSWORD)')
    .action(
      async (
        options: { token?: string[]; account?: string; rpc: string; keystore?: string; votes: boolean },
        command: Command,
      ) => {
        const opts = globalOptions(command);
        const signer = await loadSigner(options, options.rpc);
        try {
          const account = options.account
            ? checkedAddress(options.account, '--account')
            : parseAddress(signer.address, 'signer');
          const wanted: string[] | undefined = options.token?.map((t) => checkedAddress(t, '--token'));
          const proofs = await new ApiClient(opts.api).call('getContributorProofs', { params: { address: account } });
          if (proofs.epoch === null) throw new Error('no accepted root yet: nothing can be claimed');
          for (const t of wanted ?? []) {
            if (!proofs.claims.some((c) => c.token === t))
              throw new Error(`--token ${t}: ${account} has no balance in epoch ${proofs.epoch}`);
          }
          const splitter = new Contract(proofs.splitter, splitterAbi, signer);
          // The chain is the authority on what was already claimed (the API may lag by a block).
          const open: ClaimProof[] = [];
          for (const c of proofs.claims.filter((c) => !wanted || wanted.includes(c.token))) {
            const onChain = (await splitter.claimed(account, c.token)) as bigint;
            if (BigInt(c.cumulative) > onChain) open.push(c);
          }
          // Earned votes ride along in one claimWithVotes call on the votes contract when there are new ones.
          const votesLeaf = options.votes ? proofs.votes : null;
          const votes = votesLeaf ? new Contract(votesLeaf.votes, votesAbi, signer) : null;
          const newVotes =
            votesLeaf && votes && BigInt(votesLeaf.cumulative) > ((await votes.earnedClaimed(account)) as bigint);
          if (open.length === 0 && !newVotes) {
            output(
              opts,
              { account, epoch: proofs.epoch, claimed: [], votesMinted: '0' },
              () => `nothing to claim for ${account} in epoch ${proofs.epoch}`,
            );
            return;
          }
          const tx = newVotes
            ? await votes.claimWithVotes.send(
                account,
                open.map((c) => c.token),
                open.map((c) => c.cumulative),
                open.map((c) => c.proof),
                votesLeaf.cumulative,
                votesLeaf.proof,
              )
            : open.length === 1
              ? await splitter.claim.send(account, open[0].token, open[0].cumulative, open[0].proof)
              : await splitter.claimMany.send(
                  account,
                  open.map((c) => c.token),
                  open.map((c) => c.cumulative),
                  open.map((c) => c.proof),
                );
          const receipt = await tx.wait();
          if (!receipt) throw new Error(`claim transaction ${tx.hash} has no receipt`);
          const splitterAddress = normaliseAddress(proofs.splitter);
          const paid = (receipt.logs as Log[])
            .map((l) => (normaliseAddress(l.address) === splitterAddress ? splitterAbi.parseLog(l) : null))
            .filter((p) => p?.name === 'Claimed')
            .map((p) => ({
              token: parseAddress(String(p!.args.token), 'Claimed.token'),
              amount: (p!.args.amount as bigint).toString(),
              cumulative: (p!.args.cumulativeAmount as bigint).toString(),
            }));
          const votesAddress = votesLeaf ? normaliseAddress(votesLeaf.votes) : null;
          const minted = (receipt.logs as Log[])
            .map((l) => (votesAddress && normaliseAddress(l.address) === votesAddress ? votesAbi.parseLog(l) : null))
            .find((p) => p?.name === 'VotesClaimed');
          const votesMinted = minted ? (minted.args.amount as bigint).toString() : '0';
          output(opts, { account, epoch: proofs.epoch, txHash: receipt.hash, claimed: paid, votesMinted }, () =>
            [
              `claimed for ${account} (epoch ${proofs.epoch}) in ${receipt.hash}`,
              ...paid.map((p) => `  ${p.token}  +${p.amount}  (total claimed ${p.cumulative})`),
              ...(minted
                ? [
                    `  votes  +${votesMinted}  (earned votes minted ${(minted.args.cumulativeVotes as bigint).toString()}; delegate them with \`upstream governance delegate\`)`,
                  ]
                : []),
            ].join('\n'),
          );
        } finally {
          (signer.provider as JsonRpcProvider | null)?.destroy();
        }
      },
    );

  program
    .command('verify-epoch <epoch>')
    .description(
      "rebuild an epoch's root from public API data with the published rules and compare it with the chain (exit 2 on mismatch)",
    )
    .option('--rpc <url>', 'JSON-RPC endpoint (UPSTREAM_RPC_URL)', DEFAULT_RPC)
    .action(async (epochArg: string, options: { rpc: string }, command: Command) => {
      const opts = globalOptions(command);
      const epoch = Number(epochArg);
      if (!Number.isInteger(epoch) || epoch < 1)
        throw new Error(`epoch: ${JSON.stringify(epochArg)} is not a positive integer`);
      const api = new ApiClient(opts.api);
      // The inputs stream (NDJSON): a header line first, then one payment's entries at a time.
      const state = await api.call('getEpoch', { params: { epoch } });
      const lines = await api.lines('streamEpochInputs', { params: { epoch } });
      const first = (await lines.next()).value as string | undefined;
      const inputs = first ? (JSON.parse(first) as { epoch?: EpochHeader }).epoch : undefined;
      if (!inputs)
        throw new Error(`inputs: the stream does not start with the epoch's header: ${first?.slice(0, 200)}`);
      const provider = new JsonRpcProvider(options.rpc, undefined, { cacheTimeout: -1 });
      try {
        if (state.status === 'invalidated') {
          // Built on blocks the chain lost: there is nothing to rebuild, only whether the chain ever made it claimable.
          const accepted = await new Contract(getAddress(inputs.splitter), splitterAbi, provider).queryFilter(
            new Contract(getAddress(inputs.splitter), splitterAbi).filters.RootAccepted(epoch),
            0,
            'latest',
          );
          const report = {
            epoch,
            status: 'invalidated',
            reason: state.invalidatedReason,
            acceptedOnChain: accepted.length > 0,
          };
          output(opts, report, () =>
            report.acceptedOnChain
              ? `epoch ${epoch}: INVALIDATED but ACCEPTED on chain — ${report.reason}\n  claims against it may pay for lost payments; see GET /health (settlement) for what to do`
              : `epoch ${epoch}: INVALIDATED — ${report.reason}\n  its root was never claimable; a later epoch settles what the chain kept`,
          );
          if (report.acceptedOnChain) process.exitCode = 2;
          await lines.return?.();
          return;
        }
        const report = await verifyEpochLines(provider, inputs, lines);
        output(opts, report, () =>
          [
            `epoch ${epoch}: ${report.match ? 'MATCH' : 'MISMATCH'}`,
            `  rebuilt root     ${report.rebuiltRoot}  (${report.leaves} leaves from ${report.payments} payments)`,
            `  on-chain root    ${report.chainRoot ?? '(no RootProposed event)'}`,
            `  API root         ${inputs.root}`,
            `  data hash        ${report.dataHashMatches ? 'matches' : 'DIFFERS'}`,
            `  payments         ${report.paymentProblems.length === 0 ? 'all match their RunPaid events' : report.paymentProblems.join('; ')}`,
          ].join('\n'),
        );
        if (!report.match) process.exitCode = 2;
      } finally {
        provider.destroy();
      }
    });
}

export interface VerifyReport {
  epoch: number;
  match: boolean;
  rebuiltRoot: string;
  chainRoot: string | null;
  dataHashMatches: boolean;
  leaves: number;
  payments: number;
  paymentProblems: string[];
}

/** The first line of GET /epochs/:n/inputs.ndjson: the inputs without their lists, and how many payments follow. */
export type EpochHeader = Omit<EpochInputs, 'payments' | 'datasets'> & { root: string; payments: number };

/**
 * Checks every published payment against its RunPaid log on the chain, rebuilds root and data
 * hash with the same rules the server uses, and compares them with the epoch's RootProposed event.
 */
export async function verifyEpoch(provider: JsonRpcProvider, inputs: EpochInputs): Promise<VerifyReport> {
  const rebuilt = await rebuildEpoch(inputs);
  return compareWithChain(provider, inputs, inputs.payments, { ...rebuilt, leaves: rebuilt.balances.length });
}

/**
 * `verifyEpoch` over the NDJSON inputs after their header line: the lineage, then each payment's
 * entries allocated as soon as they are read (CumulativeSums), so only one payment's entries are held.
 */
export async function verifyEpochLines(
  provider: JsonRpcProvider,
  header: EpochHeader,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<VerifyReport> {
  const datasets = new Map<string, PublicDataset>();
  const payments: Omit<PublicPayment, 'entries'>[] = [];
  let sums: CumulativeSums | undefined;
  let current: { payment: PublicPayment; expected: number } | undefined;
  const settle = () => {
    if (!current) return;
    if (current.payment.entries.length !== current.expected)
      throw new Error(
        `inputs: payment ${current.payment.txHash}:${current.payment.logIndex} announced ${current.expected} entries, ${current.payment.entries.length} followed`,
      );
    // The lineage read so far becomes the allocation's graph as it is (ids from the API are lowercase).
    sums ??= new CumulativeSums(datasets, header.disputes ?? []);
    sums.add(current.payment);
    current = undefined;
  };
  for await (const text of lines) {
    if (text === '') continue;
    const line = JSON.parse(text) as
      | { dataset: PublicDataset & { id: string } }
      | { payment: Omit<PublicPayment, 'entries'> & { entryCount: number } }
      | { entry: PublicPayment['entries'][number] };
    if ('dataset' in line) {
      const { id, owners, parents } = line.dataset;
      if (payments.length > 0) throw new Error('inputs: a dataset line after the first payment');
      datasets.set(id.toLowerCase(), { owners, parents });
    } else if ('payment' in line) {
      settle();
      const { entryCount, ...payment } = line.payment;
      payments.push(payment);
      current = { payment: { ...payment, entries: [] }, expected: entryCount };
    } else if (current) current.payment.entries.push(line.entry);
    else throw new Error('inputs: an entry line before any payment line');
  }
  settle();
  if (payments.length !== header.payments)
    throw new Error(`inputs: the header announced ${header.payments} payments, ${payments.length} followed`);
  // The leaves go straight from the sums into the tree's leaf hashes: no list of every balance is built.
  const leaves = await EpochLeafStream.create(header.chainId, header.splitter.toLowerCase(), header.votes);
  for (const balance of (sums ?? new CumulativeSums(datasets, header.disputes ?? [])).balancesByAccount())
    leaves.add(balance);
  leaves.end();
  return compareWithChain(provider, header, payments, {
    root: leaves.root(),
    dataHash: epochDataHash(header.chainId, header.splitter, header.epoch, payments),
    leaves: leaves.length,
  });
}

/** The payments against their RunPaid logs, and the rebuilt root and data hash against RootProposed. */
async function compareWithChain(
  provider: JsonRpcProvider,
  inputs: Pick<EpochInputs, 'epoch' | 'chainId' | 'splitter'>,
  payments: readonly Omit<PublicPayment, 'entries'>[],
  rebuilt: { root: string; dataHash: string; leaves: number },
): Promise<VerifyReport> {
  const problems: string[] = [];
  const network = await provider.getNetwork();
  if (network.chainId !== BigInt(inputs.chainId))
    problems.push(`chain id ${network.chainId} is not the epoch's ${inputs.chainId}`);
  const splitter = getAddress(inputs.splitter);
  // Logs decoded from the chain are parsed once, here; the API's payments are parsed where they are compared.
  const byKey = new Map<string, Record<string, string>>();
  if (payments.length > 0) {
    const blocks = payments.map((p) => p.blockNumber);
    const from = Math.min(...blocks);
    const to = Math.max(...blocks);
    for (let start = from; start <= to; start += 5_000) {
      const logs = await provider.getLogs({
        address: splitter,
        topics: [splitterAbi.getEvent('RunPaid')!.topicHash],
        fromBlock: start,
        toBlock: Math.min(to, start + 4_999),
      });
      for (const log of logs) {
        const parsed = splitterAbi.parseLog(log)!;
        byKey.set(`${parseBytes32(log.transactionHash, 'log.transactionHash')}:${log.index}`, {
          runId: parseBytes32(String(parsed.args.runId), 'RunPaid.runId'),
          token: parseAddress(String(parsed.args.token), 'RunPaid.token'),
          amount: (parsed.args.amount as bigint).toString(),
          fee: (parsed.args.fee as bigint).toString(),
          net: (parsed.args.net as bigint).toString(),
        });
      }
    }
  }
  for (const p of payments) {
    const onChain = byKey.get(`${normaliseBytes32(p.txHash)}:${p.logIndex}`);
    if (!onChain) {
      problems.push(`payment ${p.txHash}:${p.logIndex} has no RunPaid log on the chain`);
      continue;
    }
    const fromApi = {
      runId: normaliseBytes32(p.runId),
      token: normaliseAddress(p.token),
      amount: String(p.amount),
      fee: String(p.fee),
      net: String(p.net),
    };
    for (const field of ['runId', 'token', 'amount', 'fee', 'net'] as const) {
      if (onChain[field] !== fromApi[field])
        problems.push(
          `payment ${p.txHash}:${p.logIndex} ${field} is ${p[field]} in the API, ${onChain[field]} on-chain`,
        );
    }
  }
  const events = await new Contract(splitter, splitterAbi, provider).queryFilter(
    new Contract(splitter, splitterAbi).filters.RootProposed(inputs.epoch),
    0,
    'latest',
  );
  const proposed = events.at(-1) as (Log & { args?: { root: string; dataHash: string } }) | undefined;
  const chainRoot = proposed?.args ? parseBytes32(String(proposed.args.root), 'RootProposed.root') : null;
  const chainDataHash = proposed?.args ? parseBytes32(String(proposed.args.dataHash), 'RootProposed.dataHash') : null;
  // The rebuilt root and data hash are lowercase hex by construction (hex digest, keccak256).
  const dataHashMatches = chainDataHash === rebuilt.dataHash;
  return {
    epoch: inputs.epoch,
    match: problems.length === 0 && chainRoot === rebuilt.root && dataHashMatches,
    rebuiltRoot: rebuilt.root,
    chainRoot,
    dataHashMatches,
    leaves: rebuilt.leaves,
    payments: payments.length,
    paymentProblems: problems,
  };
}
