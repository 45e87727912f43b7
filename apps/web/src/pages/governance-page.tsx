import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import type { GovernanceInfo, Proposal } from '@upstream/api-contract';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { dateTime, shortHex, tokens18, units } from '../format';
import { useWallet } from '../wallet/wallet-context';
import type { Support } from '../governance/governor-calls';
import { ProposeForm } from '../governance/propose-form';
import { TransactionStatus, useTransaction } from '../transactions/transaction-status';

const PER_PAGE = 20;

/** Governance: the rules now, voting power and delegation, proposing from a template, proposals with state, time left, votes, quorum, actions; voting, queueing and executing. */
export default function GovernancePage() {
  const { connected } = useWallet();
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    document.title = 'Governance · Upstream';
  }, []);
  const info = useQuery({ queryKey: ['governance'], queryFn: () => api('getGovernance'), refetchInterval: 3000 });
  const proposals = useQuery({
    queryKey: ['proposals', offset],
    queryFn: () => api('listProposals', { query: { limit: PER_PAGE, offset } }),
    // Proposals move on with the chain (votes, states, new ones once indexed): read them again now and then.
    refetchInterval: 3000,
  });

  return (
    <>
      <h1>Governance</h1>
      <p>
        The marketplace&apos;s rules (protocol fee, root delay, operator, guardian, tokens) are owned by a timelock that
        a token-vote Governor controls: a change is proposed, voted on, then waits in the timelock before it runs.
      </p>
      <ErrorView error={info.error} title="The governance could not be loaded" />
      {info.data && <Rules info={info.data} />}
      {connected && info.data && <VotingPower account={connected.address} info={info.data} />}
      {info.data && <ProposeForm info={info.data} />}
      <section aria-labelledby="proposals">
        <h2 id="proposals">Proposals</h2>
        <ErrorView error={proposals.error} title="The proposals could not be loaded" />
        {proposals.data && proposals.data.items.length === 0 && <p className="muted">No proposal yet.</p>}
        {proposals.data && info.data && (
          <ul className="cards" aria-label="Proposals">
            {proposals.data.items.map((p) => (
              <ProposalCard key={p.id} proposal={p} info={info.data} />
            ))}
          </ul>
        )}
        {proposals.data && proposals.data.total > PER_PAGE && (
          <nav aria-label="Proposal pages" className="pager">
            <button type="button" onClick={() => setOffset((o) => Math.max(0, o - PER_PAGE))} disabled={offset === 0}>
              Newer proposals
            </button>
            <button
              type="button"
              onClick={() => setOffset((o) => o + PER_PAGE)}
              disabled={offset + PER_PAGE >= proposals.data.total}
            >
              Older proposals
            </button>
          </nav>
        )}
      </section>
    </>
  );
}

function Rules({ info }: { info: GovernanceInfo }) {
  return (
    <section aria-labelledby="rules">
      <h2 id="rules">How votes work now</h2>
      <dl className="facts">
        <div>
          <dt>Governor</dt>
          <dd>
            <code className="hash">{info.governor}</code>
          </dd>
        </div>
        <div>
          <dt>Timelock</dt>
          <dd>
            <code className="hash">{info.timelock}</code>
          </dd>
        </div>
        <div>
          <dt>Votes token</dt>
          <dd>
            <code className="hash">{info.votes}</code>
          </dd>
        </div>
        <div>
          <dt>Vote</dt>
          <dd>
            opens {info.votingDelayBlocks} block(s) after a proposal, lasts {units(info.votingPeriodBlocks)} blocks
          </dd>
        </div>
        <div>
          <dt>Quorum</dt>
          <dd>
            {info.quorumPercent} % of the votes supply ({tokens18(info.votesSupply)}) for or abstaining
          </dd>
        </div>
        <div>
          <dt>To propose</dt>
          <dd>{tokens18(info.proposalThreshold)} votes</dd>
        </div>
        <div>
          <dt>Timelock delay</dt>
          <dd>{duration(Number(info.timelockDelaySeconds))}</dd>
        </div>
        <div>
          <dt>Current block</dt>
          <dd>{units(info.currentBlock)}</dd>
        </div>
      </dl>
    </section>
  );
}

const duration = (seconds: number): string =>
  seconds >= 86_400 && seconds % 3600 === 0
    ? `${seconds / 86_400} day${seconds === 86_400 ? '' : 's'} (${seconds.toLocaleString('en')} s)`
    : `${seconds.toLocaleString('en')} s`;

