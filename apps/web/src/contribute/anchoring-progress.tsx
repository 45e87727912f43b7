import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { dateTime } from '../format';

const STEPS = ['pending', 'batched', 'anchored'] as const;

/**
 * A registered dataset's anchoring as it happens: pending (waiting for the next batch), batched (in a batch
 * whose root is being sent, with the transaction), anchored (in a block, with the transaction hash).
 */
export function AnchoringProgress({ id }: { id: string }) {
  const dataset = useQuery({
    queryKey: ['dataset', id],
    queryFn: () => api('getDataset', { params: { id } }),
    refetchInterval: (query) => (query.state.data?.anchorStatus.state === 'anchored' ? false : 1500),
  });
  const a = dataset.data?.anchorStatus;
  const reached = a ? STEPS.indexOf(a.state as (typeof STEPS)[number]) : -1;
  return (
    <section aria-labelledby="anchoring-progress">
      <h3 id="anchoring-progress">Anchoring</h3>
      <ErrorView error={dataset.error} title="The anchor status could not be loaded" />
      <ol className="steps">
        {STEPS.map((step, i) => (
          <li key={step} aria-current={i === reached ? 'step' : undefined} className={i <= reached ? 'done' : ''}>
            {step}
          </li>
        ))}
      </ol>
      <p role="status" aria-live="polite" data-testid="anchor-state">
        {!a && 'Reading the anchor status…'}
        {a?.state === 'pending' && 'Pending: waiting for the next anchoring batch.'}
        {a?.state === 'batched' && (
          <>
            Batched with {a.batch?.itemCount ?? 0} record(s); the root&apos;s transaction is{' '}
            {a.transaction?.status ?? 'being prepared'}
            {a.transaction?.hash && (
              <>
                {' '}
                <code className="hash">{a.transaction.hash}</code>
              </>
            )}
            .
          </>
        )}
        {a?.state === 'anchored' && a.anchor && (
          <>
            Anchored in block {a.anchor.blockNumber} ({dateTime(a.anchor.anchoredAt)}):{' '}
            <code className="hash">{a.anchor.txHash}</code>
          </>
        )}
      </p>
    </section>
  );
}
