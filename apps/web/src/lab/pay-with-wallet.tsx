import { useState } from 'react';
import type { PayRunInstructions } from '@upstream/api-contract';
import { shortHex, units } from '../format';
import { useWallet } from '../wallet/wallet-context';

type PayState =
  | { step: 'idle' }
  | { step: 'approving'; hash?: string }
  | { step: 'paying'; approveHash: string; hash?: string }
  | { step: 'paid'; approveHash: string; hash: string; block: number }
  | { step: 'failed'; reason: string; hash?: string };

/**
 * Pays what the API described (`approve` the splitter for the amount, then `payRun(runId, token, amount)`)
 * from the connected wallet: each transaction's pending, confirmed and failed states, with its hash.
 */
export function PayWithWallet({
  payment,
  label,
  onPaid,
}: {
  payment: PayRunInstructions;
  label: string;
  onPaid?: (hash: string) => void;
}) {
  const { connected } = useWallet();
  const [state, setState] = useState<PayState>({ step: 'idle' });
  const busy = state.step === 'approving' || state.step === 'paying';

  const pay = async () => {
    if (!connected) return;
    let hash: string | undefined;
    try {
      const { sendCall } = await import('./lab-signing');
      setState({ step: 'approving' });
      const approved = await sendCall(connected.wallet.provider, connected.address, payment.approve, (h) => {
        hash = h;
        setState({ step: 'approving', hash: h });
      });
      hash = undefined;
      setState({ step: 'paying', approveHash: approved.hash });
      const paid = await sendCall(connected.wallet.provider, connected.address, payment.call, (h) => {
        hash = h;
        setState({ step: 'paying', approveHash: approved.hash, hash: h });
      });
      setState({ step: 'paid', approveHash: approved.hash, hash: paid.hash, block: paid.block });
      onPaid?.(paid.hash);
    } catch (e) {
      const failedHash = (e as { hash?: string }).hash ?? hash;
      setState({
        step: 'failed',
        reason: (e as { shortMessage?: string }).shortMessage ?? (e as Error).message,
        hash: failedHash,
      });
    }
  };

  return (
    <div className="pay">
      <p>
        <button type="button" onClick={() => void pay()} disabled={!connected || busy || state.step === 'paid'}>
          {label}
        </button>{' '}
        <span className="muted">
          {units(payment.amount)} of token <code title={payment.token}>{shortHex(payment.token, 6, 4)}</code>: approve
          the splitter, then <code>payRun</code>
        </span>
      </p>
      {!connected && <p className="muted">Connect a wallet to pay.</p>}
      <div role="status" aria-live="polite">
        {state.step === 'approving' && (
          <p>
            Approving the splitter…{' '}
            {state.hash ? (
              <>
                pending: <code className="hash">{state.hash}</code>
              </>
            ) : (
              'confirm in your wallet'
            )}
          </p>
        )}
        {state.step === 'paying' && (
          <p>
            Approved. Paying…{' '}
            {state.hash ? (
              <>
                pending: <code className="hash">{state.hash}</code>
              </>
            ) : (
              'confirm in your wallet'
            )}
          </p>
        )}
        {state.step === 'paid' && (
          <p data-testid="paid">
            Paid in block {state.block}: <code className="hash">{state.hash}</code>
          </p>
        )}
      </div>
      {state.step === 'failed' && (
        <p role="alert" className="error">
          Payment failed: {state.reason}
          {state.hash && (
            <>
              {' '}
              (transaction <code className="hash">{state.hash}</code>)
            </>
          )}
        </p>
      )}
    </div>
  );
}
