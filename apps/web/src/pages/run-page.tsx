import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'wouter';
import { routeUrl, type PayRunInstructions, type ProvenanceEntry, type Run } from '@upstream/api-contract';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { PageFrame } from '../page-frame';
import { dateTime, percent, shortHex, units } from '../format';
import { TableScroll } from '../table-scroll';
import { useWallet } from '../wallet/wallet-context';
import { PayWithWallet } from '../lab/pay-with-wallet';

const ENTRIES_PER_PAGE = 50;

/** A training run: its signed manifest, anchoring, payments and fees, pay it, provenance with entry proofs. */
export default function RunPage({ id }: { id: string }) {
  const [paying, setPaying] = useState(false);
  const run = useQuery({
    queryKey: ['run', id],
    queryFn: () => api('getRun', { params: { id } }),
    // After a payment, the indexer adds it to the run: ask again until it shows.
    refetchInterval: paying ? 1500 : false,
  });
  return (
    <PageFrame query={run} noun="run" heading="Training run" documentTitle={(r) => `Run ${r?.modelName ?? ''}`}>
      {(r) => <RunView run={r} onPaying={() => setPaying(true)} />}
    </PageFrame>
  );
}

function RunView({ run: r, onPaying }: { run: Run; onPaying: () => void }) {
  return (
    <>
      <p className="breadcrumb">
        <Link href="/app/lab">Lab</Link> / run
      </p>
      <h1>Run of {r.modelName}</h1>
      <dl className="facts">
        <Fact term="runId (for payRun)" value={<code className="hash">{r.runId}</code>} />
        <Fact term="Lab" value={<code className="hash">{r.lab}</code>} />
        <Fact term="Model hash" value={<code className="hash">{r.modelHash}</code>} />
        <Fact term="Entries root" value={<code className="hash">{r.entriesRoot}</code>} />
        <Fact
          term="Datasets"
          value={`${r.entryCount.toLocaleString('en')}, total weight ${units(r.totalWeight)} ${r.weightUnit}`}
        />
        <Fact term="Trained" value={`${dateTime(r.startedAt)} – ${dateTime(r.endedAt)}`} />
        <Fact
          term="Anchoring"
          value={
            <>
              <span className={`badge badge-${r.anchor.state}`}>{r.anchor.state}</span>
              {r.anchor.anchor && (
                <>
                  {' '}
                  block {r.anchor.anchor.blockNumber}, <code className="hash">{r.anchor.anchor.txHash}</code>
                </>
              )}
            </>
          }
        />
      </dl>
      <p>
        <a
          href={routeUrl('getRunCroissant', { params: { id: r.id } })}
          download={`run-${r.runId.slice(2, 10)}.croissant.json`}
        >
          Download the Croissant (JSON-LD) of its datasets
        </a>
      </p>
      <Payments run={r} onPaying={onPaying} />
      <Provenance run={r} />
    </>
  );
}

