import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import type { Epoch } from '@upstream/api-contract';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { dateTime, shortHex, units } from '../format';
import { useWallet } from '../wallet/wallet-context';
import type { BrowserVerifyReport } from '../audit/verify-epoch';

const EPOCHS_PER_PAGE = 20;
const RPC_KEY = 'upstream.rpcUrl';

/** Audit: the epochs, "Verify epoch N in this browser", and which data trained a model. */
export default function AuditPage() {
  const [offset, setOffset] = useState(0);
  const epochs = useQuery({
    queryKey: ['epochs', offset],
    queryFn: () => api('listEpochs', { query: { limit: EPOCHS_PER_PAGE, offset } }),
    placeholderData: keepPreviousData,
  });
  const [rpcUrl, setRpcUrl] = useState(() => localStorage.getItem(RPC_KEY) ?? 'http://127.0.0.1:8545');
  useEffect(() => {
    document.title = 'Audit · Upstream';
  }, []);
  const { connected } = useWallet();

  return (
    <>
      <h1>Audit</h1>
      <p>
        Every royalty epoch can be rebuilt from public data. Verifying here downloads the epoch&apos;s inputs, rebuilds
        its Merkle root with the same code the server and the CLI use, and compares it with the root the chain holds and
        the one the API serves.
      </p>
      <section aria-labelledby="chain-source">
        <h2 id="chain-source">Where the chain is read</h2>
        {connected ? (
          <p>Through your wallet ({connected.wallet.info.name}).</p>
        ) : (
          <label className="stacked">
            JSON-RPC endpoint of the chain (no wallet connected)
            <input
              value={rpcUrl}
              onChange={(e) => {
                setRpcUrl(e.target.value);
                localStorage.setItem(RPC_KEY, e.target.value);
              }}
              spellCheck={false}
              inputMode="url"
            />
          </label>
        )}
      </section>

      <section aria-labelledby="epochs">
        <h2 id="epochs">Epochs</h2>
        <ErrorView error={epochs.error} title="The epochs could not be loaded" />
        {epochs.data && epochs.data.items.length === 0 && <p className="muted">No epoch has been settled yet.</p>}
        <ul className="cards" aria-label="Epochs">
          {epochs.data?.items.map((e) => (
            <EpochCard key={e.epoch} epoch={e} rpcUrl={rpcUrl} />
          ))}
        </ul>
        <nav aria-label="Epoch pages" className="pager">
          <button
            type="button"
            onClick={() => setOffset((o) => Math.max(0, o - EPOCHS_PER_PAGE))}
            disabled={offset === 0}
          >
            Newer epochs
          </button>
          <button
            type="button"
            onClick={() => setOffset((o) => o + EPOCHS_PER_PAGE)}
            disabled={!epochs.data || offset + EPOCHS_PER_PAGE >= epochs.data.total}
          >
            Older epochs
          </button>
        </nav>
      </section>
      <ModelLookup />
    </>
  );
}

function EpochCard({ epoch: e, rpcUrl }: { epoch: Epoch; rpcUrl: string }) {
  const { connected } = useWallet();
  const verify = useMutation({
    mutationFn: async (): Promise<BrowserVerifyReport> => {
      const inputs = await api('getEpochInputs', { params: { epoch: e.epoch } });
      const [{ verifyEpochInBrowser }, { BrowserProvider, JsonRpcProvider }] = await Promise.all([
        import('../audit/verify-epoch'),
        import('ethers'),
      ]);
      const provider = connected
        ? new BrowserProvider(connected.wallet.provider)
        : rpcUrl
          ? new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 })
          : null;
      try {
        return await verifyEpochInBrowser(inputs, e.root, provider);
      } finally {
        provider?.destroy();
      }
    },
  });
  const headingId = `epoch-${e.epoch}`;
  return (
    <li className="card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        Epoch {e.epoch} <span className={`badge badge-${e.status}`}>{e.status}</span>
        {e.current && <span className="badge">current</span>}
      </h3>
      <dl className="facts">
        <div>
          <dt>Root</dt>
          <dd>
            <code className="hash">{e.root}</code>
          </dd>
        </div>
        <div>
          <dt>Leaves / payments</dt>
          <dd>
            {e.leafCount} / {e.paymentCount}
          </dd>
        </div>
        <div>
          <dt>Proposed in</dt>
          <dd>{e.proposeTx ? <code title={e.proposeTx}>{shortHex(e.proposeTx)}</code> : '—'}</dd>
        </div>
        <div>
          <dt>Claimable from</dt>
          <dd>{dateTime(e.claimableAt)}</dd>
        </div>
        {e.totals.length > 0 && (
          <div>
            <dt>Totals</dt>
            <dd>{e.totals.map((t) => `${units(t.total)} (${shortHex(t.token, 6, 4)})`).join(', ')}</dd>
          </div>
        )}
        {e.invalidatedReason && (
          <div>
            <dt>Invalidated</dt>
            <dd>{e.invalidatedReason}</dd>
          </div>
        )}
      </dl>
      <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending || e.status === 'invalidated'}>
        Verify epoch {e.epoch} in this browser
      </button>
      <div aria-live="polite">
        {verify.isPending && <p role="status">Rebuilding epoch {e.epoch}…</p>}
        <ErrorView error={verify.error} title={`Epoch ${e.epoch} could not be verified`} />
        {verify.data && <VerifyResult report={verify.data} />}
      </div>
    </li>
  );
}

