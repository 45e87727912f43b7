import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'wouter';
import type { LicenseResult } from '@upstream/api-contract';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { dateTime, shortHex, units } from '../format';
import { TableScroll } from '../table-scroll';
import { useWallet } from '../wallet/wallet-context';
import { PayWithWallet } from '../lab/pay-with-wallet';
import { RecordRun } from '../lab/record-run';

/** Lab: license a dataset (sign its terms, pay a fee through the wallet), my licenses, record a run. */
export default function LabPage() {
  const wallet = useWallet();
  useEffect(() => {
    document.title = 'Lab · Upstream';
  }, []);
  return (
    <>
      <h1>Lab</h1>
      <p>
        License datasets, record the training runs that used them, and pay their royalties. Each step is signed or sent
        with your wallet; a run&apos;s page shows its provenance, entry proofs and a Croissant download.
      </p>
      {!wallet.connected && (
        <p className="muted" role="note">
          Connect a wallet (at the top of the page) to license and record runs; recording also needs you signed in.
        </p>
      )}
      <LicenseDataset />
      {wallet.connected && <MyLicenses account={wallet.connected.address} />}
      <RecordRun />
    </>
  );
}

type LicenseStep =
  | { step: 'idle' }
  | { step: 'signing' }
  | { step: 'sending' }
  | { step: 'done'; result: LicenseResult }
  | { step: 'failed'; error: unknown };

function LicenseDataset() {
  const wallet = useWallet();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const datasetRef = params.get('dataset') ?? '';
  const [state, setState] = useState<LicenseStep>({ step: 'idle' });
  const chain = useQuery({ queryKey: ['chain'], queryFn: () => api('getChain') });
  const dataset = useQuery({
    queryKey: ['dataset', datasetRef],
    queryFn: () => api('getDataset', { params: { id: datasetRef } }),
    enabled: datasetRef !== '',
    retry: false,
  });
  const licenseId = state.step === 'done' ? state.result.license.id : null;
  // A license waiting for its fee becomes active once the indexer sees the payment: ask until it does.
  const license = useQuery({
    queryKey: ['license', licenseId],
    queryFn: () => api('getLicense', { params: { id: licenseId! } }),
    enabled: licenseId !== null,
    refetchInterval: (q) => (q.state.data?.license.status === 'pending_payment' ? 1500 : false),
  });
  const current = license.data ?? (state.step === 'done' ? state.result : null);
  useEffect(() => {
    if (current?.license.status === 'active' && wallet.connected)
      void queryClient.invalidateQueries({ queryKey: ['lab-licenses', wallet.connected.address] });
  }, [current?.license.status, queryClient, wallet.connected]);

  const lookUp = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get('dataset');
    setState({ step: 'idle' });
    setParams(new URLSearchParams(typeof value === 'string' && value.trim() ? { dataset: value.trim() } : {}));
  };

  const acquire = async () => {
    if (!wallet.connected || !dataset.data || !chain.data) return;
    try {
      setState({ step: 'signing' });
      const { signLicense } = await import('../lab/lab-signing');
      const body = await signLicense(
        wallet.connected.wallet.provider,
        wallet.connected.address,
        chain.data.eip712Domain,
        {
          contentRoot: dataset.data.contentRoot,
          termsHash: dataset.data.license.termsHash,
        },
      );
      setState({ step: 'sending' });
      const result = await api('createLicense', { body });
      setState({ step: 'done', result });
      await queryClient.invalidateQueries({ queryKey: ['lab-licenses', wallet.connected.address] });
    } catch (error) {
      setState({ step: 'failed', error });
    }
  };

  const d = dataset.data;
  const fee = d?.license.terms.fee as { token: string; amount: string } | undefined;
  return (
    <section aria-labelledby="license-a-dataset">
      <h2 id="license-a-dataset">License a dataset</h2>
      <form onSubmit={lookUp} className="filters">
        <label>
          Dataset (content root or id)
          <input name="dataset" defaultValue={datasetRef} key={datasetRef} spellCheck={false} required />
        </label>
        <button type="submit">Look up</button>
      </form>
      {dataset.isFetching && <p role="status">Loading the dataset…</p>}
      <ErrorView error={dataset.error} title="The dataset could not be loaded" />
      {d && (
        <div className="card">
          <h3>
            <Link href={`/app/datasets/${d.id}`}>{d.title}</Link>
          </h3>
          <p>
            Terms: <strong>{d.license.template}</strong>
            {fee ? (
              <>
                , a fee of {units(fee.amount)} (token <code title={fee.token}>{shortHex(fee.token, 6, 4)}</code>) paid
                on the chain
              </>
            ) : (
              ', no fee'
            )}
            {typeof d.license.terms.durationDays === 'number' ? `, for ${d.license.terms.durationDays} days` : ''};
            licensing {d.license.licensingOpen ? 'open' : 'closed'}.
          </p>
          <p>
            <button
              type="button"
              onClick={() => void acquire()}
              disabled={
                !wallet.connected ||
                !chain.data ||
                !d.license.licensingOpen ||
                state.step === 'signing' ||
                state.step === 'sending' ||
                state.step === 'done'
              }
            >
              Sign the terms and license
            </button>
          </p>
          <div role="status" aria-live="polite">
            {state.step === 'signing' && <p>Sign the LicenseAcceptance in your wallet…</p>}
            {state.step === 'sending' && <p>Recording the license…</p>}
            {current && (
              <p data-testid="license-status">
                License <code>{current.license.id}</code>: <strong>{current.license.status}</strong>
                {current.license.status === 'pending_payment' && ' — it becomes active once the chain has its fee'}
                {current.license.activationTx && (
                  <>
                    {' '}
                    (activated by <code className="hash">{current.license.activationTx}</code>)
                  </>
                )}
              </p>
            )}
          </div>
          {state.step === 'failed' && <ErrorView error={state.error} title="Licensing failed" />}
          {current?.payment && current.license.status === 'pending_payment' && (
            <PayWithWallet
              payment={current.payment}
              label="Approve and pay the fee"
              onPaid={() => void license.refetch()}
            />
          )}
        </div>
      )}
    </section>
  );
}