function VotingPower({ account, info }: { account: string; info: GovernanceInfo }) {
  const { connected } = useWallet();
  const queryClient = useQueryClient();
  const tx = useTransaction();
  const votes = useQuery({
    queryKey: ['votes', account],
    queryFn: () => api('getAccountVotes', { params: { address: account } }),
  });
  const delegate = async () => {
    if (!connected) return;
    const { delegateToSelf } = await import('../governance/governor-calls');
    if (await tx.run((onSent) => delegateToSelf(connected.wallet.provider, account, info.votes, onSent)))
      await queryClient.invalidateQueries({ queryKey: ['votes', account] });
  };
  const v = votes.data;
  return (
    <section aria-labelledby="voting-power">
      <h2 id="voting-power">Your voting power</h2>
      <ErrorView error={votes.error} title="Your votes could not be loaded" />
      {v && (
        <>
          <p data-testid="voting-power">
            {tokens18(v.votes)} votes now (balance {tokens18(v.balance)},{' '}
            {v.delegate === null
              ? 'not delegated: it counts nowhere until you delegate it'
              : v.delegate.toLowerCase() === account.toLowerCase()
                ? 'delegated to yourself'
                : `delegated to ${shortHex(v.delegate, 6, 4)}`}
            ).
          </p>
          {v.delegate?.toLowerCase() !== account.toLowerCase() && BigInt(v.balance) > 0n && (
            <p>
              <button type="button" onClick={() => void delegate()} disabled={tx.busy}>
                Delegate to myself
              </button>{' '}
              <span className="muted">Votes count from the next proposal&apos;s snapshot on.</span>
            </p>
          )}
          <TransactionStatus state={tx.state} action="Delegating" verb="Delegated" />
        </>
      )}
    </section>
  );
}

const STATE_WORDS: Record<Proposal['state'], string> = {
  pending: 'pending: the vote has not opened yet',
  active: 'active: voting is open',
  canceled: 'canceled',
  defeated: 'defeated',
  succeeded: 'succeeded: it can be queued in the timelock',
  queued: 'queued in the timelock',
  expired: 'expired',
  executed: 'executed',
};

function timeLeft(p: Proposal, currentBlock: bigint): string {
  if (p.state === 'pending') {
    const opens = BigInt(p.snapshotBlock) + 1n - currentBlock;
    return `the vote opens in ${opens > 0n ? opens : 0n} block(s) (after block ${p.snapshotBlock})`;
  }
  if (p.state === 'active') return `${units(p.blocksLeft)} block(s) left, until block ${p.deadlineBlock}`;
  if (p.state === 'queued' && p.executableAt) return `executable from ${dateTime(p.executableAt)}`;
  return `voting closed at block ${p.deadlineBlock}`;
}

function ProposalCard({ proposal: p, info }: { proposal: Proposal; info: GovernanceInfo }) {
  const title = p.description.split('\n')[0] || `Proposal ${shortHex(p.id)}`;
  const forAndAbstain = BigInt(p.votes.for) + BigInt(p.votes.abstain);
  const quorum = BigInt(p.quorum);
  const headingId = `proposal-${p.id}`;
  return (
    <li className="card" aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      <p>
        <span className={`badge badge-${p.state}`}>{p.state}</span> {STATE_WORDS[p.state].replace(/^\w+(: )?/, '')}
        {' · '}
        <span data-testid="time-left">{timeLeft(p, BigInt(info.currentBlock))}</span>
      </p>
      <dl className="facts">
        <div>
          <dt>For</dt>
          <dd>{tokens18(p.votes.for)}</dd>
        </div>
        <div>
          <dt>Against</dt>
          <dd>{tokens18(p.votes.against)}</dd>
        </div>
        <div>
          <dt>Abstain</dt>
          <dd>{tokens18(p.votes.abstain)}</dd>
        </div>
        <div>
          <dt>Quorum</dt>
          <dd>
            {tokens18(forAndAbstain)} of {tokens18(p.quorum)} (
            {quorum > 0n && forAndAbstain >= quorum ? 'reached' : 'not reached'})
          </dd>
        </div>
      </dl>
      <label className="stacked">
        Towards quorum
        <progress
          max={quorum > 0n ? Number(quorum) : 1}
          value={Number(forAndAbstain > quorum ? quorum : forAndAbstain)}
        />
      </label>
      <h4>What it does</h4>
      <ol>
        {p.actions.map((a, i) => (
          <li key={`${a.target}:${i}`}>
            {a.words}{' '}
            <span className="muted">
              ({a.contract ?? shortHex(a.target, 6, 4)}
              {a.function ? `.${a.function}` : ''})
            </span>
          </li>
        ))}
      </ol>
      <p className="muted">
        Proposed by <code>{shortHex(p.proposer, 6, 4)}</code> on {dateTime(p.proposedAt)} (transaction{' '}
        <code title={p.txHash}>{shortHex(p.txHash)}</code>)
        {p.description.includes('\n') && (
          <>
            {' '}
            — <span className="description">{p.description.split('\n').slice(1).join(' ').trim()}</span>
          </>
        )}
      </p>
      {p.state === 'active' && <VoteForm proposal={p} info={info} />}
      {(p.state === 'succeeded' || p.state === 'queued' || p.state === 'executed') && (
        <QueueOrExecute proposal={p} info={info} />
      )}
    </li>
  );
}