function VerifyResult({ report: r }: { report: BrowserVerifyReport }) {
  return (
    <div className={`verdict ${r.match ? 'verdict-match' : 'verdict-mismatch'}`} data-testid={`verdict-${r.epoch}`}>
      <p>
        <strong>{r.match ? 'MATCH' : 'MISMATCH'}</strong> — epoch {r.epoch} rebuilt in {r.elapsedMs} ms ({r.leaves}{' '}
        leaves from {r.payments} payments){r.chainChecked ? '' : '; the chain was not read'}.
      </p>
      <dl className="facts">
        <div>
          <dt>Time</dt>
          <dd data-testid={`rebuild-ms-${r.epoch}`} data-rebuild-ms={r.rebuildMs}>
            {r.rebuildMs} ms rebuilding the root, {r.elapsedMs - r.rebuildMs} ms reading the chain
          </dd>
        </div>
        <div>
          <dt>Rebuilt root</dt>
          <dd>
            <code className="hash">{r.rebuiltRoot}</code>
          </dd>
        </div>
        <div>
          <dt>On-chain root</dt>
          <dd>{r.chainRoot ? <code className="hash">{r.chainRoot}</code> : 'not read'}</dd>
        </div>
        <div>
          <dt>API root</dt>
          <dd>
            <code className="hash">{r.apiRoot}</code>
          </dd>
        </div>
      </dl>
      {r.differences.length > 0 && (
        <>
          <p>What differs:</p>
          <ul>
            {r.differences.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function ModelLookup() {
  const [hash, setHash] = useState('');
  const lookup = useQuery({
    queryKey: ['model', hash],
    queryFn: () => api('getModelProvenance', { params: { modelHash: hash }, query: { limit: 50 } }),
    enabled: hash !== '',
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get('modelHash');
    setHash(typeof value === 'string' ? value.trim() : '');
  };
  return (
    <section aria-labelledby="model-lookup">
      <h2 id="model-lookup">Which data trained a model?</h2>
      <form onSubmit={submit} className="filters">
        <label>
          Model hash
          <input name="modelHash" placeholder="0x… (bytes32)" spellCheck={false} required />
        </label>
        <button type="submit">Look up</button>
      </form>
      {lookup.isFetching && <p role="status">Looking up…</p>}
      <ErrorView error={lookup.error} title="The model could not be looked up" />
      {lookup.data && lookup.data.runs.length === 0 && <p>No recorded run trained this model.</p>}
      {lookup.data?.runs.map((p) => (
        <div key={p.run.id} className="card">
          <h3>
            Run {shortHex(p.run.runId)} by <code>{shortHex(p.run.lab, 6, 4)}</code>
          </h3>
          <ul>
            {p.entries.map((entry) => (
              <li key={entry.datasetId}>
                <Link href={`/app/datasets/${entry.datasetUuid}`}>{entry.title}</Link> — weight {units(entry.weight)},{' '}
                {entry.licenseTemplate}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
