import type { ContractCall, PayRunInstructions } from '@upstream/api-contract';
import { TransactionStatus, useTransaction } from '../transactions/transaction-status';
import { shortHex, units } from '../format';
import { useWallet } from '../wallet/wallet-context';

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
  const approval = useTransaction();
  const payRun = useTransaction();
  const busy = approval.busy || payRun.busy;

  const pay = async () => {
    if (!connected) return;
    payRun.reset();
    const { sendCall } = await import('../transactions/send-call');
    const send = (call: ContractCall) => (onSent: (hash: string) => void) =>
      sendCall(connected.wallet.provider, connected.address, call, onSent);
    if (!(await approval.run(send(payment.approve)))) return;
    const paid = await payRun.run(send(payment.call));
    if (paid) onPaid?.(paid.hash);
  };

  return (
    <div className="pay">
      <p>
        <button
          type="button"
          onClick={() => void pay()}
          disabled={!connected || busy || payRun.state.step === 'confirmed'}
        >
          {label}
        </button>{' '}
        <span className="muted">
          {units(payment.amount)} of token <code title={payment.token}>{shortHex(payment.token, 6, 4)}</code>: approve
          the splitter, then <code>payRun</code>
        </span>
      </p>
      {!connected && <p className="muted">Connect a wallet to pay.</p>}
      <TransactionStatus
        state={approval.state}
        action="Approving the splitter"
        verb="Approved"
        failed="Approval failed"
      />
      <TransactionStatus state={payRun.state} action="Paying" verb="Paid" failed="Payment failed" testId="paid" />
    </div>
  );
}
