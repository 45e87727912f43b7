import { useCallback, useState } from 'react';
import type { SentTransaction } from './send-call';

/** A wallet transaction as people follow it: waiting for the wallet, pending with its hash, then confirmed or failed. */
export type TxState =
  | { step: 'idle' }
  | { step: 'waiting' }
  | { step: 'pending'; hash: string }
  | { step: 'confirmed'; hash: string; block: number }
  | { step: 'failed'; reason: string; hash?: string };

/** A wallet's refusal or a revert as people read it: ethers' short message, or the custom error's name. */
export function reasonOf(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string; revert?: { name?: string } };
  if (e.revert?.name) return `${e.shortMessage ?? 'reverted'} (${e.revert.name})`;
  return e.shortMessage ?? e.message ?? String(error);
}

/**
 * One transaction's state and the way to send it: `run(send)` calls `send(onSent)` (which reports the hash
 * as soon as the wallet sent it) and resolves to the mined transaction, or to null once the failure is shown.
 */
export function useTransaction() {
  const [state, setState] = useState<TxState>({ step: 'idle' });
  const run = useCallback(
    async (send: (onSent: (hash: string) => void) => Promise<SentTransaction>): Promise<SentTransaction | null> => {
      setState({ step: 'waiting' });
      let hash: string | undefined;
      try {
        const done = await send((h) => {
          hash = h;
          setState({ step: 'pending', hash: h });
        });
        setState({ step: 'confirmed', ...done });
        return done;
      } catch (e) {
        setState({ step: 'failed', reason: reasonOf(e), hash: (e as { hash?: string }).hash ?? hash });
        return null;
      }
    },
    [],
  );
  const busy = state.step === 'waiting' || state.step === 'pending';
  return { state, run, busy, reset: useCallback(() => setState({ step: 'idle' }), []) };
}

/**
 * Shows a transaction's state: "{action}: confirm in your wallet…", then "{action}: pending <hash>", then
 * "{verb} in block N: <hash>" when mined, or "{failed}: reason (transaction <hash>)" as an alert.
 */
export function TransactionStatus({
  state,
  verb = 'Confirmed',
  action,
  failed = 'Failed',
  testId,
}: {
  state: TxState;
  /** Past tense of what it did ("Paid", "Voted"). */
  verb?: string;
  /** What is being done while it is not mined ("Approving the splitter"). */
  action?: string;
  failed?: string;
  testId?: string;
}) {
  const doing = action ? `${action}: ` : '';
  return (
    <>
      <div role="status" aria-live="polite">
        {state.step === 'waiting' && <p>{doing}confirm in your wallet…</p>}
        {state.step === 'pending' && (
          <p>
            {doing}pending <code className="hash">{state.hash}</code>
          </p>
        )}
        {state.step === 'confirmed' && (
          <p data-testid={testId}>
            {verb} in block {state.block}: <code className="hash">{state.hash}</code>
          </p>
        )}
      </div>
      {state.step === 'failed' && (
        <p role="alert" className="error">
          {failed}: {state.reason}
          {state.hash && (
            <>
              {' '}
              (transaction <code className="hash">{state.hash}</code>)
            </>
          )}
        </p>
      )}
    </>
  );
}
