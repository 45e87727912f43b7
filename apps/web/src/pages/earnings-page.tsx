import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { dateTime, shortHex, units } from '../format';
import { TableScroll } from '../table-scroll';
import { useWallet } from '../wallet/wallet-context';
import { TransactionStatus, useTransaction } from '../transactions/transaction-status';
import { EarningsChart } from '../earnings/earnings-chart';

const CHART_ENTRIES = 1000;

/** Earnings: per token earned, claimable now, waiting for the next epoch, claimed; history; Claim all. */
export default function EarningsPage() {
  const { connected } = useWallet();
  const [looked, setLooked] = useState('');
  const account = connected?.address ?? looked;
  useEffect(() => {
    document.title = 'Earnings · Upstream';
  }, []);
  const balances = useQuery({
    queryKey: ['balances', account],
    queryFn: () => api('getContributorBalances', { params: { address: account } }),
    enabled: account !== '',
  });
  const history = useQuery({
    queryKey: ['history', account],
    queryFn: () => api('getContributorHistory', { params: { address: account }, query: { limit: CHART_ENTRIES } }),
    enabled: account !== '',
  });
  const lookUp = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get('address');
    setLooked(typeof value === 'string' ? value.trim() : '');
  };

  return (
    <>
      <h1>Earnings</h1>
      {connected ? (
        <p>
          Account <code>{connected.address}</code> (your wallet).
        </p>
      ) : (
        <form onSubmit={lookUp} className="filters">
          <label>
            Contributor address
            <input name="address" placeholder="0x…" spellCheck={false} required defaultValue={looked} />
          </label>
          <button type="submit">Show earnings</button>
        </form>
      )}
      <ErrorView error={balances.error} title="The balances could not be loaded" />
      {balances.data && (
        <section aria-labelledby="balances">
          <h2 id="balances">Balances per token</h2>
          {balances.data.balances.length === 0 ? (
            <p className="muted">Nothing earned yet.</p>
          ) : (
            <TableScroll label="Balances">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Token</th>
                    <th scope="col">Earned</th>
                    <th scope="col">Claimable now</th>
                    <th scope="col">In a queued root</th>
                    <th scope="col">Waiting for the next epoch</th>
                    <th scope="col">Claimed</th>
                  </tr>
                </thead>
                <tbody>
                  {balances.data.balances.map((b) => (
                    <tr key={b.token}>
                      <td>
                        <code title={b.token}>{shortHex(b.token, 6, 4)}</code>
                      </td>
                      <td>{units(b.earned)}</td>
                      <td>{units(b.claimable)}</td>
                      <td>
                        {units(b.queued)}
                        {b.queuedClaimableAt && <span className="muted"> (from {dateTime(b.queuedClaimableAt)})</span>}
                      </td>
                      <td>{units((BigInt(b.pending) - BigInt(b.queued)).toString())}</td>
                      <td>{units(b.claimed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
          {connected && <ClaimAll account={connected.address} />}
        </section>
      )}
      {history.data && <EarningsChart items={history.data.items} />}
      {history.data && history.data.items.length > 0 && (
        <section aria-labelledby="history">
          <h2 id="history">History per payment and dataset</h2>
          <TableScroll label="History">
            <table>
              <thead>
                <tr>
                  <th scope="col">Paid</th>
                  <th scope="col">Dataset</th>
                  <th scope="col">Source</th>
                  <th scope="col">Amount</th>
                </tr>
              </thead>
              <tbody>
                {history.data.items.slice(0, 50).map((h) => (
                  <tr key={`${h.paymentId}:${h.datasetId}`}>
                    <td>{dateTime(h.paidAt)}</td>
                    <td>
                      <code title={h.datasetId}>{shortHex(h.datasetId)}</code>
                    </td>
                    <td>{h.source}</td>
                    <td>
                      {units(h.amount)} <span className="muted">({shortHex(h.token, 6, 4)})</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {history.data.items.length > 50 && (
            <p className="muted">The newest 50 of {history.data.total.toLocaleString('en')} entries.</p>
          )}
        </section>
      )}
    </>
  );
}

/** One `claimMany` for every token with something claimable, sent from the wallet, with a gas estimate. */
function ClaimAll({ account }: { account: string }) {
  const { connected } = useWallet();
  const queryClient = useQueryClient();
  const proofs = useQuery({
    queryKey: ['proofs', account],
    queryFn: () => api('getContributorProofs', { params: { address: account } }),
  });
  const [gas, setGas] = useState<bigint | null>(null);
  const claim = useTransaction();
  const call = proofs.data?.claimMany ?? null;
  const claimable = (proofs.data?.claims ?? []).some((c) => BigInt(c.claimable) > 0n);

  useEffect(() => {
    if (!call || !connected || !claimable) return;
    let cancelled = false;
    void (async () => {
      const { BrowserProvider } = await import('ethers');
      const provider = new BrowserProvider(connected.wallet.provider);
      try {
        const estimate = await provider.estimateGas({ from: account, to: call.to, data: call.data });
        if (!cancelled) setGas(estimate);
      } catch {
        if (!cancelled) setGas(null);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [call, connected, claimable, account]);

  const claimAll = async () => {
    if (!call || !connected) return;
    const { sendCall } = await import('../transactions/send-call');
    if (await claim.run((onSent) => sendCall(connected.wallet.provider, account, call, onSent))) {
      await queryClient.invalidateQueries({ queryKey: ['balances', account] });
      await queryClient.invalidateQueries({ queryKey: ['proofs', account] });
    }
  };

  if (proofs.isPending) return null;
  return (
    <div className="claim">
      <ErrorView error={proofs.error} title="The claim proofs could not be loaded" />
      <p>
        <button type="button" onClick={() => void claimAll()} disabled={!call || !claimable || claim.busy}>
          Claim all
        </button>{' '}
        {gas !== null && claimable && <span className="muted">Estimated gas: {gas.toLocaleString('en')}</span>}
        {!claimable && claim.state.step === 'idle' && <span className="muted">Nothing is claimable now.</span>}
      </p>
      <TransactionStatus state={claim.state} action="Claiming" failed="Claim failed" />
    </div>
  );
}
