import { readFile, writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { Contract, getAddress, id as keccakText } from 'ethers';
import type { Proposal } from '@upstream/api-contract';
import {
  artifacts,
  ballotTypedData,
  checkBallot,
  encodeProposal,
  relayCallData,
  type BallotSupport,
  type ProposalCall,
  type ProposalTemplate,
  type SignedBallot,
} from '@upstream/chain';
import { licenseTerms, licenseTermsHash } from '@upstream/provenance';
import { ApiClient, globalOptions, loadSigner, output } from '../cli-context';
import { address, chainOptions, integer, withSigner, type ChainOptions } from '../chain-options';

const SUPPORT = { against: 0, for: 1, abstain: 2 } as const;

function proposalText(p: Proposal): string {
  const lines = [
    `proposal ${p.id}  ${p.state.toUpperCase()}`,
    `  ${p.description.split('\n')[0]}`,
    `  by ${p.proposer}, ${p.proposedAt}`,
    `  votes for ${p.votes.for}   against ${p.votes.against}   abstain ${p.votes.abstain}   quorum ${p.quorum}`,
    p.state === 'active' || p.state === 'pending'
      ? `  vote closes at block ${p.deadlineBlock} (${p.blocksLeft} blocks left)`
      : p.executableAt
        ? `  executable from ${p.executableAt}`
        : `  vote closed at block ${p.deadlineBlock}`,
    '  actions:',
    ...p.actions.map((a, i) => `    ${i + 1}. ${a.words}`),
  ];
  return lines.join('\n');
}

/** A license template's id: a terms hash as given, or a template's name whose default terms are hashed. */
function templateId(value: string, option: string): string {
  if (/^0x[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
  if (value === 'open-training' || value === 'research-only') return licenseTermsHash(licenseTerms(value));
  throw new Error(
    `${option}: ${JSON.stringify(value)} is neither a terms hash (0x and 64 hex digits) nor open-training or research-only`,
  );
}

/** The template a `propose` command line names (exactly one kind of change). */
function templateOf(o: Record<string, string | undefined>): ProposalTemplate {
  const chosen: ProposalTemplate[] = [];
  if (o.feeBps !== undefined) chosen.push({ kind: 'protocol-fee', feeBps: Number(integer(o.feeBps, '--fee-bps')) });
  if (o.rootDelay !== undefined) chosen.push({ kind: 'root-delay', seconds: integer(o.rootDelay, '--root-delay') });
  if (o.treasury !== undefined) chosen.push({ kind: 'treasury', treasury: address(o.treasury, '--treasury') });
  if (o.addGuardian !== undefined || o.removeGuardian !== undefined)
    chosen.push({
      kind: 'guardian',
      add: o.addGuardian === undefined ? undefined : address(o.addGuardian, '--add-guardian'),
      remove: o.removeGuardian === undefined ? undefined : address(o.removeGuardian, '--remove-guardian'),
    });
  if (o.allowToken !== undefined)
    chosen.push({ kind: 'token-allowed', token: address(o.allowToken, '--allow-token'), allowed: true });
  if (o.disallowToken !== undefined)
    chosen.push({ kind: 'token-allowed', token: address(o.disallowToken, '--disallow-token'), allowed: false });
  if (o.allowlist !== undefined) chosen.push({ kind: 'token-allowlist', enabled: o.allowlist === 'on' });
  if (o.timelockDelay !== undefined)
    chosen.push({ kind: 'timelock-delay', seconds: integer(o.timelockDelay, '--timelock-delay') });
  if (o.votingPeriod !== undefined)
    chosen.push({ kind: 'voting-period', blocks: integer(o.votingPeriod, '--voting-period') });
  if (o.quorum !== undefined) chosen.push({ kind: 'quorum', percent: Number(integer(o.quorum, '--quorum')) });
  if (o.addLicenseTemplate !== undefined)
    chosen.push({
      kind: 'license-template-add',
      templateId: templateId(o.addLicenseTemplate, '--add-license-template'),
      uri: o.termsUri ?? '',
    });
  if (o.removeLicenseTemplate !== undefined)
    chosen.push({
      kind: 'license-template-remove',
      templateId: templateId(o.removeLicenseTemplate, '--remove-license-template'),
    });
  if (o.addArbiter !== undefined || o.removeArbiter !== undefined)
    chosen.push({
      kind: 'arbiter',
      add: o.addArbiter === undefined ? undefined : address(o.addArbiter, '--add-arbiter'),
      remove: o.removeArbiter === undefined ? undefined : address(o.removeArbiter, '--remove-arbiter'),
    });
  if (o.disputeTimeout !== undefined)
    chosen.push({ kind: 'dispute-timeout', seconds: integer(o.disputeTimeout, '--dispute-timeout') });
  if (chosen.length !== 1)
    throw new Error(
      'name exactly one change: --fee-bps, --root-delay, --treasury, --add-guardian/--remove-guardian, ' +
        '--allow-token, --disallow-token, --allowlist, --timelock-delay, --voting-period, --quorum, ' +
        '--add-license-template, --remove-license-template, --add-arbiter/--remove-arbiter or --dispute-timeout',
    );
  if (o.termsUri !== undefined && o.addLicenseTemplate === undefined)
    throw new Error('--terms-uri: goes with --add-license-template');
  return chosen[0];
}

/** The Governor's arguments for a proposal as the API shows it (to queue or execute it). */
function operation(p: Proposal): [string[], bigint[], string[], string] {
  return [
    p.actions.map((a) => a.target),
    p.actions.map((a) => BigInt(a.value)),
    p.actions.map((a) => a.calldata),
    keccakText(p.description),
  ];
}

export function registerGovernanceCommands(program: Command): void {
  const governance = program
    .command('governance')
    .description('proposals, votes and delegation: read them from the API, send them with your key');

  governance
    .command('info')
    .description('the Governor, Timelock and votes token, and their rules now')
    .action(async (_options: unknown, command: Command) => {
      const opts = globalOptions(command);
      const info = await new ApiClient(opts.api).call('getGovernance');
      output(opts, info, () =>
        [
          `governor ${info.governor}   timelock ${info.timelock}   votes ${info.votes}`,
          `vote opens ${info.votingDelayBlocks} block(s) after a proposal and lasts ${info.votingPeriodBlocks} blocks; quorum ${info.quorumPercent} % of ${info.votesSupply}`,
          `a passed proposal waits ${info.timelockDelaySeconds} s in the timelock; proposing needs ${info.proposalThreshold} votes`,
        ].join('\n'),
      );
    });

  governance
    .command('proposals')
    .description('proposals, newest first, with their state, tally and actions in words')
    .option('--limit <n>', 'how many', '20')
    .option('--offset <n>', 'skip this many', '0')
    .action(async (options: { limit: string; offset: string }, command: Command) => {
      const opts = globalOptions(command);
      const page = await new ApiClient(opts.api).call('listProposals', {
        query: {
          limit: Number(integer(options.limit, '--limit')),
          offset: Number(integer(options.offset, '--offset')),
        },
      });
      output(opts, page, () =>
        page.items.length === 0 ? 'no proposals yet' : page.items.map(proposalText).join('\n\n'),
      );
    });

  governance
    .command('show <id>')
    .description('one proposal')
    .action(async (id: string, _options: unknown, command: Command) => {
      const opts = globalOptions(command);
      const proposal = await new ApiClient(opts.api).call('getProposal', { params: { id } });
      output(opts, proposal, () => proposalText(proposal));
    });

  governance
    .command('license-templates')
    .description('the license templates governance approved; a dataset whose termsHash is listed uses one')
    .action(async (_options: unknown, command: Command) => {
      const opts = globalOptions(command);
      const list = await new ApiClient(opts.api).call('listLicenseTemplates');
      output(opts, list, () =>
        list.items.length === 0
          ? `no license template approved yet (registry ${list.registry})`
          : list.items.map((t) => `${t.templateId}  approved ${t.approvedAt}${t.uri ? `  ${t.uri}` : ''}`).join('\n'),
      );
    });

  governance
    .command('votes [address]')
    .description("an account's voting power and delegate (default: the signing key's account)")
    .option('--keystore <file>', 'encrypted JSON keystore (password in UPSTREAM_KEYSTORE_PASSWORD)')
    .action(async (account: string | undefined, options: { keystore?: string }, command: Command) => {
      const opts = globalOptions(command);
      const who = account ? address(account, 'address') : (await loadSigner(options)).address;
      const votes = await new ApiClient(opts.api).call('getAccountVotes', { params: { address: who } });
      output(opts, votes, () =>
        [
          `${votes.account}: ${votes.votes} votes`,
          votes.delegate === null
            ? `  its ${votes.balance} tokens are not delegated (they count nowhere): upstream governance delegate`
            : `  delegates its ${votes.balance} tokens to ${votes.delegate}`,
        ].join('\n'),
      );
    });

  chainOptions(
    governance
      .command('delegate [to]')
      .description('delegate your votes tokens to an account (default: yourself, to vote with them)'),
  ).action(async (to: string | undefined, options: ChainOptions, command: Command) => {
    const opts = globalOptions(command);
    const info = await new ApiClient(opts.api).call('getGovernance');
    await withSigner(options, async (signer) => {
      const delegatee = to ? address(to, 'to') : signer.address;
      const votes = new Contract(info.votes, artifacts.UpstreamVotes.abi, signer);
      const receipt = await (await votes.getFunction('delegate').send(delegatee)).wait();
      output(
        opts,
        { delegate: delegatee, txHash: receipt?.hash },
        () => `delegated to ${delegatee} in ${receipt?.hash}`,
      );
    });
  });

  chainOptions(
    governance
      .command('propose')
      .description('propose one change from a template; the actions are encoded for you and shown in words')
      .requiredOption('--description <text>', 'what the proposal is and why (voters read this)')
      .option('--fee-bps <n>', 'set the protocol fee, in basis points (at most 1000)')
      .option('--root-delay <seconds>', 'set the delay before a root becomes claimable')
      .option('--treasury <address>', 'send protocol fees to this treasury')
      .option('--add-guardian <address>', 'grant the guardian role (veto roots, pause)')
      .option('--remove-guardian <address>', 'revoke the guardian role')
      .option('--allow-token <address>', 'allow payments in this token')
      .option('--disallow-token <address>', 'disallow payments in this token')
      .addOption(
        new Option('--allowlist <state>', 'accept only allowed tokens (on) or any (off)').choices(['on', 'off']),
      )
      .option('--timelock-delay <seconds>', "set the timelock's delay")
      .option('--voting-period <blocks>', 'set how long a vote stays open')
      .option('--quorum <percent>', 'set the quorum, in percent of the votes supply')
      .option(
        '--add-license-template <terms>',
        'approve a license template: its terms hash, or open-training / research-only for their default terms',
      )
      .option('--terms-uri <uri>', 'with --add-license-template: where the terms are published')
      .option('--remove-license-template <terms>', "withdraw a license template's approval (terms hash or name)")
      .option('--add-arbiter <address>', 'let this account uphold and reject disputes (ARBITER_ROLE on DisputeBonds)')
      .option('--remove-arbiter <address>', 'stop this account from resolving disputes')
      .option('--dispute-timeout <seconds>', 'after how long anyone may close an unresolved dispute as rejected'),
  ).action(async (options: ChainOptions & Record<string, string | undefined>, command: Command) => {
    const opts = globalOptions(command);
    const template = templateOf(options);
    const api = new ApiClient(opts.api);
    const [info, chain] = await Promise.all([api.call('getGovernance'), api.call('getChain')]);
    const calls: ProposalCall[] = encodeProposal(template, {
      royaltySplitter: chain.royaltySplitter,
      provenanceRegistry: chain.provenanceRegistry,
      governor: info.governor,
      timelock: info.timelock,
      licenseTemplates: info.licenseTemplates ?? undefined,
      disputeBonds: info.disputeBonds ?? undefined,
    });
    const description = options.description!;
    await withSigner(options, async (signer) => {
      const governor = new Contract(info.governor, artifacts.UpstreamGovernor.abi, signer);
      const args = [calls.map((c) => c.target), calls.map((c) => c.value), calls.map((c) => c.calldata)] as const;
      const receipt = await (await governor.getFunction('propose').send(...args, description)).wait();
      const id = (await governor.getFunction('hashProposal').staticCall(...args, keccakText(description))) as bigint;
      output(opts, { id: id.toString(), txHash: receipt?.hash }, () =>
        [
          `proposal ${id} made in ${receipt?.hash}`,
          `its vote opens in ${info.votingDelayBlocks} block(s): upstream governance vote ${id} for|against|abstain`,
        ].join('\n'),
      );
    });
  });

  chainOptions(
    governance
      .command('vote <id> <support>')
      .description('vote for, against or abstain on a proposal with your delegated votes')
      .option('--reason <text>', 'a reason, kept on-chain with the vote')
      .option('--by-sig', 'sign an EIP-712 ballot instead of sending a transaction; anyone can relay it (no gas)')
      .option('--out <file>', 'with --by-sig: write the ballot to this file (default: print it)'),
  ).action(
    async (
      id: string,
      support: string,
      options: ChainOptions & { reason?: string; bySig?: boolean; out?: string },
      command: Command,
    ) => {
      const opts = globalOptions(command);
      if (!(support in SUPPORT)) throw new Error(`support: ${JSON.stringify(support)} is not for, against or abstain`);
      const proposalId = integer(id, 'id');
      const info = await new ApiClient(opts.api).call('getGovernance');
      await withSigner(options, async (signer) => {
        const governor = new Contract(info.governor, artifacts.UpstreamGovernor.abi, signer);
        const choice = SUPPORT[support as keyof typeof SUPPORT];
        if (options.bySig) {
          const [nonce, network] = await Promise.all([
            governor.getFunction('nonces').staticCall(signer.address) as Promise<bigint>,
            signer.provider!.getNetwork(),
          ]);
          const unsigned = {
            governor: info.governor,
            chainId: Number(network.chainId),
            proposalId: proposalId.toString(),
            support: support as BallotSupport,
            voter: signer.address,
            nonce: nonce.toString(),
            ...(options.reason === undefined ? {} : { reason: options.reason }),
          };
          const { domain, types, message } = ballotTypedData(unsigned);
          const ballot: SignedBallot = {
            kind: 'upstream-ballot',
            ...unsigned,
            signature: await signer.signTypedData(domain, types, message),
          };
          if (options.out) await writeFile(options.out, JSON.stringify(ballot, null, 2) + '\n');
          output(opts, ballot, () =>
            options.out
              ? `signed ballot (${support} on ${id}) written to ${options.out}: anyone can submit it with \`upstream governance relay ${options.out}\``
              : JSON.stringify(ballot, null, 2),
          );
          return;
        }
        const tx =
          options.reason === undefined
            ? await governor.getFunction('castVote').send(proposalId, choice)
            : await governor.getFunction('castVoteWithReason').send(proposalId, choice, options.reason);
        const receipt = await tx.wait();
        output(opts, { id, support, txHash: receipt?.hash }, () => `voted ${support} on ${id} in ${receipt?.hash}`);
      });
    },
  );

  chainOptions(
    governance
      .command('relay <ballot-file>')
      .description("submit someone's signed ballot (from `vote --by-sig`) with castVoteBySig; you pay the gas"),
  ).action(async (file: string, options: ChainOptions, command: Command) => {
    const opts = globalOptions(command);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`ballot-file: cannot read ${file} as JSON (${(error as Error).message})`, { cause: error });
    }
    const ballot = checkBallot(parsed);
    const info = await new ApiClient(opts.api).call('getGovernance');
    if (getAddress(info.governor) !== getAddress(ballot.governor))
      throw new Error(`ballot.governor: ${ballot.governor} is not this deployment's governor ${info.governor}`);
    await withSigner(options, async (signer) => {
      const receipt = await (await signer.sendTransaction(relayCallData(ballot))).wait();
      output(
        opts,
        { id: ballot.proposalId, support: ballot.support, voter: ballot.voter, txHash: receipt?.hash },
        () => `relayed ${ballot.voter}'s vote ${ballot.support} on ${ballot.proposalId} in ${receipt?.hash}`,
      );
    });
  });

  for (const step of ['queue', 'execute'] as const) {
    chainOptions(
      governance
        .command(`${step} <id>`)
        .description(
          step === 'queue'
            ? 'queue a proposal that passed in the timelock'
            : 'execute a queued proposal once its timelock delay has passed',
        ),
    ).action(async (id: string, options: ChainOptions, command: Command) => {
      const opts = globalOptions(command);
      const api = new ApiClient(opts.api);
      const [info, proposal] = await Promise.all([
        api.call('getGovernance'),
        api.call('getProposal', { params: { id } }),
      ]);
      await withSigner(options, async (signer) => {
        const governor = new Contract(info.governor, artifacts.UpstreamGovernor.abi, signer);
        const receipt = await (await governor.getFunction(step).send(...operation(proposal))).wait();
        output(
          opts,
          { id, txHash: receipt?.hash },
          () => `${step === 'queue' ? 'queued' : 'executed'} ${id} in ${receipt?.hash}`,
        );
      });
    });
  }
}