function MyLicenses({ account }: { account: string }) {
  const licenses = useQuery({
    queryKey: ['lab-licenses', account],
    queryFn: () => api('listLabLicenses', { params: { address: account }, query: { limit: 100 } }),
    refetchInterval: (q) => (q.state.data?.items.some((l) => l.status === 'pending_payment') ? 3000 : false),
  });
  return (
    <section aria-labelledby="my-licenses">
      <h2 id="my-licenses">My licenses</h2>
      <ErrorView error={licenses.error} title="Your licenses could not be loaded" />
      {licenses.data && licenses.data.items.length === 0 && <p className="muted">No license yet.</p>}
      {licenses.data && licenses.data.items.length > 0 && (
        <TableScroll label="My licenses">
          <table>
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col">Terms</th>
                <th scope="col">Status</th>
                <th scope="col">Fee</th>
                <th scope="col">Expires</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {licenses.data.items.map((l) => (
                <tr key={l.id}>
                  <td>
                    <Link href={`/app/datasets/${l.datasetUuid}`} title={l.datasetId}>
                      <code>{shortHex(l.datasetId)}</code>
                    </Link>
                  </td>
                  <td>{l.template}</td>
                  <td>
                    <span className={`badge badge-${l.status}`}>{l.status}</span>
                  </td>
                  <td>{l.fee ? `${units(l.fee.amount)} (${shortHex(l.fee.token, 6, 4)})` : '—'}</td>
                  <td>{l.expiresAt ? dateTime(l.expiresAt) : 'never'}</td>
                  <td>{dateTime(l.activatedAt ?? l.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {licenses.data && licenses.data.total > licenses.data.items.length && (
        <p className="muted">
          The newest {licenses.data.items.length} of {licenses.data.total}.
        </p>
      )}
    </section>
  );
}