function Fact({ term, value }: { term: string; value: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function Payments({ run, onPaying }: { run: Run; onPaying: () => void }) {
  const { connected } = useWallet();
  const chain = useQuery({ queryKey: ['chain'], queryFn: () => api('getChain') });
  const [asked, setAsked] = useState<{ amount: string; token: string } | null>(null);
  const instructions = useQuery({
    queryKey: ['run-payment', run.id, asked],
    queryFn: () =>
      api('getRunPayment', {
        params: { id: run.id },
        query: { amount: asked!.amount, token: asked!.token || undefined },
      }),
    enabled: asked !== null,
    retry: false,
  });
  const ask = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (key: string) => {
      const value = data.get(key);
      return typeof value === 'string' ? value.trim() : '';
    };
    setAsked({ amount: text('amount'), token: text('token') });
  };
  const payment: PayRunInstructions | undefined = instructions.data;
  return (
    <section aria-labelledby="payments">
      <h2 id="payments">Royalties paid</h2>
      {run.paid.length === 0 ? (
        <p className="muted">Nothing paid for this run yet.</p>
      ) : (
        <TableScroll label="Payments">
          <table>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Paid</th>
                <th scope="col">Protocol fee</th>
                <th scope="col">To contributors</th>
                <th scope="col">Payments</th>
              </tr>
            </thead>
            <tbody>
              {run.paid.map((p) => (
                <tr key={p.token}>
                  <td>
                    <code title={p.token}>{shortHex(p.token, 6, 4)}</code>
                  </td>
                  <td>{units(p.amount)}</td>
                  <td>{units(p.fee)}</td>
                  <td>{units(p.net)}</td>
                  <td>{p.payments}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {run.fees.length > 0 && (
        <p>
          Per-run fees ({run.feeStatus.replace('_', ' ')}):{' '}
          {run.fees.map((f) => `${units(f.paid)} of ${units(f.amount)} for ${shortHex(f.datasetId)}`).join('; ')}.
        </p>
      )}
      <h3>Pay this run</h3>
      <form onSubmit={ask} className="filters">
        <label>
          Royalty (smallest token units)
          <input name="amount" inputMode="numeric" required spellCheck={false} />
        </label>
        <label>
          Token
          <input
            name="token"
            defaultValue={chain.data?.paymentToken ?? ''}
            key={chain.data?.paymentToken ?? ''}
            spellCheck={false}
            placeholder="0x…"
          />
        </label>
        <button type="submit">Prepare the payment</button>
      </form>
      {instructions.isFetching && <p role="status">Asking the API what to pay…</p>}
      <ErrorView error={instructions.error} title="The payment could not be prepared" />
      {payment && !instructions.isFetching && (
        <>
          {payment.fees && payment.fees.length > 0 && (
            <p>
              It includes the per-run fees still owed:{' '}
              {payment.fees.map((f) => `${units(f.amount)} for ${shortHex(f.datasetId)}`).join('; ')}.
            </p>
          )}
          {connected ? (
            <PayWithWallet payment={payment} label="Approve and pay the run" onPaid={onPaying} />
          ) : (
            <p className="muted">
              Connect a wallet to pay, or send <code>approve</code> then{' '}
              <code>payRun({shortHex(payment.runId)}, …)</code> to {payment.splitter} yourself.
            </p>
          )}
        </>
      )}
    </section>
  );
}

type ProofCheck = 'idle' | 'checking' | { valid: number; invalid: string[] } | 'failed';

function Provenance({ run }: { run: Run }) {
  const [offset, setOffset] = useState(0);
  const [check, setCheck] = useState<ProofCheck>('idle');
  const provenance = useQuery({
    queryKey: ['run-provenance', run.id, offset],
    queryFn: () => api('getRunProvenance', { params: { id: run.id }, query: { limit: ENTRIES_PER_PAGE, offset } }),
  });
  const entries = provenance.data?.entries ?? [];

  const verify = async (items: ProvenanceEntry[]) => {
    setCheck('checking');
    try {
      await import('../polyfills');
      const { verifyRunEntryProof } = await import('@upstream/provenance');
      const invalid: string[] = [];
      for (const e of items)
        if (
          !(await verifyRunEntryProof(run.entriesRoot, { datasetId: e.datasetId, weight: BigInt(e.weight) }, e.proof))
        )
          invalid.push(e.datasetId);
      setCheck({ valid: items.length - invalid.length, invalid });
    } catch {
      setCheck('failed');
    }
  };

  return (
    <section aria-labelledby="provenance">
      <h2 id="provenance">Provenance: which data trained it</h2>
      <ErrorView error={provenance.error} title="The provenance could not be loaded" />
      {provenance.data && (
        <>
          <p className="muted">{provenance.data.verification}</p>
          <TableScroll label="Datasets of the run">
            <table>
              <thead>
                <tr>
                  <th scope="col">Dataset</th>
                  <th scope="col">Weight</th>
                  <th scope="col">Owners</th>
                  <th scope="col">License</th>
                  <th scope="col">Entry proof</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.datasetId}>
                    <td>
                      <Link href={`/app/datasets/${e.datasetUuid}`}>{e.title}</Link>
                      <br />
                      <code className="muted">{shortHex(e.datasetId)}</code>
                    </td>
                    <td>{units(e.weight)}</td>
                    <td>
                      {e.owners
                        .slice(0, 3)
                        .map((o) => `${shortHex(o.account, 6, 4)} ${percent(o.shareBps)}`)
                        .join(', ')}
                      {e.owners.length > 3 ? ', …' : ''}
                    </td>
                    <td>
                      {e.licenseTemplate}
                      {e.licenses[0] ? `, ${e.licenses[0].status}` : ''}
                    </td>
                    <td>
                      <a
                        href={routeUrl('getRunEntryProof', {
                          params: { id: run.id },
                          query: { datasetId: e.datasetId },
                        })}
                        download={`${e.datasetId.slice(2, 10)}.entry-proof.json`}
                        aria-label={`proof.json: the entry proof of ${e.title}`}
                      >
                        proof.json
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <p>
            <button
              type="button"
              onClick={() => void verify(entries)}
              disabled={check === 'checking' || entries.length === 0}
            >
              Check these entry proofs in this browser
            </button>{' '}
            <span role="status">
              {check === 'checking' && 'Checking…'}
              {typeof check === 'object' &&
                (check.invalid.length === 0
                  ? `VALID: all ${check.valid} entries are in the signed entries root.`
                  : `INVALID: ${check.invalid.length} entr${check.invalid.length === 1 ? 'y does' : 'ies do'} not lead to the entries root (${check.invalid.map((d) => shortHex(d)).join(', ')}).`)}
              {check === 'failed' && 'The check could not run.'}
            </span>
          </p>
          {provenance.data.total > ENTRIES_PER_PAGE && (
            <nav aria-label="Entry pages" className="pager">
              <button
                type="button"
                onClick={() => {
                  setCheck('idle');
                  setOffset((o) => Math.max(0, o - ENTRIES_PER_PAGE));
                }}
                disabled={offset === 0}
              >
                Previous entries
              </button>
              <button
                type="button"
                onClick={() => {
                  setCheck('idle');
                  setOffset((o) => o + ENTRIES_PER_PAGE);
                }}
                disabled={offset + ENTRIES_PER_PAGE >= provenance.data.total}
              >
                More entries
              </button>
            </nav>
          )}
        </>
      )}
    </section>
  );
}