function VoteForm({ proposal: p, info }: { proposal: Proposal; info: GovernanceInfo }) {
  const { connected } = useWallet();
  const queryClient = useQueryClient();
  const tx = useTransaction();
  const voter = useQuery({
    queryKey: ['voter', p.id, connected?.address, tx.state.step === 'confirmed'],
    queryFn: async () => {
      const { voterStatus } = await import('../governance/governor-calls');
      return voterStatus(
        connected!.wallet.provider,
        info.governor,
        p.id,
        connected!.address,
        p.snapshotBlock,
        BigInt(info.currentBlock),
      );
    },
    enabled: connected !== null,
  });
  if (!connected) return <p className="muted">Connect a wallet to vote.</p>;

  const vote = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const support = data.get('support') as Support;
    const reason = (data.get('reason') as string | null)?.trim() ?? '';
    const { castVote } = await import('../governance/governor-calls');
    const done = await tx.run((onSent) =>
      castVote(connected.wallet.provider, connected.address, info.governor, p.id, support, reason, onSent),
    );
    if (done) await queryClient.invalidateQueries({ queryKey: ['proposals'] });
  };
  return (
    <form onSubmit={(e) => void vote(e)} className="stack-form" aria-label={`Vote on ${p.description.split('\n')[0]}`}>
      {voter.data && (
        <p>
          {voter.data.voted ? 'You have voted on this proposal. ' : ''}
          {voter.data.weight !== null && `Your votes at the snapshot: ${tokens18(voter.data.weight)}.`}
        </p>
      )}
      <fieldset>
        <legend>Your vote</legend>
        {(['for', 'against', 'abstain'] as const).map((s) => (
          <label key={s} className="choice">
            <input type="radio" name="support" value={s} defaultChecked={s === 'for'} /> {s}
          </label>
        ))}
      </fieldset>
      <label className="stacked">
        Reason (optional, public)
        <textarea name="reason" rows={2} maxLength={1000} />
      </label>
      <button type="submit" disabled={tx.busy}>
        Cast vote
      </button>
      <TransactionStatus state={tx.state} action="Voting" verb="Voted" />
    </form>
  );
}

/**
 * A succeeded proposal is queued in the timelock, a queued one executed once its delay has passed: from the
 * wallet. It stays in place once executed, so the execution's transaction stays in sight.
 */
function QueueOrExecute({ proposal: p, info }: { proposal: Proposal; info: GovernanceInfo }) {
  const { connected } = useWallet();
  const queryClient = useQueryClient();
  // One transaction each, so that "Queued in block …" stays in sight while the execution gets its own states.
  const queue = useTransaction();
  const execute = useTransaction();
  const step = p.state === 'queued' ? 'execute' : 'queue';
  if (!connected) return p.state === 'executed' ? null : <p className="muted">Connect a wallet to {step} it.</p>;
  const tx = step === 'queue' ? queue : execute;
  const waiting = step === 'execute' && p.executableAt !== null && Date.parse(p.executableAt) > Date.now();
  const send = async () => {
    const { actionsOf, proposalStep } = await import('../governance/governor-calls');
    const actions = actionsOf(p.actions);
    const done = await tx.run((onSent) =>
      proposalStep(step, connected.wallet.provider, connected.address, info.governor, actions, p.description, onSent),
    );
    if (done) await queryClient.invalidateQueries({ queryKey: ['proposals'] });
  };
  return (
    <div>
      {p.state !== 'executed' && (
        <p>
          <button type="button" onClick={() => void send()} disabled={tx.busy || tx.state.step === 'confirmed'}>
            {step === 'queue' ? 'Queue in the timelock' : 'Execute'}
          </button>{' '}
          {waiting && <span className="muted">The timelock may still refuse it: its delay has not passed.</span>}
        </p>
      )}
      <TransactionStatus state={queue.state} action="Queueing" verb="Queued" />
      <TransactionStatus state={execute.state} action="Executing" verb="Executed" />
    </div>
  );
}
